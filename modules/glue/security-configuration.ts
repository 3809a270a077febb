/**
 * The Glue security configuration every job of the environment runs with: S3 output SSE-KMS with the
 * data key, CloudWatch Logs encrypted with the logs key, and job bookmarks encrypted client-side with
 * a key of their own (bookmarks record which input was processed, so they are kept as carefully as
 * data; the job calls KMS itself for them, which the data key allows the job only through S3).
 */
import { GlueSecurityConfiguration } from "@cdktf/provider-aws/lib/glue-security-configuration";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import type { PolicyDocument } from "../iam/policy-document";

export interface GlueSecurityProps {
  /** e.g. sentinel-dev-glue. */
  readonly name: string;
  /** S3 output. */
  readonly dataKey: PlatformKey;
  /** Client-side encryption of job bookmarks. */
  readonly bookmarksKey: PlatformKey;
  /** Continuous logs. */
  readonly logsKey: PlatformKey;
}

export class GlueSecurity extends Construct {
  readonly name: string;
  private readonly bookmarksKey: PlatformKey;

  constructor(scope: Construct, id: string, props: GlueSecurityProps) {
    super(scope, id);
    this.bookmarksKey = props.bookmarksKey;
    const configuration = new GlueSecurityConfiguration(this, "configuration", {
      name: props.name,
      encryptionConfiguration: {
        s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: props.dataKey.keyArn },
        cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: props.logsKey.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: props.bookmarksKey.keyArn },
      },
    });
    this.name = configuration.name;
  }

  /**
   * What a job role needs for client-side bookmark encryption: the job itself (not S3) asks KMS for
   * data keys and decrypts them, so there is no kms:ViaService to narrow the grant to.
   */
  grantBookmarkEncryption(policy: PolicyDocument): void {
    this.bookmarksKey.grantEncryptDecrypt(policy);
  }
}
