/**
 * The reads a run makes as the platform's consumers, each with its consumer role's credentials (with IAM enforced,
 * from sts:AssumeRole of the role Terraform created): the auditor's `sentinel audit verify` and lineage reads, and
 * the data scientist's read of the run's processed Parquet that the report's anomaly histogram is drawn from.
 */
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { main as sentinelCli, type CliIo } from "../../handlers/cli/main";
import { listKeys } from "../../handlers/shared/object-store";
import { parseS3Uri } from "../../handlers/shared/s3-uri";
import { emulatorClientConfig } from "../emulator/emulator";
import type { AwsCredentials } from "../emulator/iam-enforcement";
import type { LocalPlatform } from "./local-platform";

const CREDENTIAL_VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;

/**
 * `sentinel` run in this process as `credentials`: the CLI takes the SDK's default chain, as an auditor's shell would,
 * so its environment variables hold the principal for the duration of the command and are restored afterwards (the
 * local run is sequential and every other client of this process has explicit credentials).
 */
export async function sentinelAs(credentials: AwsCredentials, argv: readonly string[], io: CliIo): Promise<number> {
  const saved = CREDENTIAL_VARIABLES.map((name) => [name, process.env[name]] as const);
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  if (credentials.sessionToken === undefined) delete process.env.AWS_SESSION_TOKEN;
  else process.env.AWS_SESSION_TOKEN = credentials.sessionToken;
  try {
    return await sentinelCli(argv, io);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** An S3 client of a consumer role, through the platform's endpoint. */
export async function consumerS3(platform: LocalPlatform, role: "auditor" | "data-scientist"): Promise<S3Client> {
  const config = emulatorClientConfig(platform.front.endpoint, platform.scope.region);
  return new S3Client({ ...config, credentials: await platform.consumerCredentials(role), forcePathStyle: true });
}

/**
 * The Parquet files the Glue run `runId` wrote under `outputLocation`, downloaded as the data scientist into `directory`.
 * Returns the local paths.
 */
export async function processedFilesAsDataScientist(
  platform: LocalPlatform,
  outputLocation: string,
  runId: string,
  directory: string,
): Promise<string[]> {
  const s3 = await consumerS3(platform, "data-scientist");
  const { bucket, key: prefix } = parseS3Uri(outputLocation);
  const keys = (await listKeys(s3, bucket, prefix)).filter((key) => basename(key).startsWith(`${runId}-`) && key.endsWith(".parquet"));
  mkdirSync(directory, { recursive: true });
  const files: string[] = [];
  for (const [index, key] of keys.entries()) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const target = join(directory, `${index}-${basename(key)}`);
    writeFileSync(target, await object.Body!.transformToByteArray());
    files.push(target);
  }
  return files;
}
