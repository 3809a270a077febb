/**
 * Which S3 objects a DataBrew dataset covers: its S3 key with path parameters (`{run_date}`, typed by the
 * dataset's PathOptions) and regular-expression parts (`<.*>`), a trailing `/` meaning every file below,
 * and FilesLimit choosing the newest (or oldest) N files.
 */
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { DatasetDefinition } from "./databrew-definitions";

export interface DatasetFile {
  readonly bucket: string;
  readonly key: string;
  readonly bytes: number;
  readonly lastModified: Date;
}

const DATETIME_TOKENS: ReadonlyArray<readonly [string, string]> = [
  ["yyyy", "\\d{4}"],
  ["MM", "\\d{2}"],
  ["dd", "\\d{2}"],
  ["HH", "\\d{2}"],
  ["mm", "\\d{2}"],
  ["ss", "\\d{2}"],
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function parameterPattern(name: string, dataset: DatasetDefinition): string {
  const parameter = dataset.PathOptions?.Parameters?.find((candidate) => candidate.PathParameterName === name);
  if (parameter === undefined) throw new Error(`dataset ${dataset.Name}: path parameter {${name}} has no definition in PathOptions`);
  const { Type: type, DatetimeOptions: options } = parameter.DatasetParameter;
  if (type === "Datetime") {
    let pattern = escapeRegExp(options?.Format ?? "yyyy-MM-dd");
    for (const [token, regex] of DATETIME_TOKENS) pattern = pattern.replaceAll(token, regex);
    return pattern;
  }
  return type === "Number" ? "\\d+" : "[^/]+";
}

/** The key pattern as a regular expression, and the literal prefix to list under. */
export function keyPattern(dataset: DatasetDefinition): { readonly prefix: string; readonly pattern: RegExp } {
  const key = dataset.Input.S3InputDefinition?.Key ?? "";
  const prefix = key.split(/[{<]/, 1)[0] as string;
  let regex = "";
  for (const part of key.split(/(\{[^}]+\}|<[^>]+>)/)) {
    if (part.startsWith("{") && part.endsWith("}")) regex += parameterPattern(part.slice(1, -1), dataset);
    else if (part.startsWith("<") && part.endsWith(">")) regex += part.slice(1, -1);
    else regex += escapeRegExp(part);
  }
  if (key === "" || key.endsWith("/")) regex += ".+";
  return { prefix, pattern: new RegExp(`^${regex}$`) };
}

function isHidden(key: string): boolean {
  const name = key.split("/").pop() ?? "";
  return name.startsWith("_") || name.startsWith(".");
}

export async function datasetFiles(s3: S3Client, dataset: DatasetDefinition): Promise<DatasetFile[]> {
  const bucket = dataset.Input.S3InputDefinition?.Bucket;
  if (bucket === undefined) throw new Error(`dataset ${dataset.Name} has no S3 input; the local DataBrew service reads S3 datasets only`);
  const { prefix, pattern } = keyPattern(dataset);
  const files: DatasetFile[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const key = object.Key as string;
      if (key.endsWith("/") || isHidden(key) || !pattern.test(key)) continue;
      files.push({ bucket, key, bytes: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) });
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  const limit = dataset.PathOptions?.FilesLimit;
  if (limit === undefined) return files.sort((a, b) => a.key.localeCompare(b.key));
  const direction = limit.Order === "ASCENDING" ? 1 : -1;
  return files
    .sort((a, b) => direction * (a.lastModified.getTime() - b.lastModified.getTime()) || a.key.localeCompare(b.key))
    .slice(0, limit.MaxFiles);
}
