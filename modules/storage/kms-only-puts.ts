/**
 * The bucket-policy denies that make every new object SSE-KMS under one named key: no other algorithm, no
 * other key, no `aws:kms` without a key id (S3 would then use the AWS-managed aws/s3 key, which every
 * principal of the account may use), no customer-provided keys. Shared by every bucket that holds data.
 */
import type { PolicyDocument } from "../iam/policy-document";

export function denyPutsNotEncryptedWith(policy: PolicyDocument, objectsArn: string, keyArn: string): void {
  policy
    .addStatement({
      sid: "DenyEncryptionOtherThanKms",
      effect: "Deny",
      principals: "*",
      actions: ["s3:PutObject"],
      resources: [objectsArn],
      conditions: [
        { test: "StringNotEquals", variable: "s3:x-amz-server-side-encryption", values: ["aws:kms"] },
        { test: "Null", variable: "s3:x-amz-server-side-encryption", values: ["false"] },
      ],
    })
    .addStatement({
      sid: "DenyKeysOtherThanPlatformKey",
      effect: "Deny",
      principals: "*",
      actions: ["s3:PutObject"],
      resources: [objectsArn],
      conditions: [
        { test: "StringNotEquals", variable: "s3:x-amz-server-side-encryption-aws-kms-key-id", values: [keyArn] },
        { test: "Null", variable: "s3:x-amz-server-side-encryption-aws-kms-key-id", values: ["false"] },
      ],
    })
    .addStatement({
      sid: "DenyKmsWithoutKeyId",
      effect: "Deny",
      principals: "*",
      actions: ["s3:PutObject"],
      resources: [objectsArn],
      conditions: [
        { test: "StringEquals", variable: "s3:x-amz-server-side-encryption", values: ["aws:kms", "aws:kms:dsse"] },
        { test: "Null", variable: "s3:x-amz-server-side-encryption-aws-kms-key-id", values: ["true"] },
      ],
    })
    .addStatement({
      sid: "DenyCustomerProvidedKeys",
      effect: "Deny",
      principals: "*",
      actions: ["s3:PutObject"],
      resources: [objectsArn],
      conditions: [{ test: "Null", variable: "s3:x-amz-server-side-encryption-customer-algorithm", values: ["false"] }],
    });
}
