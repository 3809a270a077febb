/**
 * The CloudTrail trail and the change alarms, tried as an insider would: each change the issue names
 * (a key policy, a bucket policy, the Glue job, a handler's code, a role's policy) is written as the
 * CloudTrail record AWS produces and run through the synthesized EventBridge pattern or CloudWatch
 * Logs filter; changes to things outside the platform do not alarm. Statically proven: EventBridge
 * and CloudWatch Logs are not run here.
 */
import { describe, expect, it } from "vitest";
import { AuditTrail, rolePolicyChangePattern } from "../../modules/audit-trail/audit-trail";
import { PlatformKey } from "../../modules/encryption/platform-key";
import { AlarmTopic } from "../../modules/monitoring/alarm-topic";
import { TEST_LIFECYCLE, testBuckets, testKeys, testLogGroups } from "./support/foundation-fixture";
import { referenceResolver } from "./support/iam-evaluation";
import { onlyResourceOf, resourcesOf, statement, statementsOf, synthesizedOnce, type Config } from "./support/synth";
import { TEST_DEPLOYER_ARN, TEST_ACCOUNT, testStack, withPlainStackTraces } from "./support/test-stack";

const ACCOUNT = TEST_ACCOUNT.accountId;

const synthesizedTrail = synthesizedOnce(() =>
  withPlainStackTraces(() => {
    const stack = testStack();
    const administratorArns = [TEST_DEPLOYER_ARN];
    const keys = testKeys(stack);
    const buckets = testBuckets(stack, keys, { lineageObjectLock: { mode: "COMPLIANCE", days: 3653 } });
    const operationsKey = new PlatformKey(stack, "operations-key", {
      alias: "sentinel-test-operations",
      label: "OperationsKey",
      description: "test",
      account: TEST_ACCOUNT,
      administratorArns,
    });
    const topic = new AlarmTopic(stack, "topic", {
      topicName: "sentinel-test-alarms",
      key: operationsKey,
      account: TEST_ACCOUNT,
      email: "a@example.com",
      alarmNamePrefix: "sentinel-test-",
    });
    const logGroups = testLogGroups(stack, keys);
    new AuditTrail(stack, "audit-trail", {
      namePrefix: "sentinel-test",
      account: TEST_ACCOUNT,
      administratorArns,
      accessLogs: buckets.accessLogs,
      lifecycle: TEST_LIFECYCLE,
      objectLock: { mode: "COMPLIANCE", days: 3653 },
      dataEventBuckets: [buckets.raw, buckets.processed, buckets.artifacts, buckets.lineageAudit],
      functionArns: [`arn:aws:lambda:eu-central-2:${ACCOUNT}:function:sentinel-test-audit`],
      keyArns: keys.all.map((key) => key.keyArn),
      bucketNames: buckets.dataBuckets.map((bucket) => bucket.bucketName),
      glueJobNames: ["sentinel-test-etl"],
      functionNames: ["sentinel-test-trigger", "sentinel-test-lineage", "sentinel-test-audit"],
      processedCatalog: {
        databaseName: "sentinel_test_processed",
        locationPrefix: `s3://sentinel-test-processed-${ACCOUNT}/processed/`,
        writerRoleName: "sentinel-test-lineage",
      },
      roleNamePrefix: "sentinel-test-",
      alarmTopic: topic,
      logGroups,
    });
    return stack;
  }),
);

/** One value against one entry of a pattern's value list: a literal, { prefix }, or { anything-but: { prefix } }. */
function valueMatches(candidate: unknown, value: unknown): boolean {
  if (typeof candidate !== "object" || candidate === null) return candidate === value;
  if ("prefix" in candidate) return typeof value === "string" && value.startsWith(String((candidate as { prefix: string }).prefix));
  if ("anything-but" in candidate)
    return value !== undefined && !valueMatches((candidate as { "anything-but": unknown })["anything-but"], value);
  throw new Error(`content filter ${JSON.stringify(candidate)} is not evaluated by this test`);
}

/**
 * EventBridge content matching, for the pattern features the rules use: value lists, prefix, anything-but (a missing
 * field does not match it), nesting, arrays in the event.
 */
