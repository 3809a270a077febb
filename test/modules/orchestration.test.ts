/**
 * Orchestration: the nightly schedules that invoke the trigger, and the job state-change rules that
 * feed the lineage and audit handlers, checked against the handlers' own event schemas.
 */
import { describe, expect, it } from "vitest";
import { externalAuditEventSchema } from "../../handlers/audit/record-audit-event";
import { jobStateChangeEvent, lineageEventTypeOf } from "../../handlers/lineage/job-state-event";
import { triggerEvent } from "../../handlers/trigger/trigger-event";
import { FAILED_STATES, JOB_EVENT_SOURCES, STATE_OUTCOMES, auditEntryTransformer } from "../../contracts/job-events";
import { isAllowed, rolePolicies } from "./support/iam-evaluation";
import {
  ACCOUNT,
  buildOperations,
  DATABREW_JOB_NAMES,
  JOBS,
  PREFIX,
  PROFILES,
  SCHEDULE,
  REGION,
  operationsJson,
} from "./support/operations-fixture";
import { referencedId, resourcesOf, statementsOf, synth, type Config } from "./support/synth";

const schedules = () => Object.values(resourcesOf(operationsJson(), "aws_scheduler_schedule"));
const ALL_STATES = ["STARTING", "RUNNING", "STOPPING", "STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT", "ERROR", "WAITING", "EXPIRED"];

/** EventBridge's input transformer: each <name> placeholder replaced by the JSON path's value. */
function transform(transformer: { inputPaths: Record<string, string>; inputTemplate: string }, event: Record<string, unknown>): unknown {
  const valueAt = (path: string) =>
    path
      .slice(2)
      .split(".")
      .reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], event);
  return JSON.parse(
    transformer.inputTemplate.replace(/<([A-Za-z]+)>/g, (_match, name: string) => String(valueAt(transformer.inputPaths[name] as string))),
  );
}

function glueEvent(state: string): Record<string, unknown> {
  return {
    version: "0",
    id: "5f0a3c1e-1111-2222-3333-444455556666",
    "detail-type": "Glue Job State Change",
    source: "aws.glue",
    account: ACCOUNT,
    time: "2025-02-02T02:10:00Z",
    region: REGION,
    resources: [],
    detail: { jobName: JOBS.glueJobName, severity: "INFO", state, jobRunId: `jr_${"a".repeat(64)}`, message: "done" },
  };
}

