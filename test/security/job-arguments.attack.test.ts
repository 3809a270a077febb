/**
 * Attacks through the Glue job's arguments and artifacts, tried as an operator with glue:StartJobRun or a
 * writer to the artifacts bucket would: the run's arguments are merged with the job definition exactly as
 * the local Glue API merges them (Glue's rule: defaults, then the run's, then the non-overridable ones),
 * turned into the script's command line as the local Glue runtime does, and the real entry script
 * (glue-jobs/jobs/sentinel_etl_job.py -> glue_entry's local parser -> job.py) runs on local Spark against
 * the emulator (moto 5.2.5 on loopback). Each test asserts what the operator sees (the error Glue would
 * report, the FAILED run metrics the lineage FAIL record carries) and that nothing was written.
 *
 * What this cannot prove: that AWS Glue itself refuses to override a non-overridable argument (that is
 * Glue's documented merge, emulated here; test/modules checks etl-job.ts marks every code and trust
 * argument non-overridable), and the bucket-policy writer allow-list on artifacts (sec-infra, static).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { beforeEach, describe, expect, it } from "vitest";
import { DataLayout } from "../../contracts/data-layout";
import { expandTemplate } from "../../contracts/location-placeholders";
import { RUN_LOCATION_NAMES, byJobArgument, type RunLocationName } from "../../contracts/run-locations";
import { EMULATOR_CREDENTIALS, type Emulator } from "../../local/emulator/emulator";
import { emulatorPerTest } from "../local/support/emulator-per-test";
import { scriptArguments } from "../../local/glue/glue-runtime-parameters";
import { effectiveArguments } from "../../local/services/glue-api";
import { platformBucketName } from "../../modules/storage/platform-buckets";

const ROOT = join(import.meta.dirname, "..", "..");
const ACCOUNT = "123456789012"; // moto's account
const ENVIRONMENT = "local";
const PROFILE = "card-transactions";
const RUN_DATE = "2026-03-01";
const RUN_ID = "0b6f3c1e-2f55-5d7e-8a41-6c9d0e1f2a3b";
const JOB = "sentinel-local-etl";

const bucket = (tier: "raw" | "processed" | "artifacts" | "lineage-audit") => platformBucketName(`sentinel-${ENVIRONMENT}`, tier, ACCOUNT);
const layout = new DataLayout({
  raw: bucket("raw"),
  processed: bucket("processed"),
  artifacts: bucket("artifacts"),
  lineageAudit: bucket("lineage-audit"),
});
const locations = Object.fromEntries(
  RUN_LOCATION_NAMES.map((name) => [
    name,
    expandTemplate(layout.templates[name], { environment: ENVIRONMENT, profile: PROFILE, run_date: RUN_DATE, run_id: RUN_ID }),
  ]),
) as Record<RunLocationName, string>;
const wheelUri = `s3://${bucket("artifacts")}/glue/python/sentinel_etl-0.1.0-py3-none-any.whl`;
const jarUri = `s3://${bucket("artifacts")}/glue/jars/sentinel-tokenization.jar`;

interface ScriptRun {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs the entry script with the arguments Glue would give it, as the local Glue runtime does. */
async function runEntryScript(emulator: Emulator, effective: Record<string, string>): Promise<ScriptRun> {
  const python = join(ROOT, ".venv", "bin", "python");
  const script = join(ROOT, "glue-jobs", "jobs", "sentinel_etl_job.py");
  const child = spawn(python, [script, ...scriptArguments(JOB, "jr_attack", effective)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      JAVA_HOME: process.env.JAVA_HOME,
      PYTHONPATH: join(ROOT, "glue-jobs"),
      AWS_ENDPOINT_URL: emulator.endpoint,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_DEFAULT_REGION: EMULATOR_CREDENTIALS.region,
      AWS_REGION: EMULATOR_CREDENTIALS.region,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stderr };
}

/** The exception line Glue reports as the run's ErrorMessage (the traceback's last line). */
function errorLine(stderr: string): string {
  return (
    stderr
      .trim()
      .split("\n")
      .filter((line) => /^[\w.]*(Error|Mismatch|Refused|Exception)\b/.test(line))
      .at(-1) ?? stderr.slice(-2000)
  );
}

describe("Glue job argument and artifact attacks, through the entry script on local Spark", () => {
  const emulator = emulatorPerTest();
  let s3: S3Client;
  let job: { DefaultArguments: Record<string, string>; NonOverridableArguments: Record<string, string> };

  async function put(uri: string, body: string | Uint8Array): Promise<void> {
    const [, , name, ...key] = uri.split("/");
    await s3.send(new PutObjectCommand({ Bucket: name, Key: key.join("/"), Body: body }));
  }

  async function keysIn(bucketName: string, prefix = ""): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucketName, Prefix: prefix }));
    return (listed.Contents ?? []).map((object) => object.Key ?? "");
  }

  /** What an attack must never leave behind: output, quarantine, fitted state. */
  async function nothingWritten(): Promise<void> {
    expect(await keysIn(bucket("processed"))).toEqual([]);
    expect(await keysIn(bucket("raw"), "quarantine/")).toEqual([]);
    expect(await keysIn(bucket("artifacts"), "state/")).toEqual([]);
  }

  beforeEach(async () => {
    s3 = new S3Client({
      endpoint: emulator().endpoint,
      region: EMULATOR_CREDENTIALS.region,
      forcePathStyle: true,
      credentials: EMULATOR_CREDENTIALS,
    });
    for (const tier of ["raw", "processed", "artifacts", "lineage-audit"] as const) {
      await s3.send(
        new CreateBucketCommand({ Bucket: bucket(tier), CreateBucketConfiguration: { LocationConstraint: EMULATOR_CREDENTIALS.region } }),
      );
    }
    const config = readFileSync(join(ROOT, "glue-jobs", "config", "profiles", `${PROFILE}.json`));
    const mapping = readFileSync(join(ROOT, "glue-jobs", "reference", "mcc-mapping.csv"));
    const wheel = Buffer.from("PK\u0003\u0004 the transformation package as deployed");
    const jar = Buffer.from("PK\u0003\u0004 the tokenization library as deployed");
    await put(locations.configLocation, config);
    await put(locations.mappingLocation, mapping);
    await put(wheelUri, wheel);
    await put(jarUri, jar);
    await put(`${locations.inputPrefix}day.csv`, "transaction_id,amount\n1,2.5\n");
    const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
    const kms = new KMSClient({ endpoint: emulator().endpoint, region: EMULATOR_CREDENTIALS.region, credentials: EMULATOR_CREDENTIALS });
    const stateKey = await kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }));
    const tokenizationKey = await kms.send(new CreateKeyCommand({ Description: "tokenization" }));
    // The job definition as modules/glue/etl-job.ts writes it: per-run locations as defaults, code and
    // trust arguments non-overridable, digests of every deployed artifact.
    job = {
      DefaultArguments: { "--profile": PROFILE, "--run_date": RUN_DATE, ...byJobArgument(locations) },
      NonOverridableArguments: {
        "--extra-py-files": wheelUri,
        "--extra-jars": jarUri,
        "--user-jars-first": "true",
        "--environment": ENVIRONMENT,
        "--account_id": ACCOUNT,
        "--state_mac_key_arn": stateKey.KeyMetadata?.Arn ?? "",
        "--tokenization_key_arn": tokenizationKey.KeyMetadata?.Arn ?? "",
        "--artifact_digests": JSON.stringify({
          [wheelUri]: sha(wheel),
          [jarUri]: sha(jar),
          [locations.configLocation]: sha(config),
          [locations.mappingLocation]: sha(mapping),
        }),
      },
    };
  });

  it("StartJobRun with --quarantine_location under processed/ is refused before a row is read; the FAILED metrics name the argument", async () => {
    const attack = { "--quarantine_location": `s3://${bucket("processed")}/processed/${PROFILE}/` };
    const run = await runEntryScript(emulator(), effectiveArguments(job as never, { arguments: attack }));
    expect(run.code).not.toBe(0);
    expect(errorLine(run.stderr)).toBe(
      `sentinel_etl.location_policy.LocationRefusedError: --quarantine_location 's3://${bucket("processed")}/processed/${PROFILE}/' is refused: it must be exactly s3://${bucket("raw")}/quarantine/${PROFILE}/ (derived from --environment, the account and --profile)`,
    );
    expect(run.stderr).not.toMatch(/Setting default log level/); // refused before the Spark session started
    await nothingWritten();
    const metricsKey = `${locations.metricsLocation.split("/").slice(3).join("/")}run-metrics.json`;
    const metrics = JSON.parse(
      await (await s3.send(new GetObjectCommand({ Bucket: bucket("lineage-audit"), Key: metricsKey }))).Body!.transformToString(),
    ) as Record<string, unknown>;
    expect(metrics).toMatchObject({
      status: "FAILED",
      rows_in: 0,
      error: { type: "LocationRefusedError", reason: "location_refused", argument: "--quarantine_location" },
    });
  });

  it("a redirected metrics location is refused too, and then nothing at all is written", async () => {
    const attack = { "--metrics_location": `s3://${bucket("processed")}/processed/${PROFILE}/exfil/` };
    const run = await runEntryScript(emulator(), effectiveArguments(job as never, { arguments: attack }));
    expect(run.code).not.toBe(0);
    expect(errorLine(run.stderr)).toMatch(
      /LocationRefusedError: --metrics_location .* must be under s3:\/\/sentinel-local-lineage-audit-123456789012\/run-metrics\/card-transactions\/2026-03-01\//,
    );
    await nothingWritten();
    expect(await keysIn(bucket("lineage-audit"))).toEqual([]);
  });

  it("StartJobRun with an extra jar, another wheel or other trust arguments does not change what runs", () => {
    const attack = {
      "--extra-jars": "s3://attacker-bucket/evil.jar",
      "--extra-py-files": "s3://attacker-bucket/evil.whl",
      "--user-jars-first": "false",
      "--environment": "attacker",
      "--artifact_digests": "{}",
      "--state_mac_key_arn": "arn:aws:kms:eu-central-2:999999999999:key/attacker",
      "--tokenization_key_arn": "arn:aws:kms:eu-central-2:999999999999:key/attacker",
    };
    const effective = effectiveArguments(job as never, { arguments: attack });
    for (const name of Object.keys(attack)) expect(effective[name], name).toBe(job.NonOverridableArguments[name]);
  });

  it("a config overwritten in the artifacts bucket stops the job before the wheel is imported, naming the object", async () => {
    const tampered = JSON.parse(readFileSync(join(ROOT, "glue-jobs", "config", "profiles", `${PROFILE}.json`), "utf8")) as {
      tokenization: unknown[];
    };
    tampered.tokenization = []; // publish raw PII: tokenize nothing
    await put(locations.configLocation, JSON.stringify(tampered));
    const run = await runEntryScript(emulator(), effectiveArguments(job as never, { arguments: {} }));
    expect(run.code).not.toBe(0);
    expect(errorLine(run.stderr)).toMatch(
      new RegExp(
        `ArtifactDigestError: artifact ${locations.configLocation.replaceAll(".", "\\.")} has SHA-256 [0-9a-f]{64}, but the deployment recorded [0-9a-f]{64}: it was replaced after deployment`,
      ),
    );
    expect(run.stderr).not.toMatch(/Setting default log level|SparkContext/); // stopped before Spark or any job code started
    await nothingWritten();
  });

  it("an overwritten wheel, jar or mapping is named the same way", async () => {
    for (const uri of [wheelUri, jarUri, locations.mappingLocation]) {
      const original = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket("artifacts"), Key: uri.split("/").slice(3).join("/") }))
      ).Body!.transformToByteArray();
      await put(uri, "replaced by someone who can write the artifacts bucket");
      const run = await runEntryScript(emulator(), effectiveArguments(job as never, { arguments: {} }));
      expect(run.code, uri).not.toBe(0);
      expect(errorLine(run.stderr)).toMatch(new RegExp(`ArtifactDigestError: artifact ${uri.replaceAll(".", "\\.")} has SHA-256`));
      await put(uri, original);
    }
    await nothingWritten();
  });

  it("a wrapped key file naming another KMS key is refused before any row is read", { timeout: 180_000 }, async () => {
    const attackerKey = "arn:aws:kms:eu-central-2:999999999999:key/11111111-2222-3333-4444-555555555555";
    await put(
      locations.keyLocation,
      JSON.stringify({ key_version: "2026-03", kms_key_arn: attackerKey, ciphertext_blob: Buffer.from("x".repeat(64)).toString("base64") }),
    );
    const run = await runEntryScript(emulator(), effectiveArguments(job as never, { arguments: {} }));
    expect(run.code).not.toBe(0);
    expect(errorLine(run.stderr)).toBe(
      `sentinel_etl.keys.KeyMaterialError: ${locations.keyLocation} names KMS key ${attackerKey}, but this job unwraps tokenization keys only with ${job.NonOverridableArguments["--tokenization_key_arn"]} (--tokenization_key_arn): refusing the key file`,
    );
    await nothingWritten();
  });
});