function eventMatches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) {
    const values = Array.isArray(event) ? event : [event];
    return values.some((value) => pattern.some((candidate) => valueMatches(candidate, value)));
  }
  if (typeof pattern === "object" && pattern !== null) {
    return Object.entries(pattern).every(([key, inner]) => {
      if (Array.isArray(event)) return event.some((item) => eventMatches({ [key]: inner }, item));
      return event !== null && typeof event === "object" && eventMatches(inner, (event as Record<string, unknown>)[key]);
    });
  }
  return pattern === event;
}

function alarmingRules(event: Record<string, unknown>): string[] {
  const resolve = referenceResolver(synthesizedTrail(), ACCOUNT);
  return Object.values(resourcesOf(synthesizedTrail(), "aws_cloudwatch_event_rule"))
    .filter((rule) => eventMatches(JSON.parse(resolve(String(rule.event_pattern))), event))
    .map((rule) => String(rule.name));
}

const keyArnOf = (alias: string) => {
  const synthesized = synthesizedTrail();
  const target = Object.values(resourcesOf(synthesized, "aws_kms_alias")).find(
    (candidate) => candidate.name === `alias/sentinel-test-${alias}`,
  )?.target_key_id;
  return referenceResolver(synthesized, ACCOUNT)(String(target).replace(".key_id}", ".arn}"));
};

const cloudTrailRecord = (source: string, eventName: string, detail: Record<string, unknown>) => ({
  source,
  "detail-type": "AWS API Call via CloudTrail",
  detail: {
    eventSource: `${source.slice(4)}.amazonaws.com`,
    eventName,
    userIdentity: { arn: `arn:aws:iam::${ACCOUNT}:role/AccountAdministrator` },
    ...detail,
  },
});

