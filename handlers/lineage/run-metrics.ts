/**
 * `run-metrics.json`, written by the Glue ETL job at `<--metrics_location>/run-metrics.json`: the contract
 * with glue-jobs/. Unknown extra fields pass through untouched. The fitted-state fields are null when the
 * run fitted nothing: a profile without merchant codes, a run with no new input, a run that failed early.
 */
import { z } from "zod";

const count = z.number().int().nonnegative();
/** versions may be written as strings or numbers; lineage records them as strings */
const version = z.union([z.string().min(1), z.number()]).transform(String);

/** How one output column depends on one input column (glue-jobs/sentinel_etl/column_lineage.py). */
const columnTransformation = z.looseObject({
  type: z.enum(["DIRECT", "INDIRECT"]),
  subtype: z.string().min(1),
  description: z.string(),
  masking: z.boolean(),
});
const inputFieldLineage = z.looseObject({ field: z.string().min(1), transformations: z.array(columnTransformation) });
const outputLineage = z.looseObject({
  /** output column -> the input columns it is made from */
  fields: z.record(z.string(), z.array(inputFieldLineage)),
  /** input columns that decide which rows the output holds (validation) */
  dataset: z.array(inputFieldLineage).default([]),
});
/** The job's plan of transformations: the raw input's columns and, per output, each column's inputs. */
export const columnLineagePlanSchema = z.looseObject({
  input_fields: z.array(z.looseObject({ name: z.string().min(1), type: z.string().min(1) })),
  outputs: z.looseObject({ processed: outputLineage.optional(), quarantine: outputLineage.optional() }),
});
export type ColumnLineagePlan = z.infer<typeof columnLineagePlanSchema>;
export type OutputColumnLineage = z.infer<typeof outputLineage>;

export const runMetricsSchema = z.looseObject({
  run_id: z.string().min(1),
  job_name: z.string().min(1),
  profile: z.string().min(1),
  run_date: z.iso.date(),
  status: z.string().min(1),
  started_at: z.string().min(1),
  completed_at: z.string().nullish(),
  input: z.looseObject({
    paths: z.array(z.string()),
    files: z.array(z.looseObject({ path: z.string().min(1), bytes: count })),
  }),
  rows_in: count,
  rows_out: count,
  rows_quarantined: count,
  quarantine_reasons: z.record(z.string(), count),
  anomalies_flagged: count,
  tokenized_columns: z.record(z.string(), z.string()),
  key_version: version.nullable(),
  bin_edges: z
    .looseObject({
      version,
      column: z.string(),
      method: z.string(),
      edges: z.array(z.number()),
      /** binned within each value of this column (glue-jobs/sentinel_etl/binning.py GroupedBinEdges) */
      group_by: z.string().nullish(),
      groups: z.record(z.string(), z.looseObject({ version, edges: z.array(z.number()) })).optional(),
    })
    .nullable(),
  merchant_mapping: z.looseObject({ version, codes_version: version }).nullable(),
  /** the isolation forest: its hash, and its parameters either under `params` or as the other fields */
  model: z.looseObject({ hash: z.string().min(1), params: z.record(z.string(), z.json()).optional() }).nullable(),
  output: z.looseObject({
    processed_path: z.string().min(1),
    quarantine_path: z.string().min(1),
    partitions: z.union([z.array(z.string()), count]),
  }),
  processed_schema: z.array(z.looseObject({ name: z.string().min(1), type: z.string().min(1) })),
  timings_seconds: z.record(z.string(), z.number()).default({}),
  /** absent in metrics of jobs built before column lineage, and when the run failed before reading its config */
  column_lineage: columnLineagePlanSchema.optional(),
  /** set by a failed run */
  error: z.looseObject({ type: z.string(), message: z.string() }).optional(),
});
export type RunMetrics = z.infer<typeof runMetricsSchema>;

export const RUN_METRICS_FILE = "run-metrics.json";
