/** Monitoring: the encrypted alarm topic, the event-driven job-failure alarm, the metric alarms, the dashboard. */
import { describe, expect, it } from "vitest";
import {
  GLUE_ELAPSED_TIME_METRIC,
  PIPELINE_METRICS,
  PIPELINE_METRICS_NAMESPACE,
  grantPublishPipelineMetrics,
} from "../../contracts/pipeline-metrics";
import { PolicyDocument } from "../../modules/iam/policy-document";
import { ACCOUNT, DATABREW_JOB_NAMES, JOBS, PREFIX, PROFILES, THRESHOLDS, REGION, operationsJson } from "./support/operations-fixture";
import { onlyResourceOf, referencedId, resourcesBy, resourcesOf, statementsOf, type Config } from "./support/synth";

const alarms = () =>
  resourcesBy(operationsJson(), "aws_cloudwatch_metric_alarm", (alarm) => String(alarm.alarm_name).replace(`${PREFIX}-`, ""));
const topicId = () => Object.keys(resourcesOf(operationsJson(), "aws_sns_topic"))[0] as string;

describe("alarm topic", () => {
  it("is SNS encrypted with the operations key, e-mailing the alarm address", () => {
    const topic = onlyResourceOf(operationsJson(), "aws_sns_topic");
    expect(topic.name).toBe(`${PREFIX}-alarms`);
    expect(referencedId(topic.kms_master_key_id)).toMatch(/^operations-key_/);
    expect(onlyResourceOf(operationsJson(), "aws_sns_topic_subscription")).toMatchObject({
      protocol: "email",
      endpoint: "alarms@example.com",
    });
  });

  it("admits CloudWatch for this environment's alarms, EventBridge for the job-failure rule only, and no plain HTTP", () => {
    const statements = statementsOf(onlyResourceOf(operationsJson(), "aws_sns_topic_policy").policy);
    expect(statements.map((statement) => statement.Sid)).toEqual([
      "DenyInsecureTransport",
      "CloudWatchAlarmsOfThisEnvironment",
      "EventsFromJobFailedRule",
    ]);
    expect(statements[1]?.Condition).toEqual({
      ArnLike: { "aws:SourceArn": [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${PREFIX}-*`] },
      StringEquals: { "aws:SourceAccount": [ACCOUNT] },
    });
    expect(statements[2]).toMatchObject({ Principal: { Service: ["events.amazonaws.com"] }, Action: ["sns:Publish"] });
    expect(statements[2]?.Condition?.ArnEquals?.["aws:SourceArn"]?.map(referencedId)).toEqual([
      expect.stringMatching(/^monitoring_job-failed_/),
    ]);
  });

  it("lets CloudWatch and EventBridge use the topic's key for this account only", () => {
    const key = Object.entries(resourcesOf(operationsJson(), "aws_kms_key")).find(([id]) => id.startsWith("operations-key"))?.[1] as Config;
    const sids = statementsOf(key.policy).map((statement) => statement.Sid);
    expect(sids).toEqual(expect.arrayContaining(["CloudwatchEncryptsForThisAccount", "EventsEncryptsForThisAccount"]));
    for (const statement of statementsOf(key.policy).filter((candidate) => candidate.Sid.endsWith("EncryptsForThisAccount"))) {
      expect(statement.Condition).toEqual({ StringEquals: { "aws:SourceAccount": [ACCOUNT] } });
    }
  });
});

describe("job-failure alarm", () => {
  it("is a rule on failed, timed-out or errored runs of this environment's Glue and DataBrew jobs, delivered to the topic", () => {
    const rule = Object.entries(resourcesOf(operationsJson(), "aws_cloudwatch_event_rule")).find(([id]) =>
      id.startsWith("monitoring_job-failed_"),
    )?.[1] as Config;
    expect(JSON.parse(String(rule.event_pattern))).toEqual({
      source: ["aws.glue", "aws.databrew"],
      "detail-type": ["Glue Job State Change", "DataBrew Job State Change"],
      detail: { jobName: [JOBS.glueJobName, ...DATABREW_JOB_NAMES], state: ["FAILED", "TIMEOUT", "ERROR"] },
    });
    const target = Object.values(resourcesOf(operationsJson(), "aws_cloudwatch_event_target")).find(
      (candidate) => candidate.target_id === "alarm-topic",
    ) as Config;
    expect(referencedId(target.arn)).toBe(topicId());
    expect(referencedId((target.dead_letter_config as Config).arn)).toMatch(/^job-state-routing_dead-letters_queue_/);
    expect(String((target.input_transformer as Config).input_template)).toContain("Runbook: docs/operations.md, alarm job-failed.");
  });
});

describe("metric alarms", () => {
  it("cover job duration, quarantine ratio and anomaly rate per profile, every dead-letter queue and every handler", () => {
    expect(Object.keys(alarms()).sort()).toEqual(
      [
        "glue-job-duration",
        ...PROFILES.flatMap((profile) => [`${profile}-quarantine-ratio`, `${profile}-anomaly-rate`]),
        ...["trigger", "lineage", "audit", "schedule", "job-event"].map((queue) => `${queue}-dead-letters`),
        ...["trigger", "lineage", "audit"].map((handler) => `${handler}-errors`),
      ].sort(),
    );
  });

  it("notify the topic on alarm and on recovery, and treat no data as no problem", () => {
    for (const [name, alarm] of Object.entries(alarms())) {
      expect((alarm.alarm_actions as string[]).map(referencedId), name).toEqual([topicId()]);
      expect((alarm.ok_actions as string[]).map(referencedId), name).toEqual([topicId()]);
      expect(alarm).toMatchObject({
        comparison_operator: "GreaterThanThreshold",
        treat_missing_data: "notBreaching",
        evaluation_periods: 1,
      });
      expect(String(alarm.alarm_description)).toContain(`Runbook: docs/operations.md, alarm ${name}.`);
    }
  });

  it("use the configured thresholds on the metrics the job publishes", () => {
    expect(alarms()["glue-job-duration"]).toMatchObject({
      namespace: "Glue",
      metric_name: GLUE_ELAPSED_TIME_METRIC,
      dimensions: { JobName: JOBS.glueJobName, JobRunId: "ALL", Type: "count" },
      statistic: "Maximum",
      threshold: THRESHOLDS.jobDurationMinutes * 60_000,
    });
    for (const profile of PROFILES) {
      expect(alarms()[`${profile}-quarantine-ratio`]).toMatchObject({
        namespace: PIPELINE_METRICS_NAMESPACE,
        metric_name: "QuarantineRatio",
        dimensions: { Environment: "test", Profile: profile },
        threshold: THRESHOLDS.quarantineRatio,
      });
      expect(alarms()[`${profile}-anomaly-rate`]).toMatchObject({ metric_name: "AnomalyRate", threshold: THRESHOLDS.anomalyRate });
    }
    expect(alarms()["trigger-dead-letters"]).toMatchObject({
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: `${PREFIX}-trigger-dead-letters` },
      threshold: 0,
    });
    expect(alarms()["lineage-errors"]).toMatchObject({
      namespace: "AWS/Lambda",
      metric_name: "Errors",
      dimensions: { FunctionName: `${PREFIX}-lineage` },
      statistic: "Sum",
      threshold: 0,
    });
  });
});

describe("pipeline metrics contract", () => {
  it("names the metrics the alarms and dashboard read", () => {
    expect(Object.values(PIPELINE_METRICS).map((metric) => metric.name)).toEqual([
      "RowsIn",
      "RowsOut",
      "RowsQuarantined",
      "QuarantineRatio",
      "AnomaliesFlagged",
      "AnomalyRate",
      "RunDurationSeconds",
    ]);
  });

  it("lets a publisher put metrics into the pipeline namespace only", () => {
    const policy = PolicyDocument.identity("glue-job");
    grantPublishPipelineMetrics(policy);
    expect(policy.render().Statement).toEqual([
      {
        Sid: "PublishPipelineMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData"],
        Resource: ["*"],
        Condition: { StringEquals: { "cloudwatch:namespace": ["Sentinel/Pipeline"] } },
      },
    ]);
  });
});

describe("dashboard", () => {
  it("shows the alarms, the run metrics per profile, the Glue job, the handlers and the dead-letter queues", () => {
    const dashboard = onlyResourceOf(operationsJson(), "aws_cloudwatch_dashboard");
    expect(dashboard.dashboard_name).toBe(`${PREFIX}-pipeline`);
    const body = JSON.parse(String(dashboard.dashboard_body)) as {
      widgets: {
        type: string;
        x: number;
        width: number;
        properties: { title?: string; metrics?: unknown[][]; alarms?: string[]; region?: string };
      }[];
    };
    const titles = body.widgets.map((widget) => widget.properties.title).filter(Boolean);
    expect(titles).toEqual([
      "Alarms",
      "Rows per run (in = out + quarantined)",
      "Quarantine ratio and anomaly rate",
      "Glue run elapsed time (ms)",
      "Run duration (s)",
      "Handler invocations, errors, throttles",
      "Handler duration p95 (ms)",
      "Dead-letter queue depth",
    ]);
    expect(body.widgets.find((widget) => widget.type === "alarm")?.properties.alarms).toHaveLength(Object.keys(alarms()).length);
    const metricLines = body.widgets
      .flatMap((widget) => widget.properties.metrics ?? [])
      .map((line) => line.filter((part) => typeof part === "string").join(" "));
    for (const profile of PROFILES)
      expect(metricLines).toContain(`${PIPELINE_METRICS_NAMESPACE} RowsQuarantined Environment test Profile ${profile}`);
    for (const handler of ["trigger", "lineage", "audit"])
      expect(metricLines).toContain(`AWS/Lambda Errors FunctionName ${PREFIX}-${handler}`);
    expect(metricLines).toContain(`AWS/SQS ApproximateNumberOfMessagesVisible QueueName ${PREFIX}-job-event-dead-letters`);
    expect(body.widgets.filter((widget) => widget.type === "metric").every((widget) => widget.properties.region === REGION)).toBe(true);
    expect(body.widgets.every((widget) => widget.x + widget.width <= 24)).toBe(true);
  });
});