/** The lineage handler's session, as CloudTrail names it. */
const LINEAGE_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/sentinel-test-lineage/sentinel-test-lineage`;

/** UpdateTable's request parameters as CloudTrail records them: the database and the new table input. */
const processedTableUpdate = (location: string) => ({
  databaseName: "sentinel_test_processed",
  tableInput: { name: "card_transactions", storageDescriptor: { location }, parameters: { lineage_run: "run-1" } },
});

/** The same record, made by the lineage handler's session. */
const byLineageHandler = (record: ReturnType<typeof cloudTrailRecord>) => ({
  ...record,
  detail: { ...record.detail, userIdentity: { arn: LINEAGE_SESSION } },
});

describe("AuditTrail", () => {
  it("records every management event, S3 data events of the four data buckets and the handlers' invocations, validated and encrypted", () => {
    const trail = onlyResourceOf(synthesizedTrail(), "aws_cloudtrail");
    expect(trail).toMatchObject({
      name: "sentinel-test-trail",
      enable_log_file_validation: true,
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_logging: true,
    });
    const selectors = trail.advanced_event_selector as Config[];
    expect(selectors.map((selector) => selector.name)).toEqual([
      "Management events",
      "S3 object events on the platform buckets",
      "Lambda invocations of the handlers",
    ]);
    const field = (index: number, name: string) =>
      (selectors[index]?.field_selector as Config[]).find((selector) => selector.field === name);
    expect(field(1, "resources.ARN")?.starts_with).toEqual(
      ["raw", "processed", "artifacts", "lineage-audit"].map((tier) => `arn:aws:s3:::sentinel-test-${tier}-${ACCOUNT}/`),
    );
    expect(field(2, "resources.ARN")?.equals).toEqual([`arn:aws:lambda:eu-central-2:${ACCOUNT}:function:sentinel-test-audit`]);
    expect(String(trail.cloud_watch_logs_group_arn)).toMatch(/^\$\{aws_cloudwatch_log_group\.logs_cloudtrail_group_\w+\.arn\}:\*$/);
  });

  it("lets CloudTrail use its key and write its bucket for this trail only, into a locked bucket", () => {
    const synthesized = synthesizedTrail();
    const trailArn = `arn:aws:cloudtrail:eu-central-2:${ACCOUNT}:trail/sentinel-test-trail`;
    const keys = resourcesOf(synthesized, "aws_kms_key");
    const trailKey = Object.entries(keys).find(([id]) => id.startsWith("audit-trail_key"))?.[1] as Config;
    expect(statement(trailKey.policy, "CloudTrailEncryptsThisTrail")).toMatchObject({
      Principal: { Service: ["cloudtrail.amazonaws.com"] },
      Action: ["kms:GenerateDataKey"],
      Condition: { StringEquals: { "aws:SourceArn": [trailArn] } },
    });
    const bucket = Object.values(resourcesOf(synthesized, "aws_s3_bucket")).find((candidate) =>
      String(candidate.bucket).startsWith("sentinel-test-audit-trail-"),
    );
    expect(bucket?.object_lock_enabled).toBe(true);
    const policy = Object.values(resourcesOf(synthesized, "aws_s3_bucket_policy"))
      .map((candidate) => String(candidate.policy))
      .find((text) => text.includes("CloudTrailWritesLogFiles"));
    expect(statement(policy, "CloudTrailWritesLogFiles")).toMatchObject({
      Resource: [`arn:aws:s3:::sentinel-test-audit-trail-${ACCOUNT}/AWSLogs/${ACCOUNT}/*`],
      Condition: { StringEquals: { "aws:SourceArn": [trailArn], "s3:x-amz-acl": ["bucket-owner-full-control"] } },
    });
    expect(statementsOf(policy).map((s) => s.Sid)).toEqual(
      expect.arrayContaining(["DenyOtherObjectLockMode", "DenyShorterRetention", "DenyKmsWithoutKeyId"]),
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "a platform key's policy replaced",
      cloudTrailRecord("aws.kms", "PutKeyPolicy", { resources: [{ ARN: "TOKENIZATION" }] }),
      "sentinel-test-key-changes",
    ],
    ["a platform key disabled", cloudTrailRecord("aws.kms", "DisableKey", { resources: [{ ARN: "DATA" }] }), "sentinel-test-key-changes"],
    [
      "a platform key scheduled for deletion",
      cloudTrailRecord("aws.kms", "ScheduleKeyDeletion", { resources: [{ ARN: "DATA" }] }),
      "sentinel-test-key-changes",
    ],
    [
      "a grant on a platform key",
      cloudTrailRecord("aws.kms", "CreateGrant", { resources: [{ ARN: "TOKENIZATION" }] }),
      "sentinel-test-key-changes",
    ],
    [
      "a bucket policy replaced",
      cloudTrailRecord("aws.s3", "PutBucketPolicy", { requestParameters: { bucketName: `sentinel-test-raw-${ACCOUNT}` } }),
      "sentinel-test-bucket-policy-changes",
    ],
    [
      "a bucket policy deleted",
      cloudTrailRecord("aws.s3", "DeleteBucketPolicy", { requestParameters: { bucketName: `sentinel-test-lineage-audit-${ACCOUNT}` } }),
      "sentinel-test-bucket-policy-changes",
    ],
    [
      "the Glue job updated",
      cloudTrailRecord("aws.glue", "UpdateJob", { requestParameters: { jobName: "sentinel-test-etl" } }),
      "sentinel-test-glue-job-changes",
    ],
    [
      "a processed table changed by an administrator",
      cloudTrailRecord("aws.glue", "UpdateTable", {
        requestParameters: processedTableUpdate(`s3://sentinel-test-processed-${ACCOUNT}/processed/card-transactions/`),
      }),
      "sentinel-test-processed-table-changes",
    ],
    [
      "a processed table deleted",
      cloudTrailRecord("aws.glue", "DeleteTable", {
        requestParameters: { databaseName: "sentinel_test_processed", name: "card_transactions" },
      }),
      "sentinel-test-processed-table-changes",
    ],
    [
      "a processed table pointed at raw by the lineage handler's role",
      byLineageHandler(
        cloudTrailRecord("aws.glue", "UpdateTable", {
          requestParameters: processedTableUpdate(`s3://sentinel-test-raw-${ACCOUNT}/quarantine/card-transactions/`),
        }),
      ),
      "sentinel-test-processed-table-relocations",
    ],
    [
      "a handler's code replaced",
      cloudTrailRecord("aws.lambda", "UpdateFunctionCode20150331v2", { requestParameters: { functionName: "sentinel-test-audit" } }),
      "sentinel-test-function-changes",
    ],
    [
      "a handler's configuration changed",
      cloudTrailRecord("aws.lambda", "UpdateFunctionConfiguration20150331v2", {
        requestParameters: { functionName: "sentinel-test-lineage" },
      }),
      "sentinel-test-function-changes",
    ],
  ])("alarms when %s", (_what, event, rule) => {
    const detail = event.detail as { resources?: { ARN: string }[] };
    const resolved = {
      ...event,
      detail: { ...detail, resources: detail.resources?.map(({ ARN }) => ({ ARN: keyArnOf(ARN === "DATA" ? "data" : "tokenization") })) },
    };
    expect(alarmingRules(resolved)).toEqual([rule]);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      "another key's policy",
      cloudTrailRecord("aws.kms", "PutKeyPolicy", { resources: [{ ARN: `arn:aws:kms:eu-central-2:${ACCOUNT}:key/someone-elses` }] }),
    ],
    [
      "a read of a platform key",
      cloudTrailRecord("aws.kms", "DescribeKey", { resources: [{ ARN: `arn:aws:kms:eu-central-2:${ACCOUNT}:key/any` }] }),
    ],
    [
      "another bucket's policy",
      cloudTrailRecord("aws.s3", "PutBucketPolicy", { requestParameters: { bucketName: "someone-elses-bucket" } }),
    ],
    ["another job", cloudTrailRecord("aws.glue", "UpdateJob", { requestParameters: { jobName: "other-etl" } })],
    ["a run of the job", cloudTrailRecord("aws.glue", "StartJobRun", { requestParameters: { jobName: "sentinel-test-etl" } })],
    [
      "the lineage handler updating a processed table's lineage pointer in place",
      byLineageHandler(
        cloudTrailRecord("aws.glue", "UpdateTable", {
          requestParameters: processedTableUpdate(`s3://sentinel-test-processed-${ACCOUNT}/processed/card-transactions/`),
        }),
      ),
    ],
    [
      "a change to a table of another database",
      cloudTrailRecord("aws.glue", "UpdateTable", {
        requestParameters: { ...processedTableUpdate("s3://elsewhere/"), databaseName: "sentinel_test_raw" },
      }),
    ],
  ])("does not alarm on %s", (_what, event) => {
    expect(alarmingRules(event)).toEqual([]);
  });

  it("sends each change rule to the alarm topic, which admits exactly those rules", () => {
    const synthesized = synthesizedTrail();
    const rules = Object.entries(resourcesOf(synthesized, "aws_cloudwatch_event_rule"));
    const targets = Object.values(resourcesOf(synthesized, "aws_cloudwatch_event_target"));
    for (const [id] of rules)
      expect(targets.find((target) => target.rule === `\${aws_cloudwatch_event_rule.${id}.name}`)?.arn).toMatch(/^\$\{aws_sns_topic\./);
    const topicPolicy = String(onlyResourceOf(synthesized, "aws_sns_topic_policy").policy);
    expect([...(statement(topicPolicy, "EventsFromTrailChangeRules").Condition?.ArnEquals?.["aws:SourceArn"] ?? [])].sort()).toEqual(
      rules.map(([id]) => `\${aws_cloudwatch_event_rule.${id}.arn}`).sort(),
    );
  });

  it("counts changes to a platform role's policies in the trail's log group, and alarms on the first", () => {
    const synthesized = synthesizedTrail();
    const filter = onlyResourceOf(synthesized, "aws_cloudwatch_log_metric_filter");
    expect(filter.pattern).toBe(rolePolicyChangePattern("sentinel-test-"));
    for (const eventName of ["PutRolePolicy", "AttachRolePolicy", "DeleteRolePolicy", "DetachRolePolicy", "UpdateAssumeRolePolicy"]) {
      expect(String(filter.pattern)).toContain(`($.eventName = "${eventName}")`);
    }
    expect(String(filter.pattern)).toContain('($.requestParameters.roleName = "sentinel-test-*")');
    expect(onlyResourceOf(synthesized, "aws_cloudwatch_metric_alarm")).toMatchObject({
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      statistic: "Sum",
    });
  });
});
