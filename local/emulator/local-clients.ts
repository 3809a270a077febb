/**
 * AWS SDK clients for the local environment: one endpoint and region, and the emulator's dummy credentials or, with IAM
 * enforced, a principal's own (role-sessions.ts).
 */
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GlueClient } from "@aws-sdk/client-glue";
import { KMSClient } from "@aws-sdk/client-kms";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { STSClient } from "@aws-sdk/client-sts";
import { EMULATOR_CREDENTIALS, emulatorClientConfig } from "./emulator";
import type { AwsCredentials } from "./iam-enforcement";

export interface LocalClients {
  readonly s3: S3Client;
  readonly logs: CloudWatchLogsClient;
  readonly kms: KMSClient;
  readonly glue: GlueClient;
  readonly lambda: LambdaClient;
  readonly scheduler: SchedulerClient;
  readonly events: EventBridgeClient;
  readonly cloudformation: CloudFormationClient;
  readonly sts: STSClient;
}

export function localClients(endpoint: string, region: string = EMULATOR_CREDENTIALS.region, credentials?: AwsCredentials): LocalClients {
  const config = { ...emulatorClientConfig(endpoint, region), ...(credentials === undefined ? {} : { credentials }) };
  return {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    logs: new CloudWatchLogsClient(config),
    kms: new KMSClient(config),
    glue: new GlueClient(config),
    lambda: new LambdaClient(config),
    scheduler: new SchedulerClient(config),
    events: new EventBridgeClient(config),
    cloudformation: new CloudFormationClient(config),
    sts: new STSClient(config),
  };
}
