/**
 * What an auditor reads: the OLDEST version of each write-once audit object, and every later version or
 * delete marker reported. Write-once is enforced by `If-None-Match: *` and Object Lock, but a versioned
 * bucket still accepts a new version at the same key from anyone with PutObject there (a locked version
 * cannot be changed, a newer one can shadow it). Reading the latest version would then verify the
 * attacker's copy; reading the oldest verifies what was first written. Needs s3:ListBucketVersions and
 * s3:GetObjectVersion (granted to the auditor role).
 */
import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";

export interface VersionedObject {
  readonly key: string;
  /** the first version written: what is read */
  readonly versionId: string | undefined;
  readonly body: unknown;
}

export interface LaterVersions {
  readonly key: string;
  /** versions written after the first (overwrites) */
  readonly laterVersions: number;
  /** delete markers placed on the key (the object looks deleted to a plain GET) */
  readonly deleteMarkers: number;
}

export interface VersionedRead {
  readonly objects: readonly VersionedObject[];
  /** keys with more than one version or with delete markers: each is a finding */
  readonly rewritten: readonly LaterVersions[];
}

interface Version {
  readonly versionId: string | undefined;
  readonly lastModified: number;
  readonly deleteMarker: boolean;
  /** position in the listing: S3 lists a key's versions newest first, which breaks LastModified ties (1 s resolution) */
  readonly listed: number;
}

async function listVersions(s3: S3Client, bucket: string, prefix: string): Promise<Map<string, Version[]>> {
  const byKey = new Map<string, Version[]>();
  let listed = 0;
  const add = (key: string | undefined, version: Omit<Version, "listed">) => {
    if (key === undefined) return;
    byKey.set(key, [...(byKey.get(key) ?? []), { ...version, listed: listed++ }]);
  };
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
    );
    for (const v of page.Versions ?? [])
      add(v.Key, { versionId: v.VersionId, lastModified: v.LastModified?.getTime() ?? 0, deleteMarker: false });
    for (const m of page.DeleteMarkers ?? [])
      add(m.Key, { versionId: m.VersionId, lastModified: m.LastModified?.getTime() ?? 0, deleteMarker: true });
    if (page.IsTruncated !== true) break;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  return byKey;
}

async function readVersion(s3: S3Client, bucket: string, key: string, versionId: string | undefined): Promise<unknown> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  const text = (await response.Body?.transformToString("utf-8")) ?? "";
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Every key under `prefix` (in key order), read at its oldest version, and the keys rewritten since. */
export async function readOldestVersions(s3: S3Client, bucket: string, prefix: string): Promise<VersionedRead> {
  const byKey = await listVersions(s3, bucket, prefix);
  const objects: VersionedObject[] = [];
  const rewritten: LaterVersions[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const versions = [...(byKey.get(key) ?? [])].sort((a, b) => a.lastModified - b.lastModified || b.listed - a.listed);
    const written = versions.filter((v) => !v.deleteMarker);
    const deleteMarkers = versions.length - written.length;
    const first = written[0];
    if (written.length > 1 || deleteMarkers > 0) rewritten.push({ key, laterVersions: Math.max(0, written.length - 1), deleteMarkers });
    if (first !== undefined) objects.push({ key, versionId: first.versionId, body: await readVersion(s3, bucket, key, first.versionId) });
  }
  return { objects, rewritten };
}
