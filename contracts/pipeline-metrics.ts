/**
 * The custom CloudWatch metrics the Glue ETL job publishes once per run, the contract between the
 * job (glue-jobs/) and the alarms and dashboard here. Documented in docs/operations.md.
 * Every datapoint carries the dimensions Environment (dev, staging, prod, local) and Profile
 * (card-transactions, baf).
 */
import type { PolicyDocument } from "../modules/iam/policy-document";

export const PIPELINE_METRICS_NAMESPACE = "Sentinel/Pipeline";
export const PIPELINE_METRIC_DIMENSIONS = ["Environment", "Profile"] as const;

export interface PipelineMetric {
  readonly name: string;
  /** CloudWatch unit the job publishes the metric in. */
  readonly unit: "Count" | "None" | "Seconds";
  readonly meaning: string;
}

export const PIPELINE_METRICS = {
  rowsIn: { name: "RowsIn", unit: "Count", meaning: "rows read from the run's input files" },
  rowsOut: { name: "RowsOut", unit: "Count", meaning: "rows written to the processed tier" },
  rowsQuarantined: { name: "RowsQuarantined", unit: "Count", meaning: "rows written to quarantine (RowsIn = RowsOut + RowsQuarantined)" },
  quarantineRatio: { name: "QuarantineRatio", unit: "None", meaning: "RowsQuarantined / RowsIn, 0 to 1 (0 when RowsIn is 0)" },
  anomaliesFlagged: { name: "AnomaliesFlagged", unit: "Count", meaning: "processed rows the isolation forest flags as anomalous" },
  anomalyRate: { name: "AnomalyRate", unit: "None", meaning: "AnomaliesFlagged / RowsOut, 0 to 1 (0 when RowsOut is 0)" },
  runDuration: { name: "RunDurationSeconds", unit: "Seconds", meaning: "wall time of the run from start to published output" },
} as const satisfies Record<string, PipelineMetric>;

/** Glue's driver metric of a run's elapsed time in milliseconds, published while the run goes on (job metrics on). */
export const GLUE_ELAPSED_TIME_METRIC = "glue.driver.aggregate.elapsedTime";

/** Per-environment alarm thresholds (stacks/config: alarms). */
export interface AlarmThresholds {
  readonly jobDurationMinutes: number;
  readonly quarantineRatio: number;
  readonly anomalyRate: number;
}

/** Publish the pipeline's metrics, and only into the pipeline's namespace (for the Glue job's role). */
export function grantPublishPipelineMetrics(policy: PolicyDocument): void {
  policy.addStatement({
    sid: "PublishPipelineMetrics",
    actions: ["cloudwatch:PutMetricData"],
    resources: ["*"],
    conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: [PIPELINE_METRICS_NAMESPACE] }],
  });
}
