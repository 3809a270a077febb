/**
 * The environment's buckets: the five data tiers and the access-log bucket they all log to.
 * Names are `<prefix>-<tier>-<account id>`: globally unique, and derivable from the environment
 * name and account id alone (the local pipeline relies on that).
 */
import { Construct } from "constructs";
import type { PlatformKeys } from "../encryption/platform-keys";
import type { EnvironmentScopeProps } from "../iam/arns";
import { AccessLogBucket } from "./access-log-bucket";
import { DataBucket, type ObjectLockRetention } from "./data-bucket";
import type { BucketTier, LifecyclePolicy } from "./lifecycle";

export interface PlatformBucketsProps extends EnvironmentScopeProps {
  readonly keys: PlatformKeys;
  readonly lifecycle: LifecyclePolicy;
  /** Retention of lineage records and audit exports. */
  readonly lineageObjectLock: ObjectLockRetention;
}

export function platformBucketName(namePrefix: string, tier: BucketTier | "access-logs", accountId: string): string {
  return `${namePrefix}-${tier}-${accountId}`;
}

export class PlatformBuckets extends Construct {
  readonly accessLogs: AccessLogBucket;
  readonly raw: DataBucket;
  readonly processed: DataBucket;
  readonly archive: DataBucket;
  readonly artifacts: DataBucket;
  readonly lineageAudit: DataBucket;

  constructor(scope: Construct, id: string, props: PlatformBucketsProps) {
    super(scope, id);
    const name = (tier: BucketTier | "access-logs") => platformBucketName(props.namePrefix, tier, props.account.accountId);
    this.accessLogs = new AccessLogBucket(this, "access-logs", {
      bucketName: name("access-logs"),
      account: props.account,
      lifecycle: props.lifecycle,
    });
    const dataBucket = (tier: BucketTier, objectLock?: ObjectLockRetention) =>
      new DataBucket(this, tier, {
        tier,
        bucketName: name(tier),
        key: tier === "lineage-audit" ? props.keys.audit : props.keys.data,
        accessLogs: this.accessLogs,
        lifecycle: props.lifecycle,
        objectLock,
        account: props.account,
      });
    this.raw = dataBucket("raw");
    this.processed = dataBucket("processed");
    this.archive = dataBucket("archive");
    this.artifacts = dataBucket("artifacts");
    this.lineageAudit = dataBucket("lineage-audit", props.lineageObjectLock);
  }

  get dataBuckets(): readonly DataBucket[] {
    return [this.raw, this.processed, this.archive, this.artifacts, this.lineageAudit];
  }

  /** ARNs of every bucket, for policies that must name the platform's buckets (S3 endpoint). */
  get allBucketArns(): readonly string[] {
    return [...this.dataBuckets.map((bucket) => bucket.bucketArn), this.accessLogs.bucketArn];
  }
}
