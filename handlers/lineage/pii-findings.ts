/**
 * The findings of a DataBrew PII profile run, read from the profile result it wrote (the job's output
 * location under pii-profiles/ in the raw bucket, the object whose name carries the run id): per column,
 * the entity types it is taken to hold and the matches per evaluated type.
 *
 * A profile result may quote data: DataBrew's column statistics include sample and most common values,
 * and a file profiled without a header line names its columns by its first row. So nothing is copied from
 * the result as it stands: the findings are rebuilt from an allow-list of fields (column name, entity
 * types, counts), every entity type must be one DataBrew defines, and every column name an identifier;
 * anything else is refused with an error that names where it is, never what it holds.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { DATABREW_ENTITY_TYPES } from "../../contracts/databrew-entity-types";
import { listKeys, readJson } from "../shared/object-store";
import { formatS3Uri, parseS3Uri } from "../shared/s3-uri";

/** What a dataset's column may be called: a first row of data taken for a header does not pass. */
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const entityType = z.enum(DATABREW_ENTITY_TYPES);

// zod issues carry the offending input only when asked (reportInput); messages name the path and the rule.
const profileResultSchema = z.looseObject({
  rowsProfiled: z.number().int().nonnegative(),
  columns: z.array(
    z.looseObject({
      name: z.string().regex(COLUMN_NAME, "not an identifier (a file without a header line names its columns by its first row)"),
      detectedEntityTypes: z.array(entityType).default([]),
      entities: z.array(z.looseObject({ entityType, count: z.number().int().nonnegative() })).default([]),
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
  const key = (await listKeys(s3, bucket, prefix)).find(
    (candidate) => candidate.endsWith(".json") && (candidate.split("/").pop() ?? "").includes(jobRunId),
  );
  if (key === undefined) return undefined;
  const profileLocation = formatS3Uri({ bucket, key });
  const stored = await readJson(s3, bucket, key);
  if (stored === undefined) return undefined;
  const parsed = profileResultSchema.safeParse(stored.body);
  if (!parsed.success) {
    throw new ProfileResultError(
      `${profileLocation} is not a PII profile result: ${parsed.error.issues
        .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
        .join("; ")}`,
    );
  }
  // rebuilt field by field: the loose objects' other fields (sample values, statistics) are never copied
  const columns = new Map<string, ColumnFindings>(
    parsed.data.columns.map((column) => [
      column.name,
      {
        entityTypes: column.detectedEntityTypes.map((type) => String(type)),
        matches: Object.fromEntries(column.entities.map((entity) => [String(entity.entityType), Number(entity.count)])),
      },
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
