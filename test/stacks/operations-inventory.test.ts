/**
 * Per-environment inventory of what the handlers, orchestration, monitoring and access modules add,
 * synthesized to disk through the app as `npm run synth` does (real handler bundles, built if stale).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../stacks/app";
import { loadEnvironments } from "../../stacks/config/environments";
import { resourcesBy, resourcesOf, type Config, type Synthesized } from "../modules/support/synth";
import { withPlainStackTraces } from "../modules/support/test-stack";

const ENVIRONMENTS = loadEnvironments();
const synthesized = new Map<string, Synthesized>();
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "sentinel-operations-"));
  withPlainStackTraces(() => buildApp({ outdir }).app.synth());
  for (const config of ENVIRONMENTS) {
    synthesized.set(config.name, JSON.parse(readFileSync(join(outdir, "stacks", config.name, "cdk.tf.json"), "utf8")) as Synthesized);
  }
}, 120_000);

const count = (stack: Synthesized, type: string) => Object.keys(resourcesOf(stack, type)).length;

/** The operations resources counted below, by the Terraform type each is. */
const OPERATIONS_RESOURCE_TYPES = {
  functions: "aws_lambda_function",
  invokeConfigs: "aws_lambda_function_event_invoke_config",
  permissions: "aws_lambda_permission",
  queues: "aws_sqs_queue",
  queuePolicies: "aws_sqs_queue_policy",
  scheduleGroups: "aws_scheduler_schedule_group",
  schedules: "aws_scheduler_schedule",
  rules: "aws_cloudwatch_event_rule",
  targets: "aws_cloudwatch_event_target",
  topics: "aws_sns_topic",
  subscriptions: "aws_sns_topic_subscription",
  alarms: "aws_cloudwatch_metric_alarm",
  dashboards: "aws_cloudwatch_dashboard",
} as const;

