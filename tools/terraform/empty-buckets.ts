/**
 * Empties the local environment's buckets before `terraform destroy`. Every platform bucket keeps `force_destroy`
 * off (modules/storage/bucket-baseline.ts), so Terraform refuses to delete a bucket that holds anything
 * (`BucketNotEmpty`), on AWS as here; after any apply the buckets hold the deployed objects (the job's code, wheels,
 * configuration and keys), after a pipeline run its data too. Emptying is what a user does on AWS before destroying
 * an environment: every object version and delete marker is deleted, with `x-amz-bypass-governance-retention` for
 * the GOVERNANCE-locked tiers (lineage-audit, audit-trail). The caller's principal must be allowed to (the deployer
 * role: the artifacts bucket's policy refuses deletes by anyone else outside the VPC). Two policies refuse the deployer
 * role too, once a pipeline run has filled the buckets: the raw bucket's leaves deletes outside the VPC to the DataBrew
 * role, and the artifacts bucket's leaves the Glue job's `state/` (and `glue/temp/`) to the job's role. When a bucket's
 * policy refuses deletes, its policy is deleted first, as on AWS before an environment is torn down (`terraform destroy`
 * deletes every bucket policy before its bucket anyway), and the bucket is named in the output; every other bucket
 * keeps its policy.
 *
 * `npx tsx tools/terraform/empty-buckets.ts` (after `set -a; . .sentinel/terraform/cdktf-local.env; set +a`) does it for
 * the emulator of `npm start -- --keep-running`, before `npx cdktf destroy local` (docs/environments.md).
 */
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { pathToFileURL } from "node:url";
import {
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { EMULATOR_CREDENTIALS, emulatorClientConfig } from "../../local/emulator/emulator";
import type { EmulatorAddress } from "./emulator-override";
import { runCommand } from "./session";

/**
 * Deletes every version and delete marker in `buckets`; returns how many were deleted. A bucket whose policy refuses
 * the deletes (AccessDenied) has its policy deleted once and is emptied again; `onPolicyDeleted` hears of it.
 */
export async function emptyBuckets(
  s3: S3Client,
  buckets: readonly string[],
  onPolicyDeleted: (bucket: string) => void = () => undefined,
): Promise<number> {
  let deleted = 0;
  for (const bucket of buckets) {
    let policyDeleted = false;
    for (;;) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
      const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map(({ Key, VersionId }) => ({ Key, VersionId }));
      if (objects.length === 0) break;
      const refused = await s3
        .send(new DeleteObjectsCommand({ Bucket: bucket, BypassGovernanceRetention: true, Delete: { Objects: objects, Quiet: true } }))
        .then(
          (answer) => answer.Errors ?? [],
          // the emulator refuses the whole request when it refuses every key
          (error: unknown) => {
            if ((error as { name?: string }).name !== "AccessDenied") throw error;
            return objects.map(({ Key }) => ({ Key, Code: "AccessDenied", Message: (error as Error).message }));
          },
        );
      deleted += objects.length - refused.length;
      if (refused.length === 0) continue;
      if (!policyDeleted && refused.every(({ Code }) => Code === "AccessDenied")) {
        await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
        policyDeleted = true;
        onPolicyDeleted(bucket);
        continue;
      }
      const [first] = refused;
      throw new Error(`emptying ${bucket}: ${refused.length} object(s) refused, e.g. ${first!.Key}: ${first!.Code} ${first!.Message}`);
    }
  }
  return deleted;
}

/** The buckets of environment `environment` in the emulator (every platform bucket is named sentinel-<env>-...). */
export async function environmentBuckets(s3: S3Client, environment: string): Promise<string[]> {
  const { Buckets } = await s3.send(new ListBucketsCommand({}));
  return (Buckets ?? []).map(({ Name }) => Name ?? "").filter((name) => name.startsWith(`sentinel-${environment}-`));
}

/**
 * Empties `buckets` in the emulator as `roleArn` (assumed with the emulator's dummy keys: before IAM is enforced), or
 * with those keys when there is no deployer role; over TLS, as every other client.
 */
export async function emptyBucketsAsDeployer(
  emulator: EmulatorAddress,
  region: string,
  roleArn: string | undefined,
  buckets: readonly string[],
): Promise<number> {
  const config = emulatorClientConfig(emulator.tlsEndpoint, region);
  let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = {
    accessKeyId: EMULATOR_CREDENTIALS.accessKeyId,
    secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey,
  };
  if (roleArn !== undefined) {
    const sts = new STSClient(config);
    const session = (await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "sentinel-local-destroy" }))).Credentials!;
    sts.destroy();
    credentials = { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken! };
  }
  const s3 = new S3Client({ ...config, credentials, forcePathStyle: true });
  try {
    return await emptyBuckets(s3, buckets);
  } finally {
    s3.destroy();
  }
}

/** The documented command: reads the endpoint, CA bundle, credentials and deployer role from the cdktf env file. */
async function main(): Promise<void> {
  const { AWS_ENDPOINT_URL: endpoint, SSL_CERT_FILE: bundle, SENTINEL_DEPLOYER_ROLE_ARN: roleArn } = process.env;
  if (!endpoint?.startsWith("https:") || !bundle || !roleArn) {
    throw new Error("source the env file npm start -- --keep-running wrote first: set -a; . .sentinel/terraform/cdktf-local.env; set +a");
  }
  const region = process.env.AWS_REGION ?? "eu-central-2";
  const requestHandler = { httpsAgent: new Agent({ ca: readFileSync(bundle, "utf8") }) };
  const sts = new STSClient({ endpoint, region, requestHandler });
  const session = (await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "sentinel-local-empty" }))).Credentials!;
  const s3 = new S3Client({
    endpoint,
    region,
    requestHandler,
    forcePathStyle: true,
    credentials: { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken! },
  });
  const buckets = await environmentBuckets(s3, "local");
  const deleted = await emptyBuckets(s3, buckets, (bucket) =>
    console.log(`[empty-buckets] ${bucket}: its policy refuses the deployer role's deletes, so it was deleted first`),
  );
  console.log(`[empty-buckets] deleted ${deleted} object versions and delete markers from ${buckets.length} buckets`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) runCommand("empty-buckets", main);
