/**
 * A platform data bucket of one tier: SSE-KMS with an S3 bucket key under a platform key, server
 * access logging, tier lifecycle rules, and a policy that refuses plain-HTTP requests and any PUT
 * that asks for another algorithm, another key or customer-provided keys (SSE-C). A PUT without
 * encryption headers gets the bucket default, i.e. the platform key. The lineage-audit tier has
 * Object Lock with a default retention.
 */
import type { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import type { AccountScope } from "../iam/arns";
import type { PolicyCondition, PolicyDocument } from "../iam/policy-document";
import { sidFragment } from "../iam/sid";
import type { AccessLogBucket } from "./access-log-bucket";
import { BucketBaseline } from "./bucket-baseline";
import { denyPutsNotEncryptedWith } from "./kms-only-puts";
import { LOCKED_TIERS, lifecycleRulesFor, type BucketTier, type LifecyclePolicy } from "./lifecycle";

export interface ObjectLockRetention {
  /** GOVERNANCE: privileged users can shorten it; COMPLIANCE: nobody can, not even root. */
  readonly mode: "GOVERNANCE" | "COMPLIANCE";
  readonly days: number;
}

export interface DataBucketProps {
  /** Tier this bucket serves; drives lifecycle and Object Lock. */
  readonly tier: BucketTier;
  readonly bucketName: string;
  /** Key for SSE-KMS. Required: there is no unencrypted data bucket. */
  readonly key: PlatformKey;
  /** Where S3 server access logs go. */
  readonly accessLogs: AccessLogBucket;
  readonly lifecycle: LifecyclePolicy;
  /**
   * Default Object Lock retention. Required for, and only for, the lineage-audit and audit-trail
   * tiers (LOCKED_TIERS): the constructor throws if it is given for another tier or missing for these.
   * @default none: Object Lock stays off (allowed only for the tiers outside LOCKED_TIERS)
   */
  readonly objectLock?: ObjectLockRetention;
  readonly account: AccountScope;
}

export class DataBucket extends Construct {
  readonly tier: BucketTier;
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly bucketId: string;
  readonly key: PlatformKey;
  /** The bucket policy, for modules that must add a statement (e.g. a service principal). */
  readonly policy: PolicyDocument;
  /** The policy's Terraform resource, for depends_on. */
  readonly policyResource: S3BucketPolicy;
  /** The S3 endpoint of the bucket's region: KMS sees its objects' decrypts come through it (kms:ViaService). */
  readonly s3Service: string;
  private readonly label: string;

  constructor(scope: Construct, id: string, props: DataBucketProps) {
    super(scope, id);
    const locked = LOCKED_TIERS.includes(props.tier);
    if (locked !== (props.objectLock !== undefined)) {
      throw new Error(
        `bucket ${props.bucketName}: Object Lock retention is required for the ${LOCKED_TIERS.join(" and ")} tiers and only for them`,
      );
    }
    this.tier = props.tier;
    this.key = props.key;
    this.label = sidFragment(props.tier);
    this.s3Service = `s3.${props.account.region}.amazonaws.com`;
    const baseline = new BucketBaseline(this, "baseline", {
      bucketName: props.bucketName,
      account: props.account,
      encryption: { algorithm: "aws:kms", keyArn: props.key.keyArn },
      lifecycleRules: lifecycleRulesFor(props.tier, props.lifecycle, props.objectLock?.days),
      objectLockEnabled: locked,
    });
    this.bucketName = baseline.bucketName;
    this.bucketArn = baseline.bucketArn;
    this.bucketId = baseline.bucket.id;
    this.policy = baseline.policy;
    this.policyResource = baseline.policyResource;

    new S3BucketLoggingA(this, "access-logging", {
      bucket: this.bucketId,
      targetBucket: props.accessLogs.bucketId,
      targetPrefix: `${props.tier}/`,
      targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
      // S3 validates the target's delivery grant when logging is configured (AccessLogBucket.policyResource)
      dependsOn: [props.accessLogs.policyResource],
    });
    props.accessLogs.acceptLogsFrom(this.bucketArn);

    if (props.objectLock !== undefined) {
      this.denyWeakerObjectLocks(props.objectLock);
      new S3BucketObjectLockConfigurationA(this, "object-lock", {
        bucket: this.bucketId,
        rule: { defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.days } },
        dependsOn: [baseline.versioning],
      });
    }

    denyPutsNotEncryptedWith(this.policy, `${this.bucketArn}/*`, props.key.keyArn);
  }

  /**
   * Makes objects under `prefixes` write-once records: a PUT must carry `If-None-Match: *` (S3 then
   * refuses to replace an existing key). Copies into these prefixes are refused (S3 accepts no
   * conditional header on CopyObject). The lock mode and retention are guarded bucket-wide.
   */
  requireWriteOnce(prefixes: readonly string[]): void {
    const resources = prefixes.map((prefix) => `${this.bucketArn}/${prefix}*`);
    this.policy.addStatement({
      sid: "DenyOverwritableRecordWrites",
      effect: "Deny",
      principals: "*",
      actions: ["s3:PutObject"],
      resources,
      conditions: [
        { test: "Null", variable: "s3:if-none-match", values: ["true"] },
        // CreateMultipartUpload and UploadPart accept no conditional header (S3 User Guide,
        // "Enforce conditional writes"); the CompleteMultipartUpload that creates the object must.
        { test: "BoolIfExists", variable: "s3:ObjectCreationOperation", values: ["true"] },
      ],
    });
  }

  /**
   * Refuses writes that ask for another Object Lock mode than `lock.mode` or a retention shorter than
   * `lock.days` (less a day for clock skew and rounding), anywhere in a locked bucket. A write without
   * lock headers gets the bucket's default retention.
   */
  private denyWeakerObjectLocks(lock: ObjectLockRetention): void {
    const resources = [`${this.bucketArn}/*`];
    this.policy
      .addStatement({
        sid: "DenyOtherObjectLockMode",
        effect: "Deny",
        principals: "*",
        actions: ["s3:PutObject", "s3:PutObjectRetention"],
        resources,
        conditions: [
          { test: "StringNotEquals", variable: "s3:object-lock-mode", values: [lock.mode] },
          { test: "Null", variable: "s3:object-lock-mode", values: ["false"] },
        ],
      })
      .addStatement({
        sid: "DenyShorterRetention",
        effect: "Deny",
        principals: "*",
        actions: ["s3:PutObject", "s3:PutObjectRetention"],
        resources,
        conditions: [
          { test: "NumericLessThan", variable: "s3:object-lock-remaining-retention-days", values: [String(Math.max(lock.days - 1, 0))] },
        ],
      });
  }

  /**
   * Only `writerArns` may create, replace or delete objects under `prefixes`: whoever else holds
   * s3:PutObject (an administrator, a compromised job) cannot change what the job runs or trusts.
   */
  restrictWriters(name: string, prefixes: readonly string[], writerArns: readonly string[]): void {
    this.policy.addStatement({
      sid: `Deny${sidFragment(name)}WritesByOthers`,
      effect: "Deny",
      principals: "*",
      actions: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:PutObjectLegalHold"],
      resources: prefixes.map((prefix) => `${this.bucketArn}/${prefix}*`),
      conditions: [{ test: "ArnNotEquals", variable: "aws:PrincipalArn", values: writerArns }],
    });
  }

  /**
   * Object reads and deletes (and writes, unless `allowWritesFromAnywhere`) only through
   * `vpcEndpointIds`, except by `carveOuts` (principals AWS runs outside the VPC, each named with why
   * by the caller) and by AWS services acting for a caller.
   * `options.allowWritesFromAnywhere` (@default false: s3:PutObject is confined to the endpoints too).
   */
  restrictToNetwork(
    vpcEndpointIds: readonly string[],
    carveOuts: readonly string[],
    options: { readonly allowWritesFromAnywhere?: boolean } = {},
  ): void {
    const conditions: PolicyCondition[] = [
      { test: "StringNotEqualsIfExists", variable: "aws:SourceVpce", values: vpcEndpointIds },
      { test: "BoolIfExists", variable: "aws:ViaAWSService", values: ["false"] },
      { test: "BoolIfExists", variable: "aws:PrincipalIsAWSService", values: ["false"] },
    ];
    if (carveOuts.length > 0) conditions.push({ test: "ArnNotEquals", variable: "aws:PrincipalArn", values: carveOuts });
    this.policy.addStatement({
      sid: "DenyObjectAccessOutsideVpc",
      effect: "Deny",
      principals: "*",
      actions: [
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectAttributes",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        ...(options.allowWritesFromAnywhere === true ? [] : ["s3:PutObject"]),
      ],
      resources: [`${this.bucketArn}/*`],
      conditions,
    });
  }

  /**
   * See every version of every object and its retention and legal hold (an auditor: a later version
   * of a write-once record is evidence of an attempted overwrite). No decrypt: metadata only.
   */
  grantVersionAudit(policy: PolicyDocument): void {
    policy
      .addStatement({ sid: `List${this.label}ObjectVersions`, actions: ["s3:ListBucketVersions"], resources: [this.bucketArn] })
      .addStatement({
        sid: `Read${this.label}ObjectLocks`,
        actions: ["s3:GetObjectVersion", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
        resources: [`${this.bucketArn}/*`],
      });
  }

  /** Read objects under `prefix` (all objects by default), list them, and decrypt them via S3. */
  grantRead(policy: PolicyDocument, prefix = ""): void {
    this.grantObjectReadAndList(policy, `${this.label}${sidFragment(prefix)}`, prefix);
    policy.addStatement({ sid: `Locate${this.label}Bucket`, actions: ["s3:GetBucketLocation"], resources: [this.bucketArn] });
    this.key.grantDecrypt(policy, this.s3Service);
  }

  /**
   * Get (any version of) and list the objects under `prefix` (all objects when empty), with no key
   * grant: the caller decides how far decryption goes. Statement ids `Read<name>Objects` and
   * `List<name>Objects`.
   */
  grantObjectReadAndList(policy: PolicyDocument, name: string, prefix: string): void {
    policy
      .addStatement({
        sid: `Read${name}Objects`,
        actions: ["s3:GetObject", "s3:GetObjectVersion"],
        resources: [`${this.bucketArn}/${prefix}*`],
      })
      .addStatement({
        sid: `List${name}Objects`,
        actions: ["s3:ListBucket"],
        resources: [this.bucketArn],
        conditions: prefix === "" ? [] : [{ test: "StringLike", variable: "s3:prefix", values: [`${prefix}*`] }],
      });
  }

  /**
   * Write objects under `prefix`, including multipart uploads (which need kms:Decrypt as well as a
   * data key). Writers never get s3:DeleteObject from this grant.
   */
  grantWrite(policy: PolicyDocument, prefix = ""): void {
    const name = `${this.label}${sidFragment(prefix)}`;
    policy
      .addStatement({
        sid: `Write${name}Objects`,
        actions: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        resources: [`${this.bucketArn}/${prefix}*`],
      })
      .addStatement({ sid: `Locate${this.label}Bucket`, actions: ["s3:GetBucketLocation"], resources: [this.bucketArn] });
    this.key.grantEncrypt(policy, this.s3Service);
    this.key.grantDecrypt(policy, this.s3Service);
  }

  grantReadWrite(policy: PolicyDocument, prefix = ""): void {
    this.grantRead(policy, prefix);
    this.grantWrite(policy, prefix);
  }
}
