/**
 * Lifecycle rules per bucket tier. Every bucket aborts incomplete multipart uploads and expires
 * noncurrent versions; raw data moves to cheaper storage as it ages, the archive tier goes to
 * DEEP_ARCHIVE, and server access logs expire after their retention.
 */
import type { S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";

export const BUCKET_TIERS = ["raw", "processed", "archive", "artifacts", "lineage-audit"] as const;
export type BucketTier = (typeof BUCKET_TIERS)[number];

export interface LifecyclePolicy {
  readonly rawInfrequentAccessAfterDays: number;
  readonly rawGlacierAfterDays: number;
  readonly archiveDeepArchiveAfterDays: number;
  readonly noncurrentVersionExpiryDays: number;
  readonly abortIncompleteMultipartUploadDays: number;
  readonly accessLogExpiryDays: number;
}

/** An empty filter: the rule applies to every object in the bucket. */
const WHOLE_BUCKET = [{}];

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
        {
          id: "raw-to-cold-storage",
          status: "Enabled",
          filter: WHOLE_BUCKET,
          transition: [
            { days: policy.rawInfrequentAccessAfterDays, storageClass: "STANDARD_IA" },
            { days: policy.rawGlacierAfterDays, storageClass: "GLACIER" },
          ],
        },
      ];
    case "archive":
      return [
        housekeeping(policy, policy.noncurrentVersionExpiryDays),
        {
          id: "archive-to-deep-archive",
          status: "Enabled",
          filter: WHOLE_BUCKET,
          transition: [{ days: policy.archiveDeepArchiveAfterDays, storageClass: "DEEP_ARCHIVE" }],
        },
      ];
    case "lineage-audit":
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
