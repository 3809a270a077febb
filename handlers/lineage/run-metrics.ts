/**
 * `run-metrics.json`, written by the Glue ETL job at `<--metrics_location>/run-metrics.json`: the contract
 * with glue-jobs/. Unknown extra fields pass through untouched. The fitted-state fields are null when the
 * run fitted nothing: a profile without merchant codes, a run with no new input, a run that failed early.
 */
import { z } from "zod";

const count = z.number().int().nonnegative();
/** versions may be written as strings or numbers; lineage records them as strings */
const version = z.union([z.string().min(1), z.number()]).transform(String);

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
  bin_edges: z.looseObject({ version, column: z.string(), method: z.string(), edges: z.array(z.number()) }).nullable(),
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
  /** set by a failed run */
  error: z.looseObject({ type: z.string(), message: z.string() }).optional(),
});
export type RunMetrics = z.infer<typeof runMetricsSchema>;

export const RUN_METRICS_FILE = "run-metrics.json";
