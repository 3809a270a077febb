/**
 * What every platform bucket has, whatever its tier: versioning, all four public-access blocks,
 * BucketOwnerEnforced (ACLs off), default encryption, lifecycle rules, EventBridge notifications
 * and a bucket policy that starts by denying any request not made over TLS 1.2 or later.
 * DataBucket and AccessLogBucket build on it; nothing else should create an aws_s3_bucket.
 */
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { bucketArn, type AccountScope } from "../iam/arns";
import { PolicyDocument, type PolicyCondition } from "../iam/policy-document";
import { INSECURE_TRANSPORT } from "../iam/secure-transport";

export type DefaultEncryption =
  | { readonly algorithm: "aws:kms"; readonly keyArn: string }
  /** SSE-S3: only where AWS requires it (the server-access-log target). */
  | { readonly algorithm: "AES256" };

export interface BucketBaselineProps {
  readonly bucketName: string;
  readonly account: AccountScope;
  readonly encryption: DefaultEncryption;
  readonly lifecycleRules: S3BucketLifecycleConfigurationRule[];
  /**
   * Object Lock must be switched on when the bucket is created.
   * @default false
   */
  readonly objectLockEnabled?: boolean;
}

export class BucketBaseline extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  /** Known at synth time (names are deterministic), so policies can reference it before apply. */
  readonly bucketArn: string;
  /** The bucket policy; tiers add their statements to it. */
  readonly policy: PolicyDocument;
  /** The versioning resource, for resources S3 requires to come after versioning (Object Lock). */
  readonly versioning: S3BucketVersioningA;
  /** The bucket policy resource, for resources a service checks the policy of when created (CloudTrail). */
  readonly policyResource: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: BucketBaselineProps) {
    super(scope, id);
    this.bucketName = props.bucketName;
    this.bucketArn = bucketArn(props.account, props.bucketName);
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: false,
      objectLockEnabled: props.objectLockEnabled ?? false,
    });
    const bucketId = this.bucket.id;
    this.versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: bucketId,
      versioningConfiguration: { status: "Enabled" },
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: bucketId,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucketId,
      rule: [
        props.encryption.algorithm === "aws:kms"
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.encryption.keyArn },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucketId,
      rule: props.lifecycleRules,
      // S3 rejects lifecycle rules on a bucket whose versioning is still being configured.
      dependsOn: [this.versioning],
    });
    new S3BucketNotification(this, "notifications", { bucket: bucketId, eventbridge: true });

    this.policy = PolicyDocument.resource(`${props.bucketName}-bucket-policy`);
    const transportRefusals: ReadonlyArray<readonly [sid: string, refused: PolicyCondition]> = [
      ["DenyInsecureTransport", INSECURE_TRANSPORT],
      ["DenyOutdatedTls", { test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
    ];
    for (const [sid, refused] of transportRefusals) {
      this.policy.addStatement({
        sid,
        effect: "Deny",
        principals: "*",
        actions: ["s3:*"],
        resources: [this.bucketArn, `${this.bucketArn}/*`],
        conditions: [refused],
      });
    }
    this.policyResource = new S3BucketPolicy(this, "policy", {
      bucket: bucketId,
      policy: this.policy.toJson(),
      // A policy put before the public-access block could be judged public and rejected.
      dependsOn: [publicAccessBlock],
    });
  }
}
