/**
 * What tells an operator that the pipeline needs them, per environment: an encrypted alarm topic
 * (e-mail), an event-driven alarm on any failed Glue or DataBrew run of this environment, metric
 * alarms on a run taking too long, on the quarantine ratio and anomaly rate the job publishes, on
 * anything sitting in a dead-letter queue and on handler errors, and one dashboard of it all.
 * Each alarm's response is described in docs/operations.md under the alarm's purpose.
 */
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import type { EnvironmentScopeProps } from "../iam/arns";
import type { DeadLetterQueue } from "../handlers/dead-letter-queue";
import type { PipelineFunction } from "../handlers/pipeline-function";
import { FAILED_STATES, JOB_EVENT_SOURCES } from "../../contracts/job-events";
import { AlarmTopic } from "./alarm-topic";
import { pipelineDashboard, type MonitoredPipeline } from "./pipeline-dashboard";
import { GLUE_ELAPSED_TIME_METRIC, PIPELINE_METRICS, PIPELINE_METRICS_NAMESPACE } from "../../contracts/pipeline-metrics";

export interface PipelineMonitoringProps extends EnvironmentScopeProps, MonitoredPipeline {
  readonly alarmEmail: string;
  readonly operationsKey: PlatformKey;
  readonly databrewJobNames: readonly string[];
  readonly handlers: readonly PipelineFunction[];
  readonly deadLetterQueues: readonly DeadLetterQueue[];
  /** Where undeliverable job-failure notifications go. */
  readonly eventDeadLetterQueue: DeadLetterQueue;
}

const FIVE_MINUTES = 300;
const ONE_HOUR = 3600;

export class PipelineMonitoring extends Construct {
  readonly topic: AlarmTopic;
  readonly alarms: readonly CloudwatchMetricAlarm[];
  readonly jobFailureRuleArn: string;
  readonly dashboardName: string;
  private readonly props: PipelineMonitoringProps;
  private readonly made: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    this.props = props;
    const { namePrefix, thresholds } = props;
    this.topic = new AlarmTopic(this, "topic", {
      topicName: `${namePrefix}-alarms`,
      key: props.operationsKey,
      account: props.account,
      email: props.alarmEmail,
      alarmNamePrefix: `${namePrefix}-`,
    });
    this.jobFailureRuleArn = this.jobFailureRule();

