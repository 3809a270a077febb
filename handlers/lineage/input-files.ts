import type { S3Client } from "@aws-sdk/client-s3";
import { describeObject } from "../shared/object-store";
import { isS3Uri, parseS3Uri } from "../shared/s3-uri";
import type { InputFileVersion } from "./run-event-builder";

/** HeadObject calls in flight at once when describing a run's input files. */
const CONCURRENCY = 8;

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
          const object = await describeObject(s3, bucket, key);
          return {
            path: file.path,
            bytes: file.bytes,
            versionId: object?.versionId ?? null,
            etag: object?.etag?.replaceAll('"', "") ?? null,
            present: object !== undefined,
          };
        }),
      )),
    );
  }
  return described;
}