describe.each(ENVIRONMENTS.map((config) => [config.name, config] as const))("environment %s", (name, config) => {
  const stack = () => synthesized.get(name) as Synthesized;
  const profiles = config.datasetProfiles.length;

  it("has the operations resources, sized by its dataset profiles", () => {
    expect({
      ...Object.fromEntries(Object.entries(OPERATIONS_RESOURCE_TYPES).map(([what, type]) => [what, count(stack(), type)])),
      trustDocuments: Object.keys(stack().data?.aws_iam_policy_document ?? {}).length,
    }).toEqual({
      functions: 3,
      invokeConfigs: 3,
      // + the audit handler's invocation by the handlers' audit-event rule, and that rule's dead-letter queue
      permissions: 13,
      queues: 6,
      queuePolicies: 6,
      scheduleGroups: 1,
      schedules: profiles,
      rules: expect.any(Number),
      targets: expect.any(Number),
      topics: 1,
      subscriptions: 1,
      // + the CloudTrail metric alarm on platform role policy changes.
      alarms: 1 + 2 * profiles + 5 + 3 + 1,
      dashboards: 1,
      trustDocuments: 3,
    });
    const ruleNames = Object.values(resourcesOf(stack(), "aws_cloudwatch_event_rule")).map((rule) => String(rule.name));
    expect(ruleNames.filter((rule) => /-(glue|databrew)-job-(progressed|failed|stopped)$/.test(rule))).toHaveLength(6);
    expect(ruleNames).toContain(`sentinel-${name}-job-failed`);
  });

  it("reserves each handler's configured concurrency and locks records as the environment does", () => {
    for (const fn of Object.values(resourcesOf(stack(), "aws_lambda_function"))) {
      const handler = String(fn.function_name).replace(`sentinel-${name}-`, "") as keyof typeof config.handlers.reservedConcurrency;
      expect(fn.reserved_concurrent_executions).toBe(config.handlers.reservedConcurrency[handler]);
      expect((fn.environment as Config).variables).toMatchObject({
        SENTINEL_ENVIRONMENT: name,
        OBJECT_LOCK_MODE: config.objectLock.mode,
        OBJECT_LOCK_RETENTION_DAYS: String(config.objectLock.days),
      });
      expect(String(fn.filename)).toMatch(new RegExp(`^assets/handlers_${handler}_bundle_[^/]+/[0-9A-F]+/${handler}\\.zip$`));
      expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
  });

  it("schedules each profile at the environment's cron, time zone and window", () => {
    for (const schedule of Object.values(resourcesOf(stack(), "aws_scheduler_schedule"))) {
      expect(schedule).toMatchObject({
        schedule_expression: config.schedule.expression,
        schedule_expression_timezone: config.schedule.timezone,
        flexible_time_window: { mode: "FLEXIBLE", maximum_window_in_minutes: config.schedule.flexibleWindowMinutes },
      });
    }
  });

  it("alarms at the environment's thresholds and e-mails the alarm_email variable", () => {
    const alarms = resourcesBy(stack(), "aws_cloudwatch_metric_alarm", (alarm) => String(alarm.alarm_name));
    expect(alarms[`sentinel-${name}-glue-job-duration`]?.threshold).toBe(config.alarms.jobDurationMinutes * 60_000);
    for (const profile of config.datasetProfiles) {
      expect(alarms[`sentinel-${name}-${profile}-quarantine-ratio`]?.threshold).toBe(config.alarms.quarantineRatio);
      expect(alarms[`sentinel-${name}-${profile}-anomaly-rate`]?.threshold).toBe(config.alarms.anomalyRate);
    }
    expect(Object.values(resourcesOf(stack(), "aws_sns_topic_subscription"))[0]?.endpoint).toBe("${var.alarm_email}");
  });

  it("points the handlers and rules at the Glue job, DataBrew jobs and catalog the stack deploys", () => {
    const glueJobs = Object.values(resourcesOf(stack(), "aws_glue_job")).map((job) => job.name);
    const databases = Object.values(resourcesOf(stack(), "aws_glue_catalog_database")).map((database) => database.name);
    const templates = Object.values(resourcesOf(stack(), "aws_cloudformation_stack")).map((cfn) => String(cfn.template_body));
    const env = (fn: string) =>
      (
        Object.values(resourcesOf(stack(), "aws_lambda_function")).find((candidate) => candidate.function_name === `sentinel-${name}-${fn}`)
          ?.environment as Config
      ).variables as Record<string, string>;
    expect(glueJobs).toEqual([env("trigger").GLUE_JOB_NAME]);
    expect(env("lineage").GLUE_JOB_NAME).toBe(glueJobs[0]);
    expect(databases).toContain(env("lineage").CATALOG_DATABASE_NAME);
    const databrewJobs = config.datasetProfiles.map((profile) =>
      String(env("trigger").DATABREW_JOB_NAME_TEMPLATE).replace("{profile}", profile),
    );
    for (const job of databrewJobs)
      expect(
        templates.some((template) => template.includes(`"Name":"${job}"`)),
        job,
      ).toBe(true);
    const patterns = Object.values(resourcesOf(stack(), "aws_cloudwatch_event_rule")).map(
      (rule) =>
        JSON.parse(String(rule.event_pattern)) as {
          source: string[];
          detail?: { jobName?: string[]; requestParameters?: { jobName?: string[] } };
        },
    );
    const jobEvents = patterns.filter(
      (pattern) =>
        pattern.source.some((source) => source === "aws.glue" || source === "aws.databrew") && pattern.detail?.jobName !== undefined,
    );
    expect(new Set(jobEvents.flatMap((pattern) => pattern.detail?.jobName))).toEqual(new Set([...glueJobs, ...databrewJobs]));
    // The change alarm on the job definition (CloudTrail) names the same job.
    expect(patterns.flatMap((pattern) => pattern.detail?.requestParameters?.jobName ?? [])).toEqual(glueJobs);
  });

  it("lets the consumer roles be assumed by the principals of the Terraform variables", () => {
    const principals = Object.values(stack().data?.aws_iam_policy_document ?? {}).map(
      (document) => ((document.statement as Config[])[0]?.principals as Config[])[0]?.identifiers,
    );
    expect(principals.sort()).toEqual([
      "${var.auditor_principal_arns}",
      "${var.data_scientist_principal_arns}",
      "${var.reidentification_principal_arns}",
    ]);
  });
});

describe("archives", () => {
  it("are the same bytes in every environment (one build, deployed everywhere)", () => {
    const hashes = ENVIRONMENTS.map((config) =>
      Object.values(resourcesOf(synthesized.get(config.name) as Synthesized, "aws_lambda_function"))
        .map((fn) => `${String(fn.function_name).split("-").pop()}=${String(fn.source_code_hash)}`)
        .sort()
        .join(" "),
    );
    expect(new Set(hashes).size).toBe(1);
  });
});
