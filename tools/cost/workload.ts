/**
 * What the stack cannot say: how much data flows. Every volume the cost model uses is one of these
 * assumptions, printed with the estimate and overridable on the command line (docs/cost.md explains
 * each default and where it comes from).
 */

export interface Workload {
  /** Input rows per pipeline run (a BAF variant is 1,000,000 rows). */
  readonly rowsPerRun: number;
  /** Raw CSV bytes per row: the card-transactions generator writes about 165. */
  readonly rawBytesPerRow: number;
  /** Processed Parquet size relative to the raw CSV. */
  readonly processedToRawRatio: number;
  /**
   * ETL throughput per DPU, rows per DPU-second, for the runtime of a run at the configured capacity. A DPU
   * is 4 vCPUs; the default is calibrated from the local measurement in docs/benchmarks.md (see docs/cost.md).
   */
  readonly rowsPerDpuSecond: number;
  /** Fixed start-up of a Glue 5.0 run, minutes (billed: the run is billed from start). */
  readonly glueStartupMinutes: number;
  /** Minutes a DataBrew PII profile job runs (billed per minute at its node count). */
  readonly databrewMinutesPerRun: number;
  /** Driver and executor log volume per Glue run, MB (continuous logging). */
  readonly glueLogMbPerRun: number;
  /** VPC flow log volume per day, GB. */
  readonly flowLogGbPerDay: number;
  /** KMS requests per run (S3 bucket keys keep S3's share low; logs, key unwrap, Lambda env). */
  readonly kmsRequestsPerRun: number;
  /** GB per run through interface endpoints (Glue, DataBrew, Logs, KMS APIs; S3 uses the free gateway). */
  readonly endpointGbPerRun: number;
  /** S3 requests per run (writes and reads of data files, state, records). */
  readonly s3PutsPerRun: number;
  readonly s3GetsPerRun: number;
  /** Lambda invocations per run: the trigger once, lineage and audit once per job state change. */
  readonly lambdaInvocationsPerRun: number;
  readonly lambdaSecondsPerInvocation: number;
  /** Months of accumulated data the storage lines price (lifecycle transitions apply by age). */
  readonly storageHorizonMonths: number;
}

export const DEFAULT_WORKLOAD: Workload = {
  rowsPerRun: 1_000_000,
  rawBytesPerRow: 165,
  processedToRawRatio: 0.4,
  rowsPerDpuSecond: 550,
  glueStartupMinutes: 1,
  databrewMinutesPerRun: 5,
  glueLogMbPerRun: 20,
  flowLogGbPerDay: 0.2,
  kmsRequestsPerRun: 5_000,
  endpointGbPerRun: 0.05,
  s3PutsPerRun: 500,
  s3GetsPerRun: 2_000,
  lambdaInvocationsPerRun: 9,
  lambdaSecondsPerInvocation: 1,
  storageHorizonMonths: 12,
};

/** Command-line names of the overridable assumptions (kebab-case of the field). */
export function optionName(field: keyof Workload): string {
  return field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
