import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { S3Client } from "@aws-sdk/client-s3";

export interface AwsClientOptions {
  /** e.g. the local emulator; undefined: the SDK's own resolution (regional endpoints, or AWS_ENDPOINT_URL[_<SERVICE>]) */
  readonly endpoint?: string;
  readonly region?: string;
  /** S3 path-style addressing, which emulators on a loopback address need; default: when an endpoint is given */
  readonly forcePathStyle?: boolean;
}

/**
 * Configuration for any SDK client: the default credential chain, and an explicit endpoint when given.
 * Handlers build only the clients they use, so each bundle carries only those.
 */
export function clientConfig(options: AwsClientOptions): { region?: string; endpoint?: string } {
  return { region: options.region, endpoint: options.endpoint };
}

/** With an explicit endpoint S3 uses path-style addressing, which emulators on a loopback address need. */
export function s3Client(options: AwsClientOptions): S3Client {
  return new S3Client({ ...clientConfig(options), forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined });
}

export function logsClient(options: AwsClientOptions): CloudWatchLogsClient {
  return new CloudWatchLogsClient(clientConfig(options));
}
