/**
 * The slice of the platform the handlers touch, created in the local emulator (moto): the lineage/audit
 * bucket with Object Lock, the raw and artifacts buckets, a KMS key and the KMS-encrypted audit log group,
 * the Glue ETL job and the Glue Catalog database and processed table. `emulatedPlatformPerTest` is the
 * set-up the integration tests share: one emulator per describe block, a fresh slice before each test.
 */
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { auditEventPattern } from "../../../contracts/audit-events";
import { CreateDatabaseCommand, CreateJobCommand, CreateTableCommand } from "@aws-sdk/client-glue";
import { KMSClient, CreateKeyCommand } from "@aws-sdk/client-kms";
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { beforeEach } from "vitest";
import { EMULATOR_CREDENTIALS, type Emulator } from "../../../local/emulator/emulator";
import { emulatorPerTest } from "../../local/support/emulator-per-test";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DataBrewClient } from "@aws-sdk/client-databrew";
import { GlueClient } from "@aws-sdk/client-glue";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import type { AuditWriter } from "../../../handlers/audit/audit-writer";
import type { HeadSigner } from "../../../handlers/audit/signed-head";
import { createAuditWriter } from "../../../handlers/audit/create-audit-writer";
import { callerPrincipal } from "../../../handlers/shared/actor";
import { clientConfig, logsClient, s3Client } from "../../../handlers/shared/aws-clients";
import { systemClock } from "../../../handlers/shared/clock";
import type { CommonConfig } from "../../../handlers/shared/config";

export const REGION = EMULATOR_CREDENTIALS.region;
export const LINEAGE_AUDIT_BUCKET = "sentinel-local-lineage-audit";
export const RAW_BUCKET = "sentinel-local-raw";
export const ARTIFACTS_BUCKET = "sentinel-local-artifacts";
export const PROCESSED_BUCKET = "sentinel-local-processed";
export const AUDIT_LOG_GROUP = "/sentinel/local/audit";
export const GLUE_JOB = "sentinel-local-etl";
export const CATALOG_DATABASE = "sentinel_local";
export const GLUE_SCRIPT = `s3://${ARTIFACTS_BUCKET}/glue-jobs/etl_job.py`;

export const commonConfig: CommonConfig = {
  SENTINEL_ENVIRONMENT: "local",
  LINEAGE_AUDIT_BUCKET,
  AUDIT_LOG_GROUP_NAME: AUDIT_LOG_GROUP,
  OBJECT_LOCK_MODE: "COMPLIANCE",
  OBJECT_LOCK_RETENTION_DAYS: 30,
};

export interface AwsClients {
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly databrew: DataBrewClient;
  readonly logs: CloudWatchLogsClient;
  readonly sts: STSClient;
}

/** Clients on the emulator, built as the handlers build theirs, with its dummy credentials (never real secrets). */
export function emulatorClients(emulator: Emulator): AwsClients {
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  const aws = { endpoint: emulator.endpoint, region: REGION };
  return {
    s3: s3Client(aws),
    glue: new GlueClient(clientConfig(aws)),
    databrew: new DataBrewClient(clientConfig(aws)),
    logs: logsClient(aws),
    sts: new STSClient(clientConfig(aws)),
  };
}

/** A versioned bucket in the emulator's region (Object Lock only where the platform's bucket has it). */
export async function createBucket(clients: AwsClients, bucket: string, objectLock: boolean): Promise<void> {
  await clients.s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ObjectLockEnabledForBucket: objectLock,
      CreateBucketConfiguration: { LocationConstraint: REGION },
    }),
  );
  await clients.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
}

/**
 * EventBridge as deployed for audit events: the rule with the deployed audit-event pattern, delivering
 * to the log group `deliveries` instead of the audit function (the emulator cannot invoke a Lambda
 * target), so a test reads what the rule routed.
 */
export async function routeAuditEventsTo(deliveries: string, clients: AwsClients, events: EventBridgeClient): Promise<void> {
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: deliveries }));
  await events.send(new PutRuleCommand({ Name: "sentinel-local-audit-events", EventPattern: auditEventPattern(), State: "ENABLED" }));
  await events.send(
    new PutTargetsCommand({
      Rule: "sentinel-local-audit-events",
      Targets: [{ Id: "audit", Arn: `arn:aws:logs:${REGION}:123456789012:log-group:${deliveries}` }],
    }),
  );
}

