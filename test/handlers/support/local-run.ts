/**
 * The records of a real local pipeline run, without Terraform, for tests that read them as auditors and
 * data consumers do (the guides' examples, outside OpenLineage consumers):
 *
 * 1. the local emulator (moto) with the environment's buckets named as deployed
 *    (`sentinel-local-<tier>-<account>`, data-layout.ts prefixes), the Glue job and the catalog;
 * 2. generated card transactions (the job's own generator, with defects) landed for one day;
 * 3. the trigger handler starts the pipeline run (Glue StartJobRun in moto; DataBrew mocked, moto has none);
 * 4. the Glue job (glue_entry's local parser, local Spark) runs with that run's arguments on a local
 *    mirror of the buckets (`<root>/s3/<bucket>/<key>`: local Spark has no S3), and the mirror is copied
 *    into the emulator's buckets, the run metrics with their locations mapped back to `s3://`;
 * 5. the local DataBrew profile job (local/databrew) profiles the landed day into the raw bucket;
 * 6. the lineage handler records the DataBrew and Glue job state changes;
 * 7. the lineage records are copied to `<root>/lineage` (what `aws s3 sync s3://<bucket>/lineage ./lineage` gives).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import {
  DataBrewClient,
  DescribeDatasetCommand,
  DescribeJobRunCommand,
  StartJobRunCommand as StartDataBrewJobRun,
} from "@aws-sdk/client-databrew";
import { GetJobRunCommand } from "@aws-sdk/client-glue";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { DataLayout } from "../../../contracts/data-layout";
import { createAuditWriter } from "../../../handlers/audit/create-audit-writer";
import { lineageHandlerEnvironment } from "../../../handlers/lineage/config";
import { LINEAGE_PREFIX } from "../../../handlers/lineage/lineage-store";
import { recordJobState } from "../../../handlers/lineage/record-job-state";
import { callerPrincipal } from "../../../handlers/shared/actor";
import { systemClock } from "../../../handlers/shared/clock";
import { listKeys, readJson } from "../../../handlers/shared/object-store";
import { parseS3Uri } from "../../../handlers/shared/s3-uri";
import { triggerHandlerEnvironment } from "../../../handlers/trigger/config";
import { startPipelineRun } from "../../../handlers/trigger/start-pipeline-run";
import type { DatasetDefinition, JobDefinition } from "../../../local/databrew/databrew-definitions";
import { executeProfileRun } from "../../../local/databrew/profile-job-execution";
import { startEmulator, type Emulator } from "../../../local/emulator/emulator";
import { CATALOG_DATABASE, GLUE_JOB, commonConfig, createBucket, createPlatform, type AwsClients } from "./emulated-platform";
import { triggerEnvironment } from "./handler-config";
import { databrewStateChange, glueStateChange } from "./lineage-fixtures";
import { lineageDeps, triggerDeps } from "./handler-deps";

export const ACCOUNT = "123456789012";
export const RUN_DATE = "2026-03-01";
export const PROFILE = "card-transactions";
export const PROFILE_JOB = `sentinel-local-${PROFILE}-pii-profile`;
export const bucketOf = (tier: "raw" | "processed" | "artifacts" | "lineage-audit") => `sentinel-local-${tier}-${ACCOUNT}`;
export const LAYOUT = new DataLayout({
  raw: bucketOf("raw"),
  processed: bucketOf("processed"),
  artifacts: bucketOf("artifacts"),
  lineageAudit: bucketOf("lineage-audit"),
});
/** Rows generated, and the share given one quarantinable defect. */
const ROWS = 3000;
const DEFECT_RATE = 0.02;
const ENTITY_TYPES = ["EMAIL", "PERSON_NAME", "CREDIT_CARD", "BANK_ACCOUNT", "PHONE_NUMBER", "IP_ADDRESS", "USA_SSN"];

const PROJECT = resolve(".");
const PYTHON = join(PROJECT, ".venv", "bin", "python");
const GLUE_JOBS = join(PROJECT, "glue-jobs");

