/**
 * S3 read grants narrower than DataBucket.grantRead, for roles that share the data key with buckets
 * they must not read. Platform buckets use S3 Bucket Keys, so S3 asks KMS to decrypt with the
 * bucket's ARN as encryption context (objects written without a bucket key carry their own ARN):
 * conditioning kms:Decrypt on that context, and on the call coming through S3, confines the key to
 * this bucket even though the same key encrypts the others.
 */
import type { PolicyDocument } from "../iam/policy-document";
import { sidFragment } from "../iam/sid";
import type { DataBucket } from "../storage/data-bucket";

export interface ObjectReadOptions {
  /** Statement-id fragment naming the reader's purpose, e.g. RunMetrics. */
  readonly purpose: string;
  /**
   * false: object metadata only (HeadObject needs s3:GetObject, but an SSE-KMS body stays unreadable
   * without kms:Decrypt).
   * @default true
   */
  readonly decrypt?: boolean;
}

/** Read (and list) the objects under `prefix` of `bucket`, decrypting only within this bucket. */
export function grantObjectRead(policy: PolicyDocument, bucket: DataBucket, prefix: string, options: ObjectReadOptions): void {
  const label = sidFragment(options.purpose);
  bucket.grantObjectReadAndList(policy, label, prefix);
  if (options.decrypt === false) return;
  policy.addStatement({
    sid: `Decrypt${label}Objects`,
    actions: ["kms:Decrypt"],
    resources: [bucket.key.keyArn],
    conditions: [
      { test: "StringEquals", variable: "kms:ViaService", values: [bucket.s3Service] },
      { test: "StringLike", variable: "kms:EncryptionContext:aws:s3:arn", values: [bucket.bucketArn, `${bucket.bucketArn}/${prefix}*`] },
    ],
  });
}
