/**
 * The clients of the two handlers that look at and start the pipeline's jobs (trigger and lineage): S3,
 * Glue, DataBrew, and EventBridge for the audit events they send to the audit handler.
 */
import { DataBrewClient } from "@aws-sdk/client-databrew";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GlueClient } from "@aws-sdk/client-glue";
import type { S3Client } from "@aws-sdk/client-s3";
import { clientConfig, s3Client, type AwsClientOptions } from "./aws-clients";

export interface JobClients {
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly databrew: DataBrewClient;
  readonly eventBridge: EventBridgeClient;
}

export function jobClients(options: AwsClientOptions): JobClients {
  return {
    s3: s3Client(options),
    glue: new GlueClient(clientConfig(options)),
    databrew: new DataBrewClient(clientConfig(options)),
    eventBridge: new EventBridgeClient(clientConfig(options)),
  };
}