describe("trigger schedules", () => {
  it("are one schedule per dataset profile in the environment's group, at the configured cron and time zone", () => {
    expect(
      schedules()
        .map((schedule) => schedule.name)
        .sort(),
    ).toEqual(PROFILES.map((profile) => `nightly-${profile}`).sort());
    const group = Object.values(resourcesOf(operationsJson(), "aws_scheduler_schedule_group"));
    expect(group.map((candidate) => candidate.name)).toEqual([PREFIX]);
    for (const schedule of schedules()) {
      expect(schedule).toMatchObject({
        schedule_expression: SCHEDULE.expression,
        schedule_expression_timezone: SCHEDULE.timezone,
        state: "ENABLED",
        flexible_time_window: { mode: "FLEXIBLE", maximum_window_in_minutes: SCHEDULE.flexibleWindowMinutes },
      });
      expect(referencedId(schedule.group_name)).toMatch(/^schedules_group_/);
      expect(referencedId(schedule.kms_key_arn)).toMatch(/^operations-key_/);
    }
  });

  it("invoke the trigger with a retry policy, a dead-letter queue and a payload the trigger accepts", () => {
    for (const schedule of schedules()) {
      const target = schedule.target as Config;
      expect(referencedId(target.arn)).toMatch(/^handlers_trigger_function_/);
      expect(target.retry_policy).toEqual({
        maximum_retry_attempts: SCHEDULE.retryAttempts,
        maximum_event_age_in_seconds: SCHEDULE.maximumEventAgeSeconds,
      });
      expect(referencedId((target.dead_letter_config as Config).arn)).toMatch(/^schedules_dead-letters_queue_/);
      const fired = String(target.input)
        .replace("<aws.scheduler.scheduled-time>", "2025-02-02T01:07:00Z")
        .replace("<aws.scheduler.execution-id>", "exec-1");
      const parsed = triggerEvent.safeParse(JSON.parse(fired));
      expect(parsed.success).toBe(true);
      expect(parsed.data).toMatchObject({ source: "sentinel.scheduler", profile: String(schedule.name).replace("nightly-", "") });
    }
  });

  it("start exactly on time when the flexible window is 0", () => {
    const fixture = buildOperations({ schedule: { ...SCHEDULE, flexibleWindowMinutes: 0 } });
    for (const schedule of Object.values(resourcesOf(synth(fixture.stack), "aws_scheduler_schedule"))) {
      expect(schedule.flexible_time_window).toEqual({ mode: "OFF" });
    }
  });

  it("act through a role that Scheduler assumes for this group only and that can invoke the trigger, nothing else", () => {
    const role = Object.values(resourcesOf(operationsJson(), "aws_iam_role")).find(
      (candidate) => candidate.name === `${PREFIX}-scheduler`,
    ) as Config;
    expect(statementsOf(role.assume_role_policy)[0]?.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": [ACCOUNT] },
      ArnLike: { "aws:SourceArn": [`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/${PREFIX}`] },
    });
    const statements = rolePolicies(operationsJson(), ACCOUNT).get(`${PREFIX}-scheduler`) ?? [];
    const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PREFIX}-${name}`;
    expect(isAllowed(statements, { action: "lambda:InvokeFunction", resource: fn("trigger") })).toBe(true);
    expect(isAllowed(statements, { action: "lambda:InvokeFunction", resource: fn("lineage") })).toBe(false);
    expect(
      isAllowed(statements, { action: "sqs:SendMessage", resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:${PREFIX}-schedule-dead-letters` }),
    ).toBe(true);
    expect(
      isAllowed(statements, { action: "sqs:SendMessage", resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:${PREFIX}-trigger-dead-letters` }),
    ).toBe(false);
    expect(statements.flatMap((statement) => statement.Action).sort()).toEqual(
      [
        "kms:Decrypt",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "lambda:InvokeFunction",
        "sqs:SendMessage",
      ].sort(),
    );
  });
});

describe("job state-change routing", () => {
  const rules = () =>
    Object.entries(resourcesOf(operationsJson(), "aws_cloudwatch_event_rule")).filter(([id]) => id.startsWith("job-state-routing_"));
  const targets = () =>
    Object.values(resourcesOf(operationsJson(), "aws_cloudwatch_event_target")).filter((target) =>
      String(target.rule).includes("job-state-routing_"),
    );

  it("partitions every job state into exactly one audit outcome", () => {
    expect(STATE_OUTCOMES.flatMap((group) => group.states).sort()).toEqual([...ALL_STATES].sort());
    expect(FAILED_STATES).toEqual(["FAILED", "TIMEOUT", "ERROR"]);
    for (const state of FAILED_STATES) expect(lineageEventTypeOf(state as never)).toBe("FAIL");
  });

  it("has a rule per service and outcome that matches this environment's jobs by name", () => {
    expect(rules()).toHaveLength(6);
    for (const [, rule] of rules()) {
      const pattern = JSON.parse(String(rule.event_pattern)) as {
        source: string[];
        "detail-type": string[];
        detail: { jobName: string[]; state: string[] };
      };
      const service = pattern.source[0] === "aws.glue" ? "glue" : "databrew";
      expect(pattern["detail-type"]).toEqual([JOB_EVENT_SOURCES[service].detailType]);
      expect(pattern.detail.jobName).toEqual(service === "glue" ? [JOBS.glueJobName] : DATABREW_JOB_NAMES);
      expect(rule.name).toMatch(new RegExp(`^${PREFIX}-${service}-job-(progressed|failed|stopped)$`));
    }
  });

  it("sends each matched event to lineage as it came and to audit as an audit entry, retrying for a day, then dead-lettering", () => {
    expect(targets()).toHaveLength(12);
    for (const target of targets()) {
      expect(target.retry_policy).toEqual({ maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86_400 });
      expect(referencedId((target.dead_letter_config as Config).arn)).toMatch(/^job-state-routing_dead-letters_queue_/);
      if (target.target_id === "lineage") expect(target.input_transformer).toBeUndefined();
      else expect(target.target_id).toBe("audit");
    }
  });

  it("delivers events the lineage handler's schema accepts, for every state it matches", () => {
    for (const state of ALL_STATES) expect(jobStateChangeEvent.safeParse(glueEvent(state)).success, state).toBe(true);
  });

  it.each(STATE_OUTCOMES.map((group) => [group.outcome, group.states] as const))(
    "turns %s states into audit entries the audit handler accepts",
    (outcome, states) => {
      for (const state of states) {
        const entry = transform(auditEntryTransformer(JOB_EVENT_SOURCES.glue, outcome, "aws"), glueEvent(state));
        const parsed = externalAuditEventSchema.safeParse(entry);
        expect(parsed.error?.issues ?? [], state).toEqual([]);
        expect(parsed.data).toMatchObject({
          run_id: `jr_${"a".repeat(64)}`,
          action: "job.state_change",
          resource: `arn:aws:glue:${REGION}:${ACCOUNT}:job/${JOBS.glueJobName}`,
          outcome,
          details: { state, service: "glue", source_event_id: "5f0a3c1e-1111-2222-3333-444455556666" },
        });
      }
    },
  );

  it("lets only these rules invoke the handlers and use their dead-letter queue", () => {
    const ruleIds = rules()
      .map(([id]) => id)
      .sort();
    const permissions = Object.values(resourcesOf(operationsJson(), "aws_lambda_permission"));
    for (const handler of ["lineage", "audit"]) {
      // the audit function is also invoked by the handlers' audit-event rule (test/modules/handlers.test.ts)
      const mine = permissions.filter(
        (permission) =>
          referencedId(permission.function_name).startsWith(`handlers_${handler}_function_`) &&
          !referencedId(permission.source_arn).startsWith("handlers_audit-events_rule"),
      );
      expect(mine.every((permission) => permission.principal === "events.amazonaws.com" && permission.source_account === ACCOUNT)).toBe(
        true,
      );
      expect(mine.map((permission) => referencedId(permission.source_arn)).sort()).toEqual(ruleIds);
    }
    expect(permissions.some((permission) => referencedId(permission.function_name).startsWith("handlers_trigger_function_"))).toBe(false);
    const queuePolicy = Object.values(resourcesOf(operationsJson(), "aws_sqs_queue_policy")).find((policy) =>
      String(policy.queue_url).includes("job-state-routing_dead-letters"),
    ) as Config;
    const accept = statementsOf(queuePolicy.policy).find((statement) => statement.Sid === "AcceptJobStateRules");
    expect(accept?.Principal).toEqual({ Service: ["events.amazonaws.com"] });
    expect(accept?.Condition?.ArnEquals?.["aws:SourceArn"]?.map(referencedId).sort()).toEqual(ruleIds);
  });

  it("lets EventBridge use the operations key for this account only", () => {
    const key = Object.entries(resourcesOf(operationsJson(), "aws_kms_key")).find(([id]) => id.startsWith("operations-key"))?.[1] as Config;
    const events = statementsOf(key.policy).find((statement) => statement.Sid === "EventsEncryptsForThisAccount");
    expect(events).toMatchObject({
      Principal: { Service: ["events.amazonaws.com"] },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Condition: { StringEquals: { "aws:SourceAccount": [ACCOUNT] } },
    });
  });
});
