/**
 * Small JSON objects in S3 with the conditional writes the handlers build their guarantees on:
 * create-only (`If-None-Match: *`) for write-once records and claims, compare-and-swap (`If-Match: <etag>`)
 * for state that moves forward. S3 is strongly consistent for reads, lists and conditional writes, which
 * CloudWatch Logs and EventBridge are not.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ObjectLockMode,
  type S3Client,
} from "@aws-sdk/client-s3";

export interface Retention {
  readonly mode: ObjectLockMode;
  readonly until: Date;
}

export interface StoredJson {
  readonly body: unknown;
  readonly etag: string;
}

export type CreateResult = { readonly outcome: "created"; readonly etag: string } | { readonly outcome: "exists" };
export type SwapResult = { readonly outcome: "replaced"; readonly etag: string } | { readonly outcome: "changed" };

/** How often a write that S3 answered with 409 (a concurrent conditional write to the same key) is retried. */
const CONFLICT_RETRIES = 5;

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isPreconditionFailed(error: unknown): boolean {
  return (error as { name?: string }).name === "PreconditionFailed" || httpStatus(error) === 412;
}

function isConcurrentConditionalWrite(error: unknown): boolean {
  return (error as { name?: string }).name === "ConditionalRequestConflict" || httpStatus(error) === 409;
}

export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === "NoSuchKey" || name === "NotFound" || httpStatus(error) === 404;
}

/** The new object's ETag, or undefined when the condition did not hold. */
async function putConditionally(s3: S3Client, input: ConstructorParameters<typeof PutObjectCommand>[0]): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await s3.send(new PutObjectCommand(input));
      if (response.ETag === undefined) throw new Error(`s3://${input.Bucket}/${input.Key}: PutObject returned no ETag`);
      return response.ETag;
    } catch (error) {
      if (isPreconditionFailed(error)) return undefined;
      if (isConcurrentConditionalWrite(error) && attempt < CONFLICT_RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
        continue;
      }
      throw error;
    }
  }
}

function retentionHeaders(retention: Retention | undefined) {
  // S3 requires an integrity checksum on every Object Lock write; SHA-256 also guards the body in transit.
  return retention === undefined
    ? { ChecksumAlgorithm: "SHA256" as const }
    : { ChecksumAlgorithm: "SHA256" as const, ObjectLockMode: retention.mode, ObjectLockRetainUntilDate: retention.until };
}

/** Writes `body` at `key` only if no object exists there. */
export async function createJsonIfAbsent(
  s3: S3Client,
  bucket: string,
  key: string,
  body: unknown,
  retention?: Retention,
): Promise<CreateResult> {
  const etag = await putConditionally(s3, {
    Bucket: bucket,
    Key: key,
    Body: JSON.stringify(body),
    ContentType: "application/json",
    IfNoneMatch: "*",
    ...retentionHeaders(retention),
  });
  return etag === undefined ? { outcome: "exists" } : { outcome: "created", etag };
}

/** Replaces the object at `key` only if it still has `etag` (nobody wrote it since it was read). */
export async function replaceJsonIfUnchanged(s3: S3Client, bucket: string, key: string, body: unknown, etag: string): Promise<SwapResult> {
  const newEtag = await putConditionally(s3, {
    Bucket: bucket,
    Key: key,
    Body: JSON.stringify(body),
    ContentType: "application/json",
    IfMatch: etag,
    ...retentionHeaders(undefined),
  });
  return newEtag === undefined ? { outcome: "changed" } : { outcome: "replaced", etag: newEtag };
}

export async function readJson(s3: S3Client, bucket: string, key: string): Promise<StoredJson | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = await response.Body?.transformToString("utf-8");
    if (text === undefined || response.ETag === undefined) {
      throw new Error(`s3://${bucket}/${key}: response without body or ETag`);
    }
    return { body: JSON.parse(text) as unknown, etag: response.ETag };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export interface ObjectVersion {
  readonly etag: string | undefined;
  readonly versionId: string | undefined;
  readonly bytes: number | undefined;
}

/** ETag, version id and size of an object, or undefined when it does not exist. */
export async function describeObject(s3: S3Client, bucket: string, key: string): Promise<ObjectVersion | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { etag: head.ETag, versionId: head.VersionId, bytes: head.ContentLength };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Every key under `prefix`, in S3's (lexicographic) order, optionally after `startAfter`. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string, startAfter?: string): Promise<string[]> {
  const keys: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        StartAfter: continuationToken === undefined ? startAfter : undefined,
        ContinuationToken: continuationToken,
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);
  return keys;
}
