/**
 * The local service front serves TLS only (local/services/service-front.ts): plain HTTP gets no answer, a client that
 * does not trust the loopback certificate is refused by its own verification, and one that does reaches the emulator
 * through it over TLS end to end, so a bucket's TLS-only policy (DenyInsecureTransport) lets its S3 requests through.
 */
import { resolve } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { loopbackTls } from "../../local/emulator/loopback-tls";
import { JobRuns } from "../../local/job-runs/job-runs";
import { DataBrewApi } from "../../local/services/databrew-api";
import { GlueRunApi } from "../../local/services/glue-api";
import { startServiceFront, type ServiceFront } from "../../local/services/service-front";
import { main as sentinel } from "../../handlers/cli/main";

const ROOT = resolve(import.meta.dirname, "..", "..");
const BUCKET = "behind-the-front";
let emulator: Emulator;
let front: ServiceFront;

const DENY_INSECURE_TRANSPORT = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      Condition: { Bool: { "aws:SecureTransport": ["false"] } },
    },
  ],
};

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: ROOT });
  const runs = new JobRuns();
  front = await startServiceFront(
    emulator.tlsEndpoint,
    loopbackTls(),
    new GlueRunApi(runs, async () => undefined),
    new DataBrewApi(runs, async () => ({ datasets: [], jobs: [] }) as never),
  );
  const s3 = new S3Client({ ...emulatorClientConfig(emulator.tlsEndpoint), forcePathStyle: true });
  await s3.send(
    new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: EMULATOR_CREDENTIALS.region } }),
  );
  await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(DENY_INSECURE_TRANSPORT) }));
  s3.destroy();
});
afterAll(async () => {
  await front?.close();
  await emulator?.stop();
});

describe("the local service front", () => {
  it("is an https endpoint and gives plain HTTP no answer", async () => {
    expect(front.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const plain = front.endpoint.replace("https:", "http:");
    await expect(fetch(`${plain}/`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  });

  it("is refused by a client that does not trust the loopback certificate (verification on)", async () => {
    const untrusting = new S3Client({
      endpoint: front.endpoint,
      region: EMULATOR_CREDENTIALS.region,
      credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey },
      forcePathStyle: true,
      maxAttempts: 1,
    });
    try {
      await expect(untrusting.send(new GetObjectCommand({ Bucket: BUCKET, Key: "any" }))).rejects.toThrow(/self[- ]signed certificate/);
    } finally {
      untrusting.destroy();
    }
  });

  it("forwards S3 to the emulator over TLS: a TLS-only bucket takes a write and a read through it", async () => {
    const s3 = new S3Client({ ...emulatorClientConfig(front.endpoint), forcePathStyle: true, maxAttempts: 1 });
    try {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "through/front.txt", Body: "over TLS" }));
      const read = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "through/front.txt" }));
      expect(await read.Body!.transformToString()).toBe("over TLS");
    } finally {
      s3.destroy();
    }
  });

  it("is reached by the sentinel CLI given the certificate with --ca-bundle, and refused without it", async () => {
    const run = async (trust: readonly string[]) => {
      let output = "";
      const io = { env: {}, stdout: (text: string) => (output += text), stderr: (text: string) => (output += text) };
      const args = ["--endpoint-url", front.endpoint, ...trust, "--region", EMULATOR_CREDENTIALS.region, "lineage", "list"];
      return { code: await sentinel([...args, "--bucket", BUCKET, "--json"], io), output };
    };
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
    try {
      const trusted = await run(["--ca-bundle", emulator.certificate]);
      // it listed the (empty) lineage prefix through the front: the CLI's answer for a bucket without records
      expect(trusted).toEqual({ code: 1, output: "no runs found\n" });
      const untrusted = await run([]);
      expect(untrusted.code).toBe(2);
      expect(untrusted.output).toMatch(/self[- ]signed certificate/);
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});
