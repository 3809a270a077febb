/**
 * What the `sentinel` CLI (main.ts) hands each command file: output, environment and SDK clients. Its
 * own module so the command files and main.ts do not import each other.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { S3Client } from "@aws-sdk/client-s3";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What every command gets: output, environment defaults, and SDK clients built on first use. */
export interface CliContext {
  readonly io: CliIo;
  clients(): CliClients;
  /** set by a command whose check failed */
  exitCode: number;
}

export interface CliClients {
  readonly s3: S3Client;
  readonly logs: CloudWatchLogsClient;
  /** GetPublicKey of the audit signing key (`audit verify --signing-key`) */
  readonly kms: KMSClient;
}
