/** Run metrics and job events as the Glue job and EventBridge produce them, for lineage tests. */
import type { LineageEventType } from "../../../handlers/lineage/job-state-event";
import type { ObservedJobRun } from "../../../handlers/lineage/observed-job-run";
import { runMetricsSchema, type RunMetrics } from "../../../handlers/lineage/run-metrics";
import { glueJobArguments } from "../../../handlers/trigger/glue-arguments";
import { PROCESSED_BUCKET, RAW_BUCKET } from "./emulated-platform";
import { triggerConfig } from "./handler-config";

/** The pipeline run the lineage fixtures belong to. */
export const PIPELINE_RUN = "6f1c2a9e-8d4b-5c3a-9e1f-0a2b3c4d5e6f";

/**
 * The lineage records (`job:eventType`, sorted) that one successful local run of card-transactions writes: a START
 * and a COMPLETE each for the pipeline run, the DataBrew PII profile run and the ETL run.
 */
export const LOCAL_RUN_LINEAGE_RECORDS: readonly string[] = [
  "pipeline.card-transactions:COMPLETE",
  "pipeline.card-transactions:START",
  "sentinel-local-card-transactions-pii-profile:COMPLETE",
  "sentinel-local-card-transactions-pii-profile:START",
  "sentinel-local-etl:COMPLETE",
  "sentinel-local-etl:START",
];

/** What the lineage handler answers for a run it recorded: its START and its terminal record, each newly written. */
export function startAndTerminalWritten(terminal: Exclude<LineageEventType, "START">): { eventType: LineageEventType; written: boolean }[] {
  return [
    { eventType: "START", written: true },
    { eventType: terminal, written: true },
  ];
}

/** The ETL job's arguments for that run (card-transactions, 2026-03-01, first attempt), as the trigger passes them. */
export function cardTransactionsJobArguments(): Record<string, string> {
  return glueJobArguments(
    triggerConfig,
    { environment: "local", profile: "card-transactions", runDate: "2026-03-01", attempt: 1 },
    PIPELINE_RUN,
    undefined,
    false,
  );
}

export function runMetricsDocument(overrides: Partial<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    run_id: "jr_0001",
    job_name: "sentinel-local-etl",
    profile: "card-transactions",
    run_date: "2026-03-01",
    status: "SUCCEEDED",
    started_at: "2026-03-02T02:00:10Z",
    completed_at: "2026-03-02T02:09:40Z",
    input: {
      paths: [`s3://${RAW_BUCKET}/card-transactions/run_date=2026-03-01/`],
      files: [
        { path: `s3://${RAW_BUCKET}/card-transactions/run_date=2026-03-01/part-0000.csv`, bytes: 1200 },
        { path: `s3://${RAW_BUCKET}/card-transactions/run_date=2026-03-01/part-0001.csv`, bytes: 800 },
      ],
    },
    rows_in: 1000,
    rows_out: 990,
    rows_quarantined: 10,
    quarantine_reasons: { AMOUNT_NEGATIVE: 6, MCC_UNKNOWN: 4 },
    anomalies_flagged: 12,
    tokenized_columns: { customer_id: "hmac-sha256", account_number: "ff3-1", email: "hmac-sha256" },
    key_version: "v3",
    bin_edges: { version: "2026-01-01", column: "amount", method: "quantile", edges: [0, 10.5, 42, 180, 1200] },
    merchant_mapping: { version: "7", codes_version: "iso18245-2023" },
    model: { hash: "sha256:9f2c", params: { n_estimators: 100, max_samples: 256, seed: 42 } },
    output: {
      processed_path: `s3://${PROCESSED_BUCKET}/card-transactions/`,
      quarantine_path: `s3://${PROCESSED_BUCKET}/quarantine/card-transactions/`,
      partitions: ["run_date=2026-03-01"],
    },
    processed_schema: [
      { name: "customer_token", type: "string" },
      { name: "amount_bin", type: "int" },
      { name: "anomaly_score", type: "double" },
    ],
    timings_seconds: { read: 12.5, transform: 300.1, write: 20 },
    spark_version: "3.5.4",
    ...overrides,
  };
}

export function runMetrics(overrides: Partial<Record<string, unknown>> = {}): RunMetrics {
  return runMetricsSchema.parse(runMetricsDocument(overrides));
}

export function glueStateChange(
  jobName: string,
  jobRunId: string,
  state: string,
  id = `evt-${state}-${jobRunId}`,
): Record<string, unknown> {
  return {
    version: "0",
    id,
    "detail-type": "Glue Job State Change",
    source: "aws.glue",
    account: "123456789012",
    time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: "eu-central-2",
    resources: [],
    detail: { jobName, severity: state === "SUCCEEDED" ? "INFO" : "ERROR", state, jobRunId, message: `Job run ${state.toLowerCase()}` },
  };
}

export function databrewStateChange(jobName: string, jobRunId: string, state: string): Record<string, unknown> {
  return { ...glueStateChange(jobName, jobRunId, state), source: "aws.databrew", "detail-type": "DataBrew Job State Change" };
}

export function observedGlueRun(args: Record<string, string>, overrides: Partial<ObservedJobRun> = {}): ObservedJobRun {
  return {
    service: "glue",
    jobName: "sentinel-local-etl",
    jobRunId: "jr_0001",
    startedOn: new Date("2026-03-02T02:00:10Z"),
    completedOn: new Date("2026-03-02T02:09:40Z"),
    errorMessage: undefined,
    engine: { name: "AWS Glue", version: "5.0" },
    arguments: args,
    sourceCode: { url: "s3://sentinel-local-artifacts/glue-jobs/etl_job.py", version: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" },
    inputUris: [args["--input_prefix"] as string],
    outputs: [
      { role: "processed", uri: args["--output_location"] as string },
      { role: "quarantine", uri: args["--quarantine_location"] as string },
    ],
    datasetName: undefined,
    ...overrides,
  };
}
