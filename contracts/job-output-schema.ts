/**
 * The columns the ETL job really writes, per profile and tier, as recorded from a run of the job by
 * `npm run glue:output-schemas` (tools/glue/describe_job_output.py) in job-output-schemas.json.
 * The catalog tables are declared from it rather than from a second, hand-kept list.
 *
 * At synth the recording is checked against the profiles: each declared column must be in both tiers
 * with the type the job gives it (tokens are strings; quarantined rows keep the raw text), so editing a
 * profile without recording the job's output again fails synth instead of deploying a wrong table.
 * test/modules/glue-output-schema.test.ts runs the job and compares its output with the recording.
 */
import recorded from "./job-output-schemas.json";
import { PARTITION_COLUMN } from "./data-layout";
import type { DatasetProfile, ProfileColumnType } from "./dataset-profiles";

export interface OutputColumn {
  readonly name: string;
  /** Spark SQL type name, which is also the Glue Catalog (Hive) type: string, bigint, double, ... */
  readonly type: string;
}

export interface JobOutputSchema {
  /** Columns of the processed tier, the partition column excluded. */
  readonly processed: readonly OutputColumn[];
  /** Columns of the quarantine tier, the partition column excluded. */
  readonly quarantine: readonly OutputColumn[];
}

export type RecordedOutputSchemas = Record<string, { processed: OutputColumn[]; quarantine: OutputColumn[] }>;

/** The type Spark gives each declared column type once parsed (glue-jobs/sentinel_etl/ingest.py). */
export const PARSED_TYPES: Readonly<Record<ProfileColumnType, string>> = {
  string: "string",
  integer: "bigint",
  double: "double",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp",
};

const REFRESH = "run `npm run glue:output-schemas` to record the job's output again";

export function jobOutputSchemaOf(profile: DatasetProfile, schemas: RecordedOutputSchemas = recorded): JobOutputSchema {
  const entry = schemas[profile.name];
  if (entry === undefined) throw new Error(`no recorded output schema for profile ${profile.name}: ${REFRESH}`);
  const tier = (name: "processed" | "quarantine", columns: readonly OutputColumn[]): OutputColumn[] => {
    const partition = columns.find((column) => column.name === PARTITION_COLUMN);
    if (partition?.type !== "date")
      throw new Error(`recorded ${name} schema of ${profile.name} has no ${PARTITION_COLUMN} date partition: ${REFRESH}`);
    return columns.filter((column) => column.name !== PARTITION_COLUMN);
  };
  const schema = { processed: tier("processed", entry.processed), quarantine: tier("quarantine", entry.quarantine) };
  for (const column of profile.columns) {
    const expected = profile.tokenized.has(column.name) ? "string" : PARSED_TYPES[column.type];
    const processed = schema.processed.find((candidate) => candidate.name === column.name);
    if (processed?.type !== expected) {
      throw new Error(
        `recorded processed schema of ${profile.name} has ${column.name} as ${processed?.type ?? "missing"}, the profile makes it ${expected}: ${REFRESH}`,
      );
    }
    const quarantined = schema.quarantine.find((candidate) => candidate.name === column.name);
    if (quarantined?.type !== "string") {
      throw new Error(
        `recorded quarantine schema of ${profile.name} has ${column.name} as ${quarantined?.type ?? "missing"}, quarantined rows keep raw text: ${REFRESH}`,
      );
    }
  }
  return schema;
}