export interface PlatformOptions {
  /** create the audit log group without a KMS key (to prove the writer refuses it) */
  readonly unencryptedAuditLogGroup?: boolean;
  /** profiles whose processed table is registered in the Glue Catalog */
  readonly processedTables?: readonly string[];
}

export async function createPlatform(emulator: Emulator, options: PlatformOptions = {}): Promise<AwsClients> {
  const clients = emulatorClients(emulator);
  await createBucket(clients, LINEAGE_AUDIT_BUCKET, true);
  await createBucket(clients, RAW_BUCKET, false);
  await createBucket(clients, ARTIFACTS_BUCKET, false);
  await createBucket(clients, PROCESSED_BUCKET, false);
  await clients.s3.send(new PutObjectCommand({ Bucket: ARTIFACTS_BUCKET, Key: "glue-jobs/etl_job.py", Body: "# the ETL entry point\n" }));
  const kms = new KMSClient({ endpoint: emulator.endpoint, region: REGION });
  const key = await kms.send(new CreateKeyCommand({ Description: "sentinel local audit logs" }));
  await clients.logs.send(
    new CreateLogGroupCommand({
      logGroupName: AUDIT_LOG_GROUP,
      kmsKeyId: options.unencryptedAuditLogGroup === true ? undefined : key.KeyMetadata?.Arn,
    }),
  );
  await clients.glue.send(
    new CreateJobCommand({
      Name: GLUE_JOB,
      Role: "arn:aws:iam::123456789012:role/sentinel-local-glue",
      Command: { Name: "glueetl", ScriptLocation: GLUE_SCRIPT, PythonVersion: "3" },
      GlueVersion: "5.0",
      ExecutionProperty: { MaxConcurrentRuns: 10 },
    }),
  );
  await clients.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: CATALOG_DATABASE } }));
  for (const profile of options.processedTables ?? []) {
    await clients.glue.send(
      new CreateTableCommand({
        DatabaseName: CATALOG_DATABASE,
        TableInput: {
          Name: profile.replaceAll("-", "_"),
          TableType: "EXTERNAL_TABLE",
          Parameters: { classification: "parquet" },
          StorageDescriptor: { Location: `s3://${PROCESSED_BUCKET}/${profile}/`, Columns: [{ Name: "amount", Type: "double" }] },
          PartitionKeys: [{ Name: "run_date", Type: "string" }],
        },
      }),
    );
  }
  return clients;
}

/** An audit writer on `clients`, as a handler's execution environment builds one: the caller is the actor. */
export function emulatorAuditWriter(clients: AwsClients, signer?: HeadSigner): AuditWriter {
  return createAuditWriter(commonConfig, {
    s3: clients.s3,
    logs: clients.logs,
    actor: callerPrincipal(clients.sts),
    clock: systemClock,
    signer,
  });
}

/** The emulator and the platform slice of the test running now (see emulatedPlatformPerTest). */
export interface EmulatedPlatform {
  readonly emulator: Emulator;
  readonly clients: AwsClients;
  /** Empties the emulator and creates the platform again with other options, within one test. */
  recreate(options: PlatformOptions): Promise<void>;
}

/**
 * One emulator for the enclosing describe block, emptied before each test and given a fresh platform
 * slice, so no test sees another's objects. Call it inside `describe`; read its fields inside tests and hooks.
 */
export function emulatedPlatformPerTest(options: PlatformOptions = {}): EmulatedPlatform {
  const emulator = emulatorPerTest();
  let clients: AwsClients | undefined;
  beforeEach(async () => {
    clients = await createPlatform(emulator(), options);
  });
  return {
    get emulator() {
      return emulator();
    },
    get clients() {
      if (clients === undefined) throw new Error("the platform is not created: read it inside a test or a beforeEach hook");
      return clients;
    },
    async recreate(platformOptions: PlatformOptions) {
      await emulator().reset();
      clients = await createPlatform(emulator(), platformOptions);
    },
  };
}
