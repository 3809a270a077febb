/**
 * The findings of a DataBrew PII profile run, read from the profile result it wrote (the job's output
 * location, the object whose name carries the run id): per column, the entity types it is taken to hold
 * and the matches per evaluated type. Counts and type names only; the result never holds a data value.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { listKeys, readJson } from "../shared/object-store";
import { formatS3Uri, parseS3Uri } from "../shared/s3-uri";

const profileResultSchema = z.looseObject({
  rowsProfiled: z.number().int().nonnegative(),
  columns: z.array(
    z.looseObject({
      name: z.string().min(1),
      detectedEntityTypes: z.array(z.string().min(1)).default([]),
      entities: z.array(z.looseObject({ entityType: z.string().min(1), count: z.number().int().nonnegative() })).default([]),
    }),
  ),
});

export interface ColumnFindings {
  readonly entityTypes: readonly string[];
  readonly matches: Readonly<Record<string, number>>;
}

export interface PiiFindings {
  readonly profileLocation: string;
  readonly rowsProfiled: number;
  /** in the profiled file's column order */
  readonly columns: ReadonlyMap<string, ColumnFindings>;
}

export class ProfileResultError extends Error {
  override readonly name = "ProfileResultError";
}

/** undefined when the run wrote no result under its output location (a failed or aborted profile). */
export async function readPiiFindings(s3: S3Client, outputUri: string, jobRunId: string): Promise<PiiFindings | undefined> {
  const { bucket, key: prefix } = parseS3Uri(outputUri);
  const key = (await listKeys(s3, bucket, prefix)).find((candidate) => candidate.endsWith(".json") && (candidate.split("/").pop() ?? "").includes(jobRunId));
  if (key === undefined) return undefined;
  const profileLocation = formatS3Uri({ bucket, key });
  const stored = await readJson(s3, bucket, key);
  if (stored === undefined) return undefined;
  const parsed = profileResultSchema.safeParse(stored.body);
  if (!parsed.success) {
    throw new ProfileResultError(`${profileLocation} is not a PII profile result: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  }
  const columns = new Map(
    parsed.data.columns.map((column) => [
      column.name,
      { entityTypes: [...column.detectedEntityTypes], matches: Object.fromEntries(column.entities.map((entity) => [entity.entityType, entity.count])) },
    ]),
  );
  return { profileLocation, rowsProfiled: parsed.data.rowsProfiled, columns };
}

/** A dataset path template's placeholders filled in: `{run_date}` with the day profiled; anything still
 * unresolved cuts the path back to its literal prefix (never a `{name}` in a dataset name). */
export function resolveDatasetPath(uri: string, runDate: string | undefined): string {
  const filled = runDate === undefined ? uri : uri.replaceAll("{run_date}", runDate);
  const open = filled.search(/[{<]/);
  if (open === -1) return filled;
  return filled.slice(0, filled.lastIndexOf("/", open) + 1);
}
