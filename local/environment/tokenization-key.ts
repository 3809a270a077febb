/**
 * Puts the profile's KMS-wrapped tokenization key where the job reads it (the trigger's key location).
 *
 * On AWS an operator creates it once with KMS GenerateDataKeyWithoutPlaintext, and the plaintext exists
 * only in job memory. Locally the emulator, and so every KMS key, is new on each run, so a wrapped key
 * from an earlier run could not be unwrapped and tokens would change from run to run. The local
 * environment therefore wraps the project's development key (.sentinel/dev-key.json, git-ignored, mode
 * 0600, the key `npm run etl` uses) with the environment's tokenization key (the job's non-overridable
 * `--tokenization_key_arn`) on every run: the job still unwraps it through KMS, and tokens stay stable
 * across runs.
 */
import { EncryptCommand, type KMSClient } from "@aws-sdk/client-kms";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseS3Uri } from "../../handlers/shared/s3-uri";

export interface WrappedKeyDocument {
  readonly key_version: string;
  readonly kms_key_arn: string;
  readonly ciphertext_blob: string;
  readonly encryption_context: Readonly<Record<string, string>>;
}

/** The development key file, created by the job package itself on first use. */
function developmentKey(projectRoot: string): { readonly version: string; readonly key: Buffer } {
  const python = join(projectRoot, ".venv", "bin", "python");
  const created = spawnSync(
    python,
    ["-c", "from sentinel_etl.keys import DEFAULT_DEV_KEY_PATH, dev_keyring; dev_keyring(); print(DEFAULT_DEV_KEY_PATH)"],
    {
      cwd: projectRoot,
      encoding: "utf8",
    },
  );
  if (created.status !== 0) throw new Error(`could not create or read the development key: ${created.stderr.trim()}`);
  const document = JSON.parse(readFileSync(created.stdout.trim(), "utf8")) as { key_version: string; dev_key: string };
  return { version: document.key_version, key: Buffer.from(document.dev_key, "base64") };
}

export async function installWrappedKey(
  kms: KMSClient,
  s3: S3Client,
  keyLocation: string,
  wrappingKeyArn: string,
  profile: string,
  projectRoot: string,
): Promise<{ readonly keyVersion: string }> {
  const { version, key } = developmentKey(projectRoot);
  // The context the job unwraps with (glue-jobs/sentinel_etl/keys.py WrappingKey): the key policy requires it.
  const context = { profile, key_version: version };
  const wrapped = await kms.send(new EncryptCommand({ KeyId: wrappingKeyArn, Plaintext: key, EncryptionContext: context }));
  key.fill(0);
  if (wrapped.CiphertextBlob === undefined) throw new Error(`KMS Encrypt with ${wrappingKeyArn} returned no ciphertext`);
  const document: WrappedKeyDocument = {
    key_version: version,
    kms_key_arn: wrappingKeyArn,
    ciphertext_blob: Buffer.from(wrapped.CiphertextBlob).toString("base64"),
    encryption_context: context,
  };
  const { bucket, key: objectKey } = parseS3Uri(keyLocation);
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: JSON.stringify(document, null, 2), ContentType: "application/json" }),
  );
  return { keyVersion: version };
}
