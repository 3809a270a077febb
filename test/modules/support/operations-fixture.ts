/**
 * One test environment with the foundation modules and the operations modules (handlers,
 * orchestration, monitoring, access) wired as the stack wires them, on a literal account and with
 * small fixture bundles instead of the real esbuild output, so module tests are fast and hermetic.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TerraformStack } from "cdktf";
import { ConsumerAccess } from "../../../modules/access/consumer-access";
import { PlatformKey } from "../../../modules/encryption/platform-key";
import type { PlatformKeys } from "../../../modules/encryption/platform-keys";
import { DataLayout } from "../../../contracts/data-layout";
import { HANDLER_NAMES, type HandlerName } from "../../../contracts/handler-names";
import type { HandlerBundles } from "../../../modules/handlers/handler-bundles";
import { HANDLER_ENTRY } from "../../../tools/build/build-handlers";
import { archiveOf } from "../../../tools/build/reproducible-zip";
import { PipelineHandlers, type PipelineJobs } from "../../../modules/handlers/pipeline-handlers";
import { PipelineMonitoring } from "../../../modules/monitoring/pipeline-monitoring";
import type { PrivateNetwork } from "../../../modules/network/private-network";
import { JobStateRouting } from "../../../modules/orchestration/job-state-routing";
import { TriggerSchedules, type TriggerScheduleSettings } from "../../../modules/orchestration/trigger-schedules";
import type { PlatformBuckets } from "../../../modules/storage/platform-buckets";
import { foundation } from "./foundation-fixture";
import { synth, type Synthesized } from "./synth";
import { TEST_DEPLOYER_ARN, TEST_ACCOUNT, testStack, withPlainStackTraces } from "./test-stack";

export const PREFIX = "sentinel-test";
export const PROFILES = ["card-transactions", "baf"] as const;
export const JOBS: PipelineJobs = {
  glueJobName: `${PREFIX}-etl`,
  databrewJobNameTemplate: `${PREFIX}-{profile}-pii-profile`,
  databrewDatasetNames: PROFILES.map((profile) => `${PREFIX}-${profile}-landing`),
  processedDatabaseName: "sentinel_test_processed",
};
export const DATABREW_JOB_NAMES = PROFILES.map((profile) => `${PREFIX}-${profile}-pii-profile`);
export const LINEAGE_DATABASE = "sentinel_test_lineage";
export const THRESHOLDS = { jobDurationMinutes: 45, quarantineRatio: 0.05, anomalyRate: 0.04 };
export const SCHEDULE: TriggerScheduleSettings = {
  expression: "cron(0 2 * * ? *)",
  timezone: "Europe/Zurich",
  flexibleWindowMinutes: 15,
  retryAttempts: 10,
  maximumEventAgeSeconds: 3600,
};
export const ACCOUNT = TEST_ACCOUNT.accountId;
export const REGION = TEST_ACCOUNT.region;
export const bucketName = (tier: string) => `${PREFIX}-${tier}-${ACCOUNT}`;

/** Three tiny bundles in a fresh directory (index.mjs each), archived as `npm run build` archives the real ones. */
export function fixtureBundles(): HandlerBundles {
  const directory = mkdtempSync(join(tmpdir(), "sentinel-bundles-"));
  for (const name of HANDLER_NAMES) {
    mkdirSync(join(directory, name));
    writeFileSync(join(directory, name, "index.mjs"), `export const handler = async () => "${name}";\n`);
  }
  return archiveBundles(directory);
}

/** Zips each `<directory>/<name>/` into `<directory>/<name>.zip` and returns them with their digests. */
export function archiveBundles(directory: string): HandlerBundles {
  const bundle = (name: HandlerName) => {
    const archive = join(directory, `${name}.zip`);
    const content = archiveOf(join(directory, name));
    writeFileSync(archive, content);
    return { name, archive, sha256: createHash("sha256").update(content).digest("hex"), handler: HANDLER_ENTRY };
  };
  return { trigger: bundle("trigger"), lineage: bundle("lineage"), audit: bundle("audit") };
}

