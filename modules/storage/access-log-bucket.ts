/**
 * The target of S3 server access logging for every platform bucket.
 *
 * Encryption is SSE-S3 (AES256), not SSE-KMS: AWS documents that default encryption on a
 * server-access-log destination bucket is supported only with SSE-S3 (Amazon S3 User Guide,
 * "Enabling Amazon S3 server access logging"). It also must not have an Object Lock default
 * retention, and it does not log itself (that would be an endless loop of logs about logs).
 * This is the one bucket the policy guard lets skip SSE-KMS, by an explicit exemption.
 */
import type { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { Construct } from "constructs";
import type { AccountScope } from "../iam/arns";
import { PolicyGuard } from "../policy-guard/policy-guard";
import { BucketBaseline } from "./bucket-baseline";
import { accessLogLifecycleRules, type LifecyclePolicy } from "./lifecycle";

export interface AccessLogBucketProps {
  readonly bucketName: string;
  readonly account: AccountScope;
  readonly lifecycle: LifecyclePolicy;
}

export class AccessLogBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly bucketId: string;
  /**
   * The policy that grants log delivery. S3 checks it when a bucket's logging is configured (PutBucketLogging refuses
   * a target that grants delivery neither by policy nor by ACL: InvalidTargetBucketForLogging), so every logging
   * configuration must depend on it: Terraform would otherwise create both at once.
   */
  readonly policyResource: S3BucketPolicy;
  /** Filled by acceptLogsFrom() while the stack is built; the policy renders it at synth. */
  private readonly sourceBucketArns: string[] = [];

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    const baseline = new BucketBaseline(this, "baseline", {
      bucketName: props.bucketName,
      account: props.account,
      encryption: { algorithm: "AES256" },
      lifecycleRules: accessLogLifecycleRules(props.lifecycle),
    });
    PolicyGuard.exempt(
      baseline.bucket,
      "bucket-sse-kms",
      "S3 server access log delivery supports only SSE-S3 on the destination bucket (S3 User Guide, enable-server-access-logging)",
    );
    PolicyGuard.exempt(baseline.bucket, "bucket-access-logging", "the access-log target must not log to itself");
    this.bucketName = baseline.bucketName;
    this.bucketArn = baseline.bucketArn;
    this.bucketId = baseline.bucket.id;
    this.policyResource = baseline.policyResource;

    baseline.policy
      .addStatement({
        sid: "AllowServerAccessLogDelivery",
        principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
        actions: ["s3:PutObject"],
        resources: [`${this.bucketArn}/*`],
        conditions: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [props.account.accountId] },
          { test: "ArnLike", variable: "aws:SourceArn", values: this.sourceBucketArns },
        ],
      })
      .addStatement({
        sid: "DenyEncryptionOtherThanSseS3",
        effect: "Deny",
        principals: "*",
        actions: ["s3:PutObject"],
        resources: [`${this.bucketArn}/*`],
        conditions: [
          { test: "StringNotEquals", variable: "s3:x-amz-server-side-encryption", values: ["AES256"] },
          { test: "Null", variable: "s3:x-amz-server-side-encryption", values: ["false"] },
        ],
      });
  }

  /** Lets S3 deliver the access logs of `bucketArn` here (called by each logged bucket). */
  acceptLogsFrom(bucketArn: string): void {
    this.sourceBucketArns.push(bucketArn);
  }
}
