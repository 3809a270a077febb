/**
 * Attributes the emulator returns as AWS does although moto drops them or answers a default AWS does not
 * (local/emulator_read_back.py): without them a plan right after an apply shows changes that are only the emulator
 * forgetting what it was told.
 */
import { resolve } from "node:path";
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateConnectionCommand,
  CreateJobCommand,
  GetConnectionCommand,
  GetConnectionsCommand,
  GetJobCommand,
  GetJobsCommand,
  GlueClient,
} from "@aws-sdk/client-glue";
import { CreateKeyCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketLoggingCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketTaggingCommand,
  HeadObjectCommand,
  PutBucketLoggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";

let emulator: Emulator;
let logs: CloudWatchLogsClient;
let glue: GlueClient;
let kms: KMSClient;
let lambda: LambdaClient;
let cloudformation: CloudFormationClient;
let s3: S3Client;

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: resolve(import.meta.dirname, "..", "..") });
  const config = { ...emulatorClientConfig(emulator.tlsEndpoint), maxAttempts: 1 };
  logs = new CloudWatchLogsClient(config);
  glue = new GlueClient(config);
  kms = new KMSClient(config);
  lambda = new LambdaClient(config);
  cloudformation = new CloudFormationClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
});
afterAll(async () => {
  for (const client of [logs, glue, kms, lambda, cloudformation, s3]) client?.destroy();
  await emulator?.stop();
});

/** A role Lambda may assume: the emulator's IAM is reached through a CloudFormation stack (no IAM client here). */
async function lambdaRole(): Promise<string> {
  const role = {
    Type: "AWS::IAM::Role",
    Properties: {
      RoleName: "read-back-function",
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      },
    },
  };
  const TemplateBody = JSON.stringify({ Resources: { Role: role }, Outputs: { Arn: { Value: { "Fn::GetAtt": ["Role", "Arn"] } } } });
  await cloudformation.send(new CreateStackCommand({ StackName: "read-back-role", TemplateBody }));
  const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: "read-back-role" }));
  return Stacks![0]!.Outputs![0]!.OutputValue!;
}

async function createBucket(name: string, tags?: { Key: string; Value: string }[]) {
  const CreateBucketConfiguration = { LocationConstraint: EMULATOR_CREDENTIALS.region, ...(tags ? { Tags: tags } : {}) } as const;
  await s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration }));
}