export interface OperationsFixture {
  readonly stack: TerraformStack;
  readonly buckets: PlatformBuckets;
  readonly keys: PlatformKeys;
  readonly operationsKey: PlatformKey;
  readonly network: PrivateNetwork;
  readonly handlers: PipelineHandlers;
  readonly schedules: TriggerSchedules;
  readonly routing: JobStateRouting;
  readonly monitoring: PipelineMonitoring;
  readonly access: ConsumerAccess;
}

export function buildOperations(options: { schedule?: TriggerScheduleSettings; bundles?: HandlerBundles } = {}): OperationsFixture {
  return withPlainStackTraces(() => {
    const stack = testStack();
    const account = TEST_ACCOUNT;
    const { keys, logGroups, buckets, network } = foundation(stack, PREFIX, 30);
    const operationsKey = new PlatformKey(stack, "operations-key", {
      alias: `${PREFIX}-operations`,
      label: "OperationsKey",
      description: "test",
      account,
      administratorArns: [TEST_DEPLOYER_ARN],
    });
    const handlers = new PipelineHandlers(stack, "handlers", {
      namePrefix: PREFIX,
      environmentName: "test",
      account,
      bundles: options.bundles ?? fixtureBundles(),
      buckets,
      keys,
      operationsKey,
      logGroups,
      network,
      jobs: JOBS,
      locations: new DataLayout({
        raw: bucketName("raw"),
        processed: bucketName("processed"),
        artifacts: bucketName("artifacts"),
        lineageAudit: bucketName("lineage-audit"),
      }).templates,
      datasetProfiles: PROFILES,
      objectLock: { mode: "GOVERNANCE", days: 30 },
      reservedConcurrency: { trigger: 2, lineage: 7, audit: 4 },
    });
    const schedules = new TriggerSchedules(stack, "schedules", {
      namePrefix: PREFIX,
      account,
      trigger: handlers.trigger,
      datasetProfiles: PROFILES,
      settings: options.schedule ?? SCHEDULE,
      operationsKey,
    });
    const routing = new JobStateRouting(stack, "job-state-routing", {
      namePrefix: PREFIX,
      account,
      jobNames: { glue: [JOBS.glueJobName], databrew: DATABREW_JOB_NAMES },
      lineage: handlers.lineage,
      audit: handlers.audit,
      operationsKey,
    });
    const monitoring = new PipelineMonitoring(stack, "monitoring", {
      namePrefix: PREFIX,
      environmentName: "test",
      account,
      alarmEmail: "alarms@example.com",
      operationsKey,
      glueJobName: JOBS.glueJobName,
      databrewJobNames: DATABREW_JOB_NAMES,
      datasetProfiles: PROFILES,
      handlers: handlers.all,
      deadLetterQueues: [...handlers.all.map((handler) => handler.deadLetterQueue), schedules.deadLetterQueue, routing.deadLetterQueue],
      eventDeadLetterQueue: routing.deadLetterQueue,
      thresholds: THRESHOLDS,
    });
    const access = new ConsumerAccess(stack, "access", {
      namePrefix: PREFIX,
      account,
      buckets,
      auditLogGroup: handlers.auditLogGroup,
      processedDatabaseName: JOBS.processedDatabaseName,
      lineageDatabaseName: LINEAGE_DATABASE,
      dataScientistPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/fraud-data-scientist`],
      auditorPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/fraud-auditor`],
      reidentificationPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/fraud-investigator`],
      tokenizationKey: keys.tokenization,
    });
    return { stack, buckets, keys, operationsKey, network, handlers, schedules, routing, monitoring, access };
  });
}

let shared: { fixture: OperationsFixture; synthesized: Synthesized } | undefined;

/** One synthesized fixture shared by the tests of a file (synth is the slow part). */
export function synthesizedOperations(): { fixture: OperationsFixture; synthesized: Synthesized } {
  if (shared === undefined) {
    const fixture = buildOperations();
    shared = { fixture, synthesized: synth(fixture.stack) };
  }
  return shared;
}

/** The shared fixture's synthesized JSON. */
export function operationsJson(): Synthesized {
  return synthesizedOperations().synthesized;
}
