import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DataBrewClient } from "@aws-sdk/client-databrew";
import { GlueClient } from "@aws-sdk/client-glue";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";

export interface AwsClients {
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly databrew: DataBrewClient;
  readonly logs: CloudWatchLogsClient;
  readonly sts: STSClient;
}

export interface AwsClientOptions {
  /** e.g. the local emulator; undefined: the SDK's own resolution (region endpoints, AWS_ENDPOINT_URL) */
  readonly endpoint?: string;
  readonly region?: string;
}

/**
 * SDK clients with the default credential chain. With an explicit endpoint S3 uses path-style
 * addressing, which emulators on a loopback address need.
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const base = { region: options.region, endpoint: options.endpoint };
  return {
    s3: new S3Client({ ...base, forcePathStyle: options.endpoint !== undefined }),
    glue: new GlueClient(base),
    databrew: new DataBrewClient(base),
    logs: new CloudWatchLogsClient(base),
    sts: new STSClient(base),
  };
}
