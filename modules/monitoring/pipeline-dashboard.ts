/**
 * The CloudWatch dashboard body of an environment's pipeline, top to bottom in the order an
 * operator asks: is anything in alarm; did last night's runs conserve their rows and how much was
 * quarantined or anomalous; how long did the Glue job take; are the handlers healthy; is anything
 * waiting in a dead-letter queue.
 */
import {
  GLUE_ELAPSED_TIME_METRIC,
  PIPELINE_METRICS,
  PIPELINE_METRICS_NAMESPACE,
  type AlarmThresholds,
} from "../../contracts/pipeline-metrics";

/** The pipeline an environment runs, as its monitoring and its dashboard both name it. */
export interface MonitoredPipeline {
  /** dev, staging, prod, local: the Environment dimension of the pipeline metrics. */
  readonly environmentName: string;
  readonly glueJobName: string;
  readonly datasetProfiles: readonly string[];
  readonly thresholds: AlarmThresholds;
}

export interface PipelineDashboardInputs extends MonitoredPipeline {
  readonly region: string;
  readonly functionNames: readonly string[];
  readonly queueNames: readonly string[];
  readonly alarmArns: readonly string[];
}

const DAY = 86_400;
const WIDTH = 24;

type MetricLine = readonly (string | Record<string, string>)[];

interface Widget {
  readonly type: "metric" | "alarm" | "text";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

export function pipelineDashboard(inputs: PipelineDashboardInputs): { widgets: Widget[] } {
  const widgets: Widget[] = [];
  let y = 0;
  const row = (height: number, ...columns: Omit<Widget, "x" | "y" | "width" | "height">[]) => {
    const width = WIDTH / columns.length;
    columns.forEach((column, index) => widgets.push({ ...column, x: index * width, y, width, height }));
    y += height;
  };
  const metric = (title: string, metrics: readonly MetricLine[], extra: Record<string, unknown> = {}) => ({
    type: "metric" as const,
    properties: { title, region: inputs.region, view: "timeSeries", stacked: false, metrics, ...extra },
  });
  const pipeline = (name: string, profile: string, stat: string): MetricLine => [
    PIPELINE_METRICS_NAMESPACE,
    name,
    "Environment",
    inputs.environmentName,
    "Profile",
    profile,
    { stat, label: `${profile} ${name}` },
  ];

  row(2, {
    type: "text",
    properties: {
      markdown: `# Sentinel ${inputs.environmentName} pipeline\nRunbook for every alarm below: docs/operations.md. Custom metrics: namespace ${PIPELINE_METRICS_NAMESPACE}, dimensions Environment and Profile.`,
    },
  });
  row(4, { type: "alarm", properties: { title: "Alarms", alarms: [...inputs.alarmArns], sortBy: "stateUpdatedTimestamp" } });
  row(
    6,
    metric(
      "Rows per run (in = out + quarantined)",
      inputs.datasetProfiles.flatMap((profile) =>
        [PIPELINE_METRICS.rowsIn, PIPELINE_METRICS.rowsOut, PIPELINE_METRICS.rowsQuarantined].map((m) => pipeline(m.name, profile, "Sum")),
      ),
      { period: DAY },
    ),
    metric(
      "Quarantine ratio and anomaly rate",
      inputs.datasetProfiles.flatMap((profile) => [
        pipeline(PIPELINE_METRICS.quarantineRatio.name, profile, "Maximum"),
        pipeline(PIPELINE_METRICS.anomalyRate.name, profile, "Maximum"),
      ]),
      {
        period: DAY,
        yAxis: { left: { min: 0, max: 1 } },
        annotations: {
          horizontal: [
            { label: "quarantine alarm", value: inputs.thresholds.quarantineRatio },
            { label: "anomaly alarm", value: inputs.thresholds.anomalyRate },
          ],
        },
      },
    ),
  );
  row(
    6,
    metric(
      "Glue run elapsed time (ms)",
      [["Glue", GLUE_ELAPSED_TIME_METRIC, "JobName", inputs.glueJobName, "JobRunId", "ALL", "Type", "count", { stat: "Maximum" }]],
      {
        period: 300,
        annotations: { horizontal: [{ label: "duration alarm", value: inputs.thresholds.jobDurationMinutes * 60_000 }] },
      },
    ),
    metric(
      "Run duration (s)",
      inputs.datasetProfiles.map((profile) => pipeline(PIPELINE_METRICS.runDuration.name, profile, "Maximum")),
      { period: DAY },
    ),
  );
  row(
    6,
    metric(
      "Handler invocations, errors, throttles",
      inputs.functionNames.flatMap((name) =>
        ["Invocations", "Errors", "Throttles"].map((metricName): MetricLine => [
          "AWS/Lambda",
          metricName,
          "FunctionName",
          name,
          { stat: "Sum", label: `${name} ${metricName}` },
        ]),
      ),
      { period: 300 },
    ),
    metric(
      "Handler duration p95 (ms)",
      inputs.functionNames.map((name): MetricLine => ["AWS/Lambda", "Duration", "FunctionName", name, { stat: "p95", label: name }]),
      { period: 300 },
    ),
  );
  row(
    6,
    metric(
      "Dead-letter queue depth",
      inputs.queueNames.map((name): MetricLine => [
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        name,
        { stat: "Maximum", label: name },
      ]),
      { period: 300 },
    ),
  );
  return { widgets };
}
