/**
 * The other half of every attack test: with every runtime check on (location policy, artifact digests,
 * KMS-wrapped key with the run's key and context, fitted state sealed with a KMS HMAC key, data-only
 * model), an honest run of the deployed job succeeds. Runs as the local Glue runtime runs a deployed job
 * (`executeGlueRun`: the script, the built wheel and jar fetched from the emulator's artifacts bucket, the
 * effective arguments, local Spark over S3A) against moto on loopback; then a second run reuses the
 * sealed state, and a third run, after the state pointer was rewritten without the MAC key, is refused.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { Job } from "@aws-sdk/client-glue";
import { CreateKeyCommand, GenerateDataKeyWithoutPlaintextCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLayout } from "../../contracts/data-layout";
import { expandTemplate } from "../../contracts/location-placeholders";
import { PER_RUN_LOCATION_NAMES, RUN_LOCATION_NAMES, byJobArgument, type RunLocationName } from "../../contracts/run-locations";
import { EMULATOR_CREDENTIALS, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { executeGlueRun, type GlueRunOutcome } from "../../local/glue/glue-job-execution";
import { effectiveArguments } from "../../local/services/glue-api";
import { platformBucketName } from "../../modules/storage/platform-buckets";
import { ARTIFACT_NAMES, readManifest, verifiedArtifact } from "../../tools/build/artifact-manifest";

const ROOT = join(import.meta.dirname, "..", "..");
const ACCOUNT = "123456789012";
const PROFILE = "card-transactions";
const RUN_DATE = "2026-03-01";
const REGION = EMULATOR_CREDENTIALS.region;

const bucket = (tier: "raw" | "processed" | "artifacts" | "lineage-audit") => platformBucketName("sentinel-local", tier, ACCOUNT);
const layout = new DataLayout({
  raw: bucket("raw"),
  processed: bucket("processed"),
  artifacts: bucket("artifacts"),
  lineageAudit: bucket("lineage-audit"),
});

function locationsOf(runId: string): Record<RunLocationName, string> {
  const values = { environment: "local", profile: PROFILE, run_date: RUN_DATE, run_id: runId };
  return Object.fromEntries(RUN_LOCATION_NAMES.map((name) => [name, expandTemplate(layout.templates[name], values)])) as Record<
    RunLocationName,
    string
  >;
}

describe("an honest run with every runtime check on", () => {
  let emulator: Emulator;
  let s3: S3Client;
  let job: Job;
  let workDir: string;

  const uriOf = (uri: string) => ({ Bucket: uri.split("/")[2], Key: uri.split("/").slice(3).join("/") });
  const put = (uri: string, body: Uint8Array | string) => s3.send(new PutObjectCommand({ ...uriOf(uri), Body: body }));
  const readJson = async (uri: string) =>
    JSON.parse(await (await s3.send(new GetObjectCommand(uriOf(uri)))).Body!.transformToString()) as Record<string, unknown>;

  async function run(runId: string): Promise<{ outcome: GlueRunOutcome; metrics: Record<string, unknown> }> {
    const locations = locationsOf(runId);
    // What the trigger passes: the run's own values and per-run locations.
    const perRun = { "--profile": PROFILE, "--run_date": RUN_DATE, ...byJobArgument(locations, PER_RUN_LOCATION_NAMES) };
    const effective = effectiveArguments(job, { arguments: perRun });
    const outcome = await executeGlueRun({ runId, jobName: job.Name ?? "", arguments: perRun } as never, job, effective, {
      projectRoot: ROOT,
      emulatorEndpoint: emulator.tlsEndpoint,
      region: REGION,
      credentials: EMULATOR_CREDENTIALS,
      s3,
      logs: new CloudWatchLogsClient({ endpoint: emulator.endpoint, region: REGION, credentials: EMULATOR_CREDENTIALS }),
      workDir: join(workDir, runId),
    });
    return { outcome, metrics: await readJson(`${locations.metricsLocation}run-metrics.json`) };
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    workDir = mkdtempSync(join(tmpdir(), "sentinel-honest-run-"));
    s3 = new S3Client({ endpoint: emulator.endpoint, region: REGION, forcePathStyle: true, credentials: EMULATOR_CREDENTIALS });
    const kms = new KMSClient({ endpoint: emulator.endpoint, region: REGION, credentials: EMULATOR_CREDENTIALS });
    for (const tier of ["raw", "processed", "artifacts", "lineage-audit"] as const) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket(tier), CreateBucketConfiguration: { LocationConstraint: REGION } }));
    }
    const locations = locationsOf("setup");
    const wheel = verifiedArtifact(ROOT, readManifest(ROOT), ARTIFACT_NAMES.jobPackage);
    const wheelUri = `s3://${bucket("artifacts")}/glue/python/${wheel.path.split("/").at(-1) ?? ""}`;
    const jar = verifiedArtifact(ROOT, readManifest(ROOT), ARTIFACT_NAMES.tokenizationLibrary);
    const jarUri = `s3://${bucket("artifacts")}/glue/jars/${jar.path.split("/").at(-1) ?? ""}`;
    const scriptUri = `s3://${bucket("artifacts")}/glue/scripts/sentinel_etl_job.py`;
    const config = readFileSync(join(ROOT, "glue-jobs", "config", "profiles", `${PROFILE}.json`));
    const mapping = readFileSync(join(ROOT, "glue-jobs", "reference", "mcc-mapping.csv"));
    await put(scriptUri, readFileSync(join(ROOT, "glue-jobs", "jobs", "sentinel_etl_job.py")));
    await put(wheelUri, readFileSync(wheel.absolutePath));
    await put(jarUri, readFileSync(jar.absolutePath));
    await put(locations.configLocation, config);
    await put(locations.mappingLocation, mapping);

    // Landing data: the project's generator, 300 rows.
    const csv = spawnSync(
      join(ROOT, ".venv", "bin", "python"),
      [
        "-c",
        "import sys; from sentinel_etl.generator import generate; generate('card-transactions', rows=300, seed=11).to_csv(sys.stdout, index=False)",
      ],
      {
        encoding: "utf8",
        env: { ...process.env, PYTHONPATH: join(ROOT, "glue-jobs") },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (csv.status !== 0) throw new Error(csv.stderr);
    await put(`${locations.inputPrefix}day.csv`, csv.stdout);

    // The dedicated tokenization key wraps the data key with the context the key policy requires.
    const tokenizationKey = (await kms.send(new CreateKeyCommand({ Description: "tokenization" }))).KeyMetadata?.Arn ?? "";
    const keyVersion = "2026-03";
    const blob = await kms.send(
      new GenerateDataKeyWithoutPlaintextCommand({
        KeyId: tokenizationKey,
        KeySpec: "AES_256",
        EncryptionContext: { profile: PROFILE, key_version: keyVersion },
      }),
    );
    await put(
      locations.keyLocation,
      JSON.stringify({
        key_version: keyVersion,
        kms_key_arn: tokenizationKey,
        ciphertext_blob: Buffer.from(blob.CiphertextBlob ?? []).toString("base64"),
      }),
    );
    const stateKey =
      (await kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }))).KeyMetadata?.Arn ?? "";

    const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
    job = {
      Name: "sentinel-local-etl",
      Command: { Name: "glueetl", ScriptLocation: scriptUri, PythonVersion: "3" },
      Timeout: 30,
      DefaultArguments: { "--job-bookmark-option": "job-bookmark-enable" },
      NonOverridableArguments: {
        "--extra-py-files": wheelUri,
        "--extra-jars": jarUri,
        "--environment": "local",
        "--account_id": ACCOUNT,
        "--mapping_location": locations.mappingLocation,
        "--state_mac_key_arn": stateKey,
        "--tokenization_key_arn": tokenizationKey,
        "--artifact_digests": JSON.stringify({
          [wheelUri]: wheel.sha256,
          [jarUri]: jar.sha256,
          [locations.configLocation]: sha(config),
          [locations.mappingLocation]: sha(mapping),
        }),
      },
    };
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  it("succeeds, seals its state with the KMS HMAC key and records the data-only model's digest", { timeout: 600_000 }, async () => {
    const { outcome, metrics } = await run("honest-run-1");
    expect(outcome.errorMessage).toBeUndefined();
    expect(outcome.state).toBe("SUCCEEDED");
    expect(metrics).toMatchObject({
      status: "SUCCEEDED",
      rows_in: 300,
      key_version: "2026-03",
      state_mac_key: job.NonOverridableArguments?.["--state_mac_key_arn"],
    });
    expect((metrics.model as { hash: string; format: string }).format).toBe("forest-arrays-json");
    const pointer = await readJson(`${locationsOf("x").stateLocation}anomaly-model/current.json`);
    expect(pointer).toMatchObject({
      version: (metrics.model as { hash: string }).hash,
      mac: { key: job.NonOverridableArguments?.["--state_mac_key_arn"] },
    });
  });

  it("refuses state whose pointer was rewritten without the MAC key, naming the object", { timeout: 600_000 }, async () => {
    const state = locationsOf("x").stateLocation;
    const pointer = await readJson(`${state}bin-edges/current.json`);
    await put(
      `${state}bin-edges/current.json`,
      JSON.stringify({ ...pointer, fitted_for: { ...(pointer.fitted_for as object), tampered: true } }),
    );
    // A new landing file, so the run has rows to process with the stored state.
    const landed = await (await s3.send(new GetObjectCommand(uriOf(`${locationsOf("x").inputPrefix}day.csv`)))).Body!.transformToString();
    await put(`${locationsOf("x").inputPrefix}day-2.csv`, landed);
    const { outcome, metrics } = await run("honest-run-2");
    expect(outcome.state).toBe("FAILED");
    expect(outcome.errorMessage).toMatch(
      /FittedStateError: .*bin-edges\/current\.json is not authenticated by the state MAC key .*does not verify/,
    );
    expect(metrics).toMatchObject({ status: "FAILED", rows_out: 0 });
  });
});