    this.alarm("glue-job-duration", {
      description: `A ${props.glueJobName} run has been going for more than ${thresholds.jobDurationMinutes} minutes`,
      namespace: "Glue",
      metricName: GLUE_ELAPSED_TIME_METRIC,
      dimensions: { JobName: props.glueJobName, JobRunId: "ALL", Type: "count" },
      statistic: "Maximum",
      period: FIVE_MINUTES,
      threshold: thresholds.jobDurationMinutes * 60_000,
    });
    for (const profile of props.datasetProfiles) {
      const dimensions = { Environment: props.environmentName, Profile: profile };
      this.alarm(`${profile}-quarantine-ratio`, {
        description: `More than ${thresholds.quarantineRatio * 100}% of a ${profile} run's rows were quarantined`,
        namespace: PIPELINE_METRICS_NAMESPACE,
        metricName: PIPELINE_METRICS.quarantineRatio.name,
        dimensions,
        statistic: "Maximum",
        period: ONE_HOUR,
        threshold: thresholds.quarantineRatio,
      });
      this.alarm(`${profile}-anomaly-rate`, {
        description: `More than ${thresholds.anomalyRate * 100}% of a ${profile} run's rows were flagged anomalous`,
        namespace: PIPELINE_METRICS_NAMESPACE,
        metricName: PIPELINE_METRICS.anomalyRate.name,
        dimensions,
        statistic: "Maximum",
        period: ONE_HOUR,
        threshold: thresholds.anomalyRate,
      });
    }
    for (const queue of props.deadLetterQueues) {
      // Queue names are <prefix>-<purpose>-dead-letters; the alarm takes the same name.
      this.alarm(queue.queueName.slice(namePrefix.length + 1), {
        description: `Messages are waiting in ${queue.queueName}: something failed for good and needs a look`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: queue.queueName },
        statistic: "Maximum",
        period: FIVE_MINUTES,
        threshold: 0,
      });
    }
    for (const handler of props.handlers) {
      this.alarm(`${handler.node.id}-errors`, {
        description: `The ${handler.functionName} handler failed an invocation (it will be retried, then dead-lettered)`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: handler.functionName },
        statistic: "Sum",
        period: FIVE_MINUTES,
        threshold: 0,
      });
    }
    this.alarms = this.made;

    this.dashboardName = `${namePrefix}-pipeline`;
    new CloudwatchDashboard(this, "dashboard", {
      dashboardName: this.dashboardName,
      dashboardBody: JSON.stringify(
        pipelineDashboard({
          environmentName: props.environmentName,
          glueJobName: props.glueJobName,
          datasetProfiles: props.datasetProfiles,
          thresholds,
          region: props.account.region,
          functionNames: props.handlers.map((handler) => handler.functionName),
          queueNames: props.deadLetterQueues.map((queue) => queue.queueName),
          alarmArns: this.made.map((alarm) => alarm.arn),
        }),
      ),
    });
  }

  /** Any failed, timed-out or errored run of this environment's jobs, straight to the topic. */
  private jobFailureRule(): string {
    const { props } = this;
    const rule = new CloudwatchEventRule(this, "job-failed", {
      name: `${props.namePrefix}-job-failed`,
      description: "A Glue or DataBrew run of this environment failed, timed out or errored -> alarm topic",
      eventPattern: JSON.stringify({
        source: [JOB_EVENT_SOURCES.glue.source, JOB_EVENT_SOURCES.databrew.source],
        "detail-type": [JOB_EVENT_SOURCES.glue.detailType, JOB_EVENT_SOURCES.databrew.detailType],
        detail: { jobName: [props.glueJobName, ...props.databrewJobNames], state: [...FAILED_STATES] },
      }),
      state: "ENABLED",
    });
    new CloudwatchEventTarget(this, "job-failed-to-topic", {
      rule: rule.name,
      targetId: "alarm-topic",
      arn: this.topic.topicArn,
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 },
      deadLetterConfig: { arn: props.eventDeadLetterQueue.queueArn },
      inputTransformer: {
        inputPaths: {
          source: "$.source",
          jobName: "$.detail.jobName",
          jobRunId: "$.detail.jobRunId",
          state: "$.detail.state",
          time: "$.time",
          message: "$.detail.message",
        },
        inputTemplate: `"Sentinel ${props.environmentName}: <source> job <jobName> run <jobRunId> ended <state> at <time>. <message> Runbook: docs/operations.md, alarm job-failed."`,
      },
    });
    this.topic.acceptEventsFrom("JobFailedRule", [rule.arn]);
    props.eventDeadLetterQueue.acceptFrom("JobFailedRule", "events.amazonaws.com", [rule.arn]);
    return rule.arn;
  }

  private alarm(
    purpose: string,
    metric: {
      readonly description: string;
      readonly namespace: string;
      readonly metricName: string;
      readonly dimensions: Record<string, string>;
      readonly statistic: string;
      readonly period: number;
      readonly threshold: number;
    },
  ): void {
    const topic = [this.topic.topicArn];
    this.made.push(
      new CloudwatchMetricAlarm(this, purpose, {
        alarmName: `${this.props.namePrefix}-${purpose}`,
        alarmDescription: `${metric.description}. Runbook: docs/operations.md, alarm ${purpose}.`,
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: metric.dimensions,
        statistic: metric.statistic,
        period: metric.period,
        evaluationPeriods: 1,
        threshold: metric.threshold,
        comparisonOperator: "GreaterThanThreshold",
        // No datapoint means no run (or no failure) in the period, not a problem in itself.
        treatMissingData: "notBreaching",
        alarmActions: topic,
        okActions: topic,
      }),
    );
  }
}
