/** S3 object addresses as the platform writes them in job arguments and lineage: `s3://bucket/key`. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

export function isS3Uri(value: string): boolean {
  return S3_URI.test(value);
}

export function parseS3Uri(uri: string): S3Location {
  const match = S3_URI.exec(uri);
  if (match === null) throw new Error(`not an S3 URI (expected s3://<bucket>/<key>): ${uri}`);
  return { bucket: match[1] as string, key: match[2] ?? "" };
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** `s3://b/prefix/` + `file.json` -> `s3://b/prefix/file.json`, with exactly one slash between. */
export function joinS3Uri(prefix: string, name: string): string {
  return `${prefix.replace(/\/+$/, "")}/${name.replace(/^\/+/, "")}`;
}
