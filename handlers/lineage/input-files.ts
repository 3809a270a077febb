import { ListObjectVersionsCommand, type S3Client } from "@aws-sdk/client-s3";
import { isS3Uri, parseS3Uri } from "../shared/s3-uri";
import type { InputFileVersion } from "./run-event-builder";

/** Listings in flight at once when describing a run's input files. */
const CONCURRENCY = 8;

interface CurrentVersion {
  readonly versionId: string | null;
  readonly etag: string | null;
}

/**
 * The current version of `key`, from the bucket's version listing: keys, version ids and ETags, never a
 * body. The lineage role may not read raw landing files (a HeadObject needs s3:GetObject, which with the
 * raw bucket's key would read them), so it lists. undefined: no object, or its latest version is a delete marker.
 */
async function currentVersionOf(s3: S3Client, bucket: string, key: string): Promise<CurrentVersion | undefined> {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
    );
    if ((page.DeleteMarkers ?? []).some((marker) => marker.Key === key && marker.IsLatest === true)) return undefined;
    const latest = (page.Versions ?? []).find((version) => version.Key === key && version.IsLatest === true);
    if (latest !== undefined) {
      // an unversioned object's version id is the string "null"
      const versionId = latest.VersionId === undefined || latest.VersionId === "null" ? null : latest.VersionId;
      return { versionId, etag: latest.ETag?.replaceAll('"', "") ?? null };
    }
    if (page.IsTruncated !== true) return undefined;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  } while (keyMarker !== undefined);
  return undefined;
}

/** The S3 version id and ETag of every raw file a run read (files the job listed in its metrics). */
export async function describeInputFiles(s3: S3Client, files: readonly { path: string; bytes: number }[]): Promise<InputFileVersion[]> {
  const described: InputFileVersion[] = [];
  for (let start = 0; start < files.length; start += CONCURRENCY) {
    const batch = files.slice(start, start + CONCURRENCY);
    described.push(
      ...(await Promise.all(
        batch.map(async (file) => {
          if (!isS3Uri(file.path)) return { path: file.path, bytes: file.bytes, versionId: null, etag: null, present: false };
          const { bucket, key } = parseS3Uri(file.path);
          const current = await currentVersionOf(s3, bucket, key);
          return {
            path: file.path,
            bytes: file.bytes,
            versionId: current?.versionId ?? null,
            etag: current?.etag ?? null,
            present: current !== undefined,
          };
        }),
      )),
    );
  }
  return described;
}