export interface LocalRun {
  /** working folder: `s3/` (the buckets' local mirror) and `lineage/` (the records' local copy) */
  readonly root: string;
  readonly lineageDir: string;
  /** local copy of `s3://<processed bucket>/processed/<profile>/` */
  readonly processedDir: string;
  readonly pipelineRunId: string;
  readonly glueJobRunId: string;
  readonly clients: AwsClients;
  /** the emulator, for `--endpoint-url` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

const run = promisify(execFile);

async function python(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run(PYTHON, [...args], {
    cwd: GLUE_JOBS,
    env: { ...process.env, PYTHONPATH: GLUE_JOBS, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

export async function produceLocalRun(): Promise<LocalRun> {
  const root = await mkdtemp(join(tmpdir(), "sentinel-local-run-"));
  const mirror = join(root, "s3");
  const localPath = (uri: string) => {
    const { bucket, key } = parseS3Uri(uri);
    // path.join keeps a trailing slash: a prefix stays a prefix
    return join(mirror, bucket, key);
  };
  const emulator: Emulator = await startEmulator();
  const stop = async () => {
    await emulator.stop();
    if (process.env.SENTINEL_KEEP_LOCAL_RUN === undefined) await rm(root, { recursive: true, force: true });
  };
  try {
    const clients = await createPlatform(emulator, { processedTables: [PROFILE] });
    await createBucket(clients, bucketOf("raw"), false);
    await createBucket(clients, bucketOf("processed"), false);
    await createBucket(clients, bucketOf("artifacts"), false);
    await createBucket(clients, bucketOf("lineage-audit"), true);
    const common = { ...commonConfig, LINEAGE_AUDIT_BUCKET: bucketOf("lineage-audit") };
    const templates = LAYOUT.templates;
    const triggerConfig = triggerHandlerEnvironment.parse({
      ...triggerEnvironment,
      LINEAGE_AUDIT_BUCKET: bucketOf("lineage-audit"),
      INPUT_PREFIX_TEMPLATE: templates.inputPrefix,
      CONFIG_LOCATION_TEMPLATE: templates.configLocation,
      OUTPUT_LOCATION_TEMPLATE: templates.outputLocation,
      QUARANTINE_LOCATION_TEMPLATE: templates.quarantineLocation,
      METRICS_LOCATION_TEMPLATE: templates.metricsLocation,
      STATE_LOCATION_TEMPLATE: templates.stateLocation,
      MAPPING_LOCATION_TEMPLATE: templates.mappingLocation,
      KEY_LOCATION_TEMPLATE: templates.keyLocation,
    });
    const databrew = mockClient(DataBrewClient);
    databrew.on(StartDataBrewJobRun).resolves({ RunId: "db_run_1" });
    const audit = createAuditWriter(common, {
      s3: clients.s3,
      logs: clients.logs,
      actor: callerPrincipal(clients.sts),
      clock: systemClock,
    });

    // 2. a day of generated transactions, landed
    const landing = `s3://${bucketOf("raw")}/${LAYOUT.landingPrefixOf(PROFILE)}run_date=${RUN_DATE}/part-0000.csv`;
    mkdirSync(dirname(localPath(landing)), { recursive: true });
    await python([
      "-m",
      "sentinel_etl.cli",
      "generate",
      "--profile",
      PROFILE,
      "--rows",
      String(ROWS),
      "--seed",
      "7",
      "--defect-rate",
      String(DEFECT_RATE),
      "--output",
      localPath(landing),
    ]);

    // 3. the trigger starts the pipeline run (the profile job starts with it, as the trigger starts both)
    const profileStart = new Date();
    const started = await startPipelineRun(
      { source: "sentinel.manual", profile: PROFILE, run_date: RUN_DATE },
      triggerDeps(clients, audit, { config: triggerConfig }),
    );
    if (started.decision !== "started") throw new Error(`the trigger did not start the run: ${JSON.stringify(started)}`);
    const jobRun = (await clients.glue.send(new GetJobRunCommand({ JobName: GLUE_JOB, RunId: started.glue_job_run_id }))).JobRun;
    const args = jobRun?.Arguments ?? {};

    // 4. the Glue job on local Spark, over the local mirror, with the run's own arguments
    const configFile = localPath(args["--config_location"] as string);
    mkdirSync(dirname(configFile), { recursive: true });
    cpSync(join(GLUE_JOBS, "config", "profiles", `${PROFILE}.json`), configFile);
    const localArgs = Object.entries(args)
      // the dev key and the shipped mapping stand in for the KMS-wrapped key and the deployed mapping
      .filter(([name]) => name !== "--key_location" && name !== "--mapping_location")
      .flatMap(([name, value]) => [name, value.startsWith("s3://") ? localPath(value) : value]);
    await python(
      [join(GLUE_JOBS, "jobs", "sentinel_etl_job.py"), "--JOB_NAME", GLUE_JOB, "--JOB_RUN_ID", started.glue_job_run_id, ...localArgs],
      { PYSPARK_PYTHON: PYTHON },
    );
    for (const file of filesUnder(mirror)) {
      const [bucket, ...key] = relative(mirror, file).split("/");
      if (key.at(-1)?.startsWith(".") === true) continue; // Hadoop's .crc checksums
      let body: string | Buffer = readFileSync(file);
      if (file.endsWith("run-metrics.json"))
        body = body.toString("utf8").replaceAll(`file:${mirror}/`, "s3://").replaceAll(`${mirror}/`, "s3://");
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key.join("/"), Body: body }));
    }

    // 5. the PII profile of the landed day
    const dataset: DatasetDefinition = {
      Name: `sentinel-local-${PROFILE}-landing`,
      Format: "CSV",
      Input: { S3InputDefinition: { Bucket: bucketOf("raw"), Key: `${LAYOUT.landingPrefixOf(PROFILE)}run_date={run_date}/` } },
      PathOptions: {
        Parameters: [
          {
            PathParameterName: "run_date",
            DatasetParameter: { Name: "run_date", Type: "Datetime", DatetimeOptions: { Format: "yyyy-MM-dd" } },
          },
        ],
      },
    };
    const job: JobDefinition = {
      Name: PROFILE_JOB,
      Type: "PROFILE",
      DatasetName: dataset.Name,
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/sentinel-local-databrew`,
      OutputLocation: { Bucket: bucketOf("raw"), Key: LAYOUT.piiProfilePrefixOf(PROFILE) },
      LogSubscription: "DISABLE",
      ProfileConfiguration: { EntityDetectorConfiguration: { EntityTypes: ENTITY_TYPES } },
    };
    const profiled = await executeProfileRun(
      {
        service: "databrew",
        jobName: PROFILE_JOB,
        runId: started.databrew_run_id,
        arguments: {},
        startedOn: profileStart,
        state: "RUNNING",
      },
      job,
      dataset,
      { s3: clients.s3, logs: clients.logs },
    );
    if (profiled.state !== "SUCCEEDED") throw new Error(`the local profile job failed: ${profiled.errorMessage ?? ""}`);
    databrew.on(DescribeJobRunCommand).resolves({
      RunId: started.databrew_run_id,
      JobName: PROFILE_JOB,
      DatasetName: dataset.Name,
      State: "SUCCEEDED",
      StartedOn: profileStart,
      CompletedOn: new Date(),
      Outputs: [{ Location: job.OutputLocation }],
    });
    databrew.on(DescribeDatasetCommand).resolves({ Name: dataset.Name, Input: dataset.Input, PathOptions: dataset.PathOptions as never });

    // 6. the lineage handler on the job state changes
    const lineageConfig = lineageHandlerEnvironment.parse({
      ...Object.fromEntries(Object.entries(common).map(([k, v]) => [k, String(v)])),
      GLUE_JOB_NAME: GLUE_JOB,
      CATALOG_DATABASE_NAME: CATALOG_DATABASE,
      CODE_VERSION: "test",
    });
    const deps = lineageDeps(clients, audit, { config: lineageConfig });
    await recordJobState(databrewStateChange(PROFILE_JOB, started.databrew_run_id, "SUCCEEDED"), deps);
    await recordJobState(glueStateChange(GLUE_JOB, started.glue_job_run_id, "SUCCEEDED"), deps);

    // 7. the auditor's local copy of the records
    const lineageDir = join(root, "lineage");
    for (const key of await listKeys(clients.s3, bucketOf("lineage-audit"), LINEAGE_PREFIX)) {
      const file = join(lineageDir, key.slice(LINEAGE_PREFIX.length));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify((await readJson(clients.s3, bucketOf("lineage-audit"), key))?.body));
    }
    const processedDir = join(mirror, bucketOf("processed"), LAYOUT.processedPrefixOf(PROFILE));
    if (!statSync(processedDir).isDirectory()) throw new Error(`the job wrote nothing to ${processedDir}`);
    return {
      root,
      lineageDir,
      processedDir,
      pipelineRunId: started.pipeline_run_id,
      glueJobRunId: started.glue_job_run_id,
      clients,
      endpoint: emulator.endpoint,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
