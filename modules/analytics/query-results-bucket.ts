/**
 * The bucket Athena writes query results to: the platform bucket baseline (versioning, public access
 * blocked, ACLs off, TLS-only policy), SSE-KMS under the data key with a bucket key, server access
 * logging, and the policy every data bucket has that refuses any PUT not SSE-KMS under its key (kms-only-puts.ts). Results are copies of
 * what a query read, so they expire (a consumer re-runs a query rather than keeping its output here).
 * Its own bucket, so that granting a consumer its results never grants decrypting a data tier's objects:
 * readers' kms:Decrypt is conditioned on this bucket's ARN as encryption context.
 */
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import type { AccountScope } from "../iam/arns";
import type { AccessLogBucket } from "../storage/access-log-bucket";
import { BucketBaseline } from "../storage/bucket-baseline";
import { denyPutsNotEncryptedWith } from "../storage/kms-only-puts";

export interface QueryResultsBucketProps {
  readonly bucketName: string;
  readonly account: AccountScope;
  /** Key for SSE-KMS of the results. */
  readonly key: PlatformKey;
  readonly accessLogs: AccessLogBucket;
  /**
   * Days after which results (and their noncurrent versions) are deleted.
   * @default 30
   */
  readonly expireAfterDays?: number;
  /**
   * Days after which an unfinished multipart upload is aborted.
   * @default 1
   */
  readonly abortIncompleteMultipartUploadDays?: number;
}

export class QueryResultsBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly key: PlatformKey;

  constructor(scope: Construct, id: string, props: QueryResultsBucketProps) {
    super(scope, id);
    const days = props.expireAfterDays ?? 30;
    const baseline = new BucketBaseline(this, "baseline", {
      bucketName: props.bucketName,
      account: props.account,
      encryption: { algorithm: "aws:kms", keyArn: props.key.keyArn },
      lifecycleRules: [
        {
          id: "expire-query-results",
          status: "Enabled",
          filter: [{}],
          expiration: [{ days }],
          noncurrentVersionExpiration: [{ noncurrentDays: days }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortIncompleteMultipartUploadDays ?? 1 }],
        },
      ],
    });
    this.bucketName = baseline.bucketName;
    this.bucketArn = baseline.bucketArn;
    this.key = props.key;
    new S3BucketLoggingA(this, "access-logging", {
      bucket: baseline.bucket.id,
      targetBucket: props.accessLogs.bucketId,
      targetPrefix: "athena-results/",
      targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
      // S3 validates the target's delivery grant when logging is configured (AccessLogBucket.policyResource)
      dependsOn: [props.accessLogs.policyResource],
    });
    props.accessLogs.acceptLogsFrom(this.bucketArn);
    denyPutsNotEncryptedWith(baseline.policy, `${this.bucketArn}/*`, props.key.keyArn);
  }
}
