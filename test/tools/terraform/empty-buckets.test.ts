/**
 * tools/terraform/empty-buckets.ts against the emulator, which evaluates bucket policies with their conditions
 * (local/emulator_bucket_policy.py): after a pipeline run the artifacts bucket holds the Glue job's `state/`, whose
 * deletes its policy refuses to everyone but the job's role, the deployer role included. The bucket's policy is deleted
 * first and the bucket emptied; a bucket whose policy refuses nothing keeps it.
 */
import { resolve } from "node:path";
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../../local/emulator/emulator";
import { emptyBuckets } from "../../../tools/terraform/empty-buckets";
import { denyInsecureTransportStatement } from "../../modules/support/bucket-policy-statements";

const REGION = EMULATOR_CREDENTIALS.region;
const JOB_STATE = "sentinel-local-artifacts-empty-test";
const PLAIN = "sentinel-local-processed-empty-test";

let emulator: Emulator;
let s3: S3Client;

/** The artifacts bucket's DenyJobStateWritesByOthers, as synthesized (modules/storage). */
function jobStateOnly(bucket: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyJobStateWritesByOthers",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        Resource: [`arn:aws:s3:::${bucket}/state/*`],
        Condition: { ArnNotEquals: { "aws:PrincipalArn": ["arn:aws:iam::123456789012:role/sentinel-local-etl-job"] } },
      },
    ],
  };
}

/** A policy that refuses no delete (a TLS-only deny; every request here is over TLS). */
function tlsOnly(bucket: string) {
  return { Version: "2012-10-17", Statement: [denyInsecureTransportStatement(bucket)] };
}

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: resolve(import.meta.dirname, "..", "..", "..") });
  s3 = new S3Client({ ...emulatorClientConfig(emulator.tlsEndpoint, REGION), forcePathStyle: true, maxAttempts: 1 });
  for (const bucket of [JOB_STATE, PLAIN]) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  }
  // written before the policy, as the job role writes it during a run
  await s3.send(new PutObjectCommand({ Bucket: JOB_STATE, Key: "state/card-transactions/bin-edges/current.json", Body: "{}" }));
  await s3.send(new PutObjectCommand({ Bucket: JOB_STATE, Key: "glue/scripts/job.py", Body: "print()" }));
  await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: "processed/part-0.parquet", Body: "rows" }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: JOB_STATE, Policy: JSON.stringify(jobStateOnly(JOB_STATE)) }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: PLAIN, Policy: JSON.stringify(tlsOnly(PLAIN)) }));
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await emulator?.stop();
});

describe("emptyBuckets", () => {
  it("deletes the policy of a bucket whose policy refuses the deletes, names it, and empties every bucket", async () => {
    const policiesDeleted: string[] = [];
    const deleted = await emptyBuckets(s3, [JOB_STATE, PLAIN], (bucket) => policiesDeleted.push(bucket));
    expect(deleted).toBe(3);
    expect(policiesDeleted).toEqual([JOB_STATE]);
    for (const bucket of [JOB_STATE, PLAIN]) {
      const left = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])], bucket).toEqual([]);
    }
    const kept = await s3.send(new GetBucketPolicyCommand({ Bucket: PLAIN }));
    expect(JSON.parse(kept.Policy ?? "{}")).toEqual(tlsOnly(PLAIN));
  });
});
