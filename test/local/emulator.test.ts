import { CreateKeyCommand, GenerateMacCommand, KMSClient, VerifyMacCommand } from "@aws-sdk/client-kms";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { execFileSync } from "node:child_process";
import { connect, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, freeLoopbackPort, startEmulator } from "../../local/emulator/emulator";

/** A MAC over `message` by a new HMAC key with `description`, and whether a second key of another description verifies it. */
async function macByFreshKey(endpoint: string, description: string, message: Uint8Array): Promise<{ mac: string; otherVerifies: boolean }> {
  const kms = new KMSClient({
    endpoint,
    region: EMULATOR_CREDENTIALS.region,
    credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey },
  });
  const create = (Description: string) =>
    kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC", Description }));
  const key = (await create(description)).KeyMetadata!.KeyId!;
  const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: key, Message: message, MacAlgorithm: "HMAC_SHA_256" }));
  const other = (await create(`${description} (another key)`)).KeyMetadata!.KeyId!;
  const verify = await kms.send(new VerifyMacCommand({ KeyId: other, Message: message, Mac, MacAlgorithm: "HMAC_SHA_256" })).then(
    (r) => r.MacValid === true,
    () => false,
  );
  return { mac: Buffer.from(Mac!).toString("base64"), otherVerifies: verify };
}

describe("local AWS emulator harness", () => {
  it("starts moto on a loopback port, answers, and leaves no process after stop", async () => {
    const emulator = await startEmulator();
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${emulator.endpoint}/moto-api/`);
    expect(response.status).toBe(200);
    await emulator.stop();
    const listing = execFileSync("ps", ["-eo", "args"]).toString();
    expect(listing).not.toContain(`-p ${emulator.port}`);
  });

  it("starts again on other ports when another process takes its port between the choice and the bind", async () => {
    const holder = createServer();
    await new Promise<void>((listening) => holder.listen(0, "127.0.0.1", listening));
    const taken = (holder.address() as { port: number }).port;
    const offered: number[] = [];
    // the first choice is a port another process holds, as when a parallel test binds it first
    const choosePort = async (): Promise<number> => {
      const port = offered.length === 0 ? taken : await freeLoopbackPort();
      offered.push(port);
      return port;
    };
    try {
      const emulator = await startEmulator({ choosePort });
      try {
        expect(emulator.port).not.toBe(taken);
        expect(offered.length).toBeGreaterThanOrEqual(4);
        expect((await fetch(`${emulator.endpoint}/moto-api/`)).status).toBe(200);
      } finally {
        await emulator.stop();
      }
    } finally {
      holder.close();
    }
  });

  it("answers over TLS, verified against its certificate, while another client holds a connection without a handshake", async () => {
    const emulator = await startEmulator();
    try {
      expect(emulator.tlsEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      // a client that connects and sends nothing: the handshake must not stall the listener (emulator_tls.py, TlsServer)
      const idle = connect(Number(new URL(emulator.tlsEndpoint).port), "127.0.0.1");
      await new Promise((connected) => idle.once("connect", connected));
      const s3 = new S3Client({ ...emulatorClientConfig(emulator.tlsEndpoint), maxAttempts: 1 });
      const answer = await Promise.race([
        s3.send(new ListBucketsCommand({})).then(() => "answered"),
        new Promise((late) => setTimeout(() => late("no answer within 10 s"), 10_000)),
      ]);
      expect(answer).toBe("answered");
      idle.destroy();
      s3.destroy();
      // and a client that does not trust the certificate is refused: nothing skips verification
      const untrusting = new S3Client({ ...emulatorClientConfig(emulator.endpoint), endpoint: emulator.tlsEndpoint, maxAttempts: 1 });
      await expect(untrusting.send(new ListBucketsCommand({}))).rejects.toThrow(/self[- ]signed certificate/);
      untrusting.destroy();
    } finally {
      await emulator.stop();
    }
  });

  it("gives an HMAC key the same material in the next emulator, so state sealed by one npm start verifies in the next", async () => {
    const message = new TextEncoder().encode("state/card-transactions/bookmarks/job.json");
    const results = [];
    for (let i = 0; i < 2; i++) {
      const emulator = await startEmulator();
      try {
        results.push(await macByFreshKey(emulator.endpoint, "sentinel-local state authentication", message));
      } finally {
        await emulator.stop();
      }
    }
    expect(results[1]!.mac).toBe(results[0]!.mac);
    expect(results[0]!.otherVerifies).toBe(false);
  });
});