describe("what the emulator reads back", () => {
  it("the log group class: STANDARD unless the group was created with another", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/read-back/default" }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/read-back/infrequent", logGroupClass: "INFREQUENT_ACCESS" }));
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/read-back/" }));
    expect(logGroups?.map(({ logGroupName, logGroupClass }) => [logGroupName, logGroupClass])).toEqual([
      ["/read-back/default", "STANDARD"],
      ["/read-back/infrequent", "INFREQUENT_ACCESS"],
    ]);
  });

  it("the Glue connection type, from GetConnection and GetConnections", async () => {
    await glue.send(
      new CreateConnectionCommand({ ConnectionInput: { Name: "read-back", ConnectionType: "NETWORK", ConnectionProperties: {} } }),
    );
    expect((await glue.send(new GetConnectionCommand({ Name: "read-back" }))).Connection?.ConnectionType).toBe("NETWORK");
    const { ConnectionList } = await glue.send(new GetConnectionsCommand({}));
    expect(ConnectionList?.find(({ Name }) => Name === "read-back")?.ConnectionType).toBe("NETWORK");
  });

  it("the Glue job's execution class only when the job was created with one, from GetJob and GetJobs", async () => {
    const job = { Role: "arn:aws:iam::123456789012:role/read-back", Command: { Name: "glueetl", ScriptLocation: "s3://read-back/etl.py" } };
    await glue.send(new CreateJobCommand({ ...job, Name: "read-back-flex", ExecutionClass: "FLEX" }));
    await glue.send(new CreateJobCommand({ ...job, Name: "read-back-unclassed" }));
    expect((await glue.send(new GetJobCommand({ JobName: "read-back-flex" }))).Job?.ExecutionClass).toBe("FLEX");
    expect((await glue.send(new GetJobCommand({ JobName: "read-back-unclassed" }))).Job?.ExecutionClass).toBeUndefined();
    const { Jobs } = await glue.send(new GetJobsCommand({}));
    expect(Jobs?.map(({ Name, ExecutionClass }) => [Name, ExecutionClass]).sort()).toEqual([
      ["read-back-flex", "FLEX"],
      ["read-back-unclassed", undefined],
    ]);
  });

  it("the key rotation period: 365 days unless EnableKeyRotation names another, absent while rotation is off", async () => {
    const keyId = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const [byDefault, quarterly, off] = [await keyId(), await keyId(), await keyId()];
    await kms.send(new EnableKeyRotationCommand({ KeyId: byDefault }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: quarterly, RotationPeriodInDays: 90 }));
    const status = (KeyId: string) => kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    expect(await status(byDefault)).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    expect(await status(quarterly)).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    const offStatus = await status(off);
    expect(offStatus.KeyRotationEnabled).toBe(false);
    expect(offStatus.RotationPeriodInDays).toBeUndefined();
  });

  it("the function's dead-letter queue and logging configuration, from create and from update", async () => {
    const Role = await lambdaRole();
    const Code = { ZipFile: zipSync({ "index.mjs": new TextEncoder().encode("export const handler = async () => ({});\n") }) };
    const base = { Role, Code, Runtime: "nodejs22.x" as const, Handler: "index.handler" };
    const queue = `arn:aws:sqs:${EMULATOR_CREDENTIALS.region}:123456789012:read-back-dlq`;
    await lambda.send(
      new CreateFunctionCommand({
        ...base,
        FunctionName: "read-back-configured",
        DeadLetterConfig: { TargetArn: queue },
        LoggingConfig: { LogFormat: "JSON", LogGroup: "/read-back/function", SystemLogLevel: "WARN" },
      }),
    );
    await lambda.send(new CreateFunctionCommand({ ...base, FunctionName: "read-back-plain" }));
    const configuration = async (FunctionName: string) => (await lambda.send(new GetFunctionCommand({ FunctionName }))).Configuration!;

    const configured = await configuration("read-back-configured");
    expect(configured.DeadLetterConfig).toEqual({ TargetArn: queue });
    // JSON logs: the level left out is INFO
    expect(configured.LoggingConfig).toEqual({
      LogFormat: "JSON",
      LogGroup: "/read-back/function",
      ApplicationLogLevel: "INFO",
      SystemLogLevel: "WARN",
    });
    // neither given: no queue, plain-text logs to the function's own group
    const plain = await configuration("read-back-plain");
    expect(plain.DeadLetterConfig).toBeUndefined();
    expect(plain.LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: "/aws/lambda/read-back-plain" });

    // an empty target removes the queue; plain-text logs have no levels; the log group is kept
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "read-back-configured",
        DeadLetterConfig: { TargetArn: "" },
        LoggingConfig: { LogFormat: "Text" },
      }),
    );
    const updated = await configuration("read-back-configured");
    expect(updated.DeadLetterConfig).toBeUndefined();
    expect(updated.LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: "/read-back/function" });
  });

  it("the tags a bucket was created with, as GetBucketTagging answers them", async () => {
    await createBucket("read-back-tagged", [
      { Key: "project", Value: "sentinel" },
      { Key: "environment", Value: "local" },
    ]);
    const { TagSet } = await s3.send(new GetBucketTaggingCommand({ Bucket: "read-back-tagged" }));
    expect(TagSet?.map(({ Key, Value }) => [Key, Value]).sort()).toEqual([
      ["environment", "local"],
      ["project", "sentinel"],
    ]);
    // one tag alone (a single XML element, not a list)
    await createBucket("read-back-one-tag", [{ Key: "project", Value: "sentinel" }]);
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: "read-back-one-tag" }))).TagSet).toEqual([
      { Key: "project", Value: "sentinel" },
    ]);
  });

  it("the access-log object key format, partitioned or simple, absent when none was given", async () => {
    await createBucket("read-back-access-logs");
    const delivery = {
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: "arn:aws:s3:::read-back-access-logs/*",
    };
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: "read-back-access-logs",
        Policy: JSON.stringify({ Version: "2012-10-17", Statement: [delivery] }),
      }),
    );
    const formats = {
      "read-back-partitioned": { PartitionedPrefix: { PartitionDateSource: "EventTime" as const } },
      "read-back-simple": { SimplePrefix: {} },
      "read-back-unformatted": undefined,
    };
    for (const [Bucket, TargetObjectKeyFormat] of Object.entries(formats)) {
      await createBucket(Bucket);
      const LoggingEnabled = { TargetBucket: "read-back-access-logs", TargetPrefix: `${Bucket}/`, TargetObjectKeyFormat };
      await s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled } }));
    }
    const keyFormat = async (Bucket: string) =>
      (await s3.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled?.TargetObjectKeyFormat;
    expect(await keyFormat("read-back-partitioned")).toEqual({ PartitionedPrefix: { PartitionDateSource: "EventTime" } });
    expect(await keyFormat("read-back-simple")).toEqual({ SimplePrefix: {} });
    expect(await keyFormat("read-back-unformatted")).toBeUndefined();
  });

  it("the bucket's EventBridge notifications, absent when not turned on", async () => {
    await createBucket("read-back-events");
    await createBucket("read-back-quiet");
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: "read-back-events",
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    );
    const notifications = (Bucket: string) => s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }));
    expect((await notifications("read-back-events")).EventBridgeConfiguration).toEqual({});
    expect((await notifications("read-back-quiet")).EventBridgeConfiguration).toBeUndefined();
  });

  it("the bucket key setting an object was uploaded in parts with, over the bucket's default", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await createBucket("read-back-parts");
    await createBucket("read-back-parts-keyed");
    const keyedByDefault = {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" as const, KMSMasterKeyID: key },
      BucketKeyEnabled: true,
    };
    await s3.send(
      new PutBucketEncryptionCommand({ Bucket: "read-back-parts-keyed", ServerSideEncryptionConfiguration: { Rules: [keyedByDefault] } }),
    );
    const uploadInParts = async (Bucket: string, Key: string, BucketKeyEnabled: boolean) => {
      const started = { Bucket, Key, ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: key, BucketKeyEnabled };
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand(started));
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: "one part" }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }));
      return (await s3.send(new HeadObjectCommand({ Bucket, Key }))).BucketKeyEnabled;
    };
    // a bucket without default encryption, and one whose default says the opposite
    expect(await uploadInParts("read-back-parts", "keyed", true)).toBe(true);
    expect(await uploadInParts("read-back-parts-keyed", "unkeyed", false)).toBe(false);
  });
});
