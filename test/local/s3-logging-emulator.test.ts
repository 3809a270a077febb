/**
 * PutBucketLogging in the emulator reads the target bucket's policy as IAM does (local/emulator_s3_logging.py): the
 * one-element lists the Terraform provider writes grant log delivery, and the policy's conditions on the logged bucket
 * and account are evaluated, so a policy for other buckets still refuses. No log object is delivered.
 */
import { resolve } from "node:path";
import {
  CreateBucketCommand,
  GetBucketLoggingCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";

const ROOT = resolve(import.meta.dirname, "..", "..");
const ACCOUNT = "123456789012";
let emulator: Emulator;
let s3: S3Client;

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: ROOT });
  s3 = new S3Client({ ...emulatorClientConfig(emulator.endpoint), forcePathStyle: true, maxAttempts: 1 });
  for (const bucket of ["access-logs", "raw", "processed", "unlogged"]) {
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: EMULATOR_CREDENTIALS.region } }),
    );
  }
});
afterAll(async () => {
  s3?.destroy();
  await emulator?.stop();
});

/** The log-delivery statement as aws_iam_policy_document writes it: every value a list. */
function deliveryPolicy(sourceBuckets: readonly string[], resource = "arn:aws:s3:::access-logs/*") {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowServerAccessLogDelivery",
        Effect: "Allow",
        Principal: { Service: ["logging.s3.amazonaws.com"] },
        Action: ["s3:PutObject"],
        Resource: [resource],
        Condition: {
          ArnLike: { "aws:SourceArn": sourceBuckets.map((bucket) => `arn:aws:s3:::${bucket}`) },
          StringEquals: { "aws:SourceAccount": [ACCOUNT] },
        },
      },
    ],
  });
}

const logTo = (bucket: string, prefix: string) =>
  s3.send(
    new PutBucketLoggingCommand({
      Bucket: bucket,
      BucketLoggingStatus: { LoggingEnabled: { TargetBucket: "access-logs", TargetPrefix: prefix } },
    }),
  );

describe("PutBucketLogging against a policy-granted target", () => {
  it("refuses while the target has no policy granting delivery", async () => {
    await expect(logTo("raw", "raw/")).rejects.toMatchObject({ name: "InvalidTargetBucketForLogging" });
  });

  it("accepts the provider's list-form statement for a bucket its conditions name", async () => {
    await s3.send(new PutBucketPolicyCommand({ Bucket: "access-logs", Policy: deliveryPolicy(["raw", "processed"]) }));
    await expect(logTo("raw", "raw/")).resolves.toBeDefined();
    await expect(logTo("processed", "processed/")).resolves.toBeDefined();
  });

  it("refuses a bucket the aws:SourceArn condition does not name", async () => {
    await expect(logTo("unlogged", "unlogged/")).rejects.toMatchObject({ name: "InvalidTargetBucketForLogging" });
  });

  it("refuses when the granted resource does not cover the target prefix", async () => {
    await s3.send(
      new PutBucketPolicyCommand({ Bucket: "access-logs", Policy: deliveryPolicy(["raw"], "arn:aws:s3:::access-logs/other/*") }),
    );
    await expect(logTo("raw", "raw/")).rejects.toMatchObject({ name: "InvalidTargetBucketForLogging" });
  });
});

describe("access log delivery", () => {
  it("is not emulated: the configuration holds, and the target stays empty (a destroy can delete it)", async () => {
    await s3.send(new PutBucketPolicyCommand({ Bucket: "access-logs", Policy: deliveryPolicy(["raw"]) }));
    await logTo("raw", "raw/");
    expect((await s3.send(new GetBucketLoggingCommand({ Bucket: "raw" }))).LoggingEnabled?.TargetPrefix).toBe("raw/");
    await s3.send(new PutObjectCommand({ Bucket: "raw", Key: "landing/one.csv", Body: "a,b\n" }));
    await s3.send(new GetObjectCommand({ Bucket: "raw", Key: "landing/one.csv" }));
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket: "access-logs" }))).Versions ?? []).toEqual([]);
  });
});
