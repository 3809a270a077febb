/**
 * Lifecycle rules per bucket tier. Every bucket aborts incomplete multipart uploads and expires
 * noncurrent versions; raw data moves to cheaper storage as it ages and expires per prefix
 * (landing, quarantine, PII profiles), the archive tier goes to
 * DEEP_ARCHIVE, and server access logs expire after their retention.
 */
import type { S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { RAW_PREFIXES } from "../../contracts/data-layout";

export const BUCKET_TIERS = ["raw", "processed", "archive", "artifacts", "lineage-audit", "audit-trail"] as const;
/** Tiers whose objects are write-once evidence: Object Lock with a default retention. */
export const LOCKED_TIERS: readonly BucketTier[] = ["lineage-audit", "audit-trail"];
export type BucketTier = (typeof BUCKET_TIERS)[number];

export interface LifecyclePolicy {
  readonly rawInfrequentAccessAfterDays: number;
  readonly rawGlacierAfterDays: number;
  readonly archiveDeepArchiveAfterDays: number;
  readonly noncurrentVersionExpiryDays: number;
  readonly abortIncompleteMultipartUploadDays: number;
  readonly accessLogExpiryDays: number;
  /** Landing files (raw PII as delivered) expire after this many days. @default 400 */
  readonly landingExpiryDays?: number;
  /** Quarantined rows (raw values kept as read) expire after this many days. @default 400 */
  readonly quarantineExpiryDays?: number;
  /** DataBrew PII profiles (they quote sample values) expire after this many days. @default 90 */
  readonly piiProfileExpiryDays?: number;
}

export const DEFAULT_RAW_EXPIRY_DAYS = { landing: 400, quarantine: 400, piiProfiles: 90 } as const;

/** Expiry of the current versions under one raw prefix (noncurrent ones follow the housekeeping rule). */
function expireUnder(id: string, prefix: string, days: number): S3BucketLifecycleConfigurationRule {
  return { id, status: "Enabled", filter: [{ prefix }], expiration: [{ days }] };
}

/** An empty filter: the rule applies to every object in the bucket. */
const WHOLE_BUCKET = [{}];

/** Moves every object of the bucket to colder storage classes as it ages. */
function transitionWholeBucket(
  id: string,
  transition: S3BucketLifecycleConfigurationRule["transition"],
): S3BucketLifecycleConfigurationRule {
  return { id, status: "Enabled", filter: WHOLE_BUCKET, transition };
}

function housekeeping(policy: LifecyclePolicy, noncurrentDays: number): S3BucketLifecycleConfigurationRule {
  return {
    id: "housekeeping",
    status: "Enabled",
    filter: WHOLE_BUCKET,
    abortIncompleteMultipartUpload: [{ daysAfterInitiation: policy.abortIncompleteMultipartUploadDays }],
    noncurrentVersionExpiration: [{ noncurrentDays }],
  };
}

/**
 * @param objectLockDays for the lineage-audit tier: noncurrent versions are kept at least as long
 *   as their lock (S3 could not delete them earlier anyway).
 */
export function lifecycleRulesFor(
  tier: BucketTier,
  policy: LifecyclePolicy,
  objectLockDays?: number,
): S3BucketLifecycleConfigurationRule[] {
  switch (tier) {
    case "raw":
      return [
        housekeeping(policy, policy.noncurrentVersionExpiryDays),
        transitionWholeBucket("raw-to-cold-storage", [
          { days: policy.rawInfrequentAccessAfterDays, storageClass: "STANDARD_IA" },
          { days: policy.rawGlacierAfterDays, storageClass: "GLACIER" },
        ]),
        // Raw PII is kept no longer than it is needed: landing files, quarantined rows, PII profiles.
        expireUnder("expire-landing", RAW_PREFIXES.landing, policy.landingExpiryDays ?? DEFAULT_RAW_EXPIRY_DAYS.landing),
        expireUnder("expire-quarantine", RAW_PREFIXES.quarantine, policy.quarantineExpiryDays ?? DEFAULT_RAW_EXPIRY_DAYS.quarantine),
        expireUnder("expire-pii-profiles", RAW_PREFIXES.piiProfiles, policy.piiProfileExpiryDays ?? DEFAULT_RAW_EXPIRY_DAYS.piiProfiles),
      ];
    case "archive":
      return [
        housekeeping(policy, policy.noncurrentVersionExpiryDays),
        transitionWholeBucket("archive-to-deep-archive", [{ days: policy.archiveDeepArchiveAfterDays, storageClass: "DEEP_ARCHIVE" }]),
      ];
    case "lineage-audit":
    case "audit-trail":
      return [housekeeping(policy, Math.max(policy.noncurrentVersionExpiryDays, objectLockDays ?? 0))];
    case "processed":
    case "artifacts":
      return [housekeeping(policy, policy.noncurrentVersionExpiryDays)];
  }
}

export function accessLogLifecycleRules(policy: LifecyclePolicy): S3BucketLifecycleConfigurationRule[] {
  return [
    housekeeping(policy, policy.noncurrentVersionExpiryDays),
    {
      id: "expire-access-logs",
      status: "Enabled",
      filter: WHOLE_BUCKET,
      expiration: [{ days: policy.accessLogExpiryDays }],
    },
  ];
}
