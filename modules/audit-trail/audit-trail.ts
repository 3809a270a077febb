/**
 * The environment's CloudTrail trail: every management event of the account (all regions, global
 * services included), S3 data events on the raw, processed, artifacts and lineage-audit buckets and
 * Lambda invoke events of the handlers, with log file validation (signed digest files), encrypted
 * with a key of its own and delivered to a versioned, Object-Locked, access-logged bucket.
 *
 * EventBridge rules send the changes an insider would make to weaken the platform to the alarm
 * topic: key policy, key state, key deletion and grants on the platform keys; bucket policies of
 * the platform buckets; the Glue job's definition; the handlers' code and configuration. Changes to
 * the platform roles' policies alarm through a metric filter on the trail's log group (IAM's events
 * reach EventBridge only in us-east-1).
 */
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { ServiceRole } from "../iam/service-role";
import type { LogGroupFactory } from "../logging/log-group-factory";
import { PlatformKey } from "../encryption/platform-key";
import { regionalArn, type EnvironmentScopeProps } from "../iam/arns";
import type { AlarmTopic } from "../monitoring/alarm-topic";
import type { AccessLogBucket } from "../storage/access-log-bucket";
import { DataBucket, type ObjectLockRetention } from "../storage/data-bucket";
import type { LifecyclePolicy } from "../storage/lifecycle";

/** The trail, its bucket, key alias and rules are named after namePrefix. */
export interface AuditTrailProps extends EnvironmentScopeProps {
  /** The deployer principals: administrators of the trail's key. */
  readonly administratorArns: readonly string[];
  readonly accessLogs: AccessLogBucket;
  readonly lifecycle: LifecyclePolicy;
  /** Retention of the trail's log files (the environment's lineage retention). */
  readonly objectLock: ObjectLockRetention;
  /** Buckets whose object-level operations are recorded (S3 data events). */
  readonly dataEventBuckets: readonly { readonly bucketArn: string; readonly bucketName: string }[];
  /** Lambda functions whose invocations are recorded. */
  readonly functionArns: readonly string[];
  /** Keys whose policy, state, deletion and grants alarm. */
  readonly keyArns: readonly string[];
  /** Buckets whose policy changes alarm. */
  readonly bucketNames: readonly string[];
  readonly glueJobNames: readonly string[];
  readonly functionNames: readonly string[];
  /**
   * The processed tables' catalog: any change to one by someone other than the lineage handler alarms, and so does
   * any change (the lineage handler's too) that points a table outside the processed output.
   */
  readonly processedCatalog: {
    readonly databaseName: string;
    /** Where the processed tables must stay, e.g. s3://sentinel-dev-processed-123456789012/processed/ */
    readonly locationPrefix: string;
    /** The one role that updates the processed tables (their lineage pointer): sessions of it do not alarm by themselves. */
    readonly writerRoleName: string;
  };
  /** Name prefix of the roles whose policy changes alarm, e.g. sentinel-dev- (every platform role has it). */
  readonly roleNamePrefix: string;
  readonly alarmTopic: AlarmTopic;
  /** Makes the trail's log group (encrypted, with the environment's retention). */
  readonly logGroups: LogGroupFactory;
}

/** IAM calls that change what a role may do or who may assume it. */
export const ROLE_POLICY_CHANGES = [
  "PutRolePolicy",
  "AttachRolePolicy",
  "DeleteRolePolicy",
  "DetachRolePolicy",
  "UpdateAssumeRolePolicy",
] as const;

/**
 * CloudWatch Logs filter pattern matching a change to a role named `<roleNamePrefix>...`. IAM is a
 * global service: its CloudTrail events reach EventBridge only in us-east-1, but a multi-region trail
 * delivers them to its log group here, where this filter counts them.
 */
export function rolePolicyChangePattern(roleNamePrefix: string): string {
  const events = ROLE_POLICY_CHANGES.map((name) => `($.eventName = "${name}")`).join(" || ");
  return `{ ($.eventSource = "iam.amazonaws.com") && (${events}) && ($.requestParameters.roleName = "${roleNamePrefix}*") }`;
}

/** A change that alarms: EventBridge pattern of the CloudTrail record (detail-type "AWS API Call via CloudTrail"). */
export interface WatchedChange {
  /** Rule name suffix and statement-id fragment. */
  readonly name: string;
  readonly description: string;
  readonly source: string;
  readonly detail: Record<string, unknown>;
}

/**
 * A change to `service`'s API calls: the rule's event source (`aws.<service>`) and the CloudTrail record's
 * eventSource (`<service>.amazonaws.com`) both follow from the service's name; `match` narrows the record further.
 */
function watchedCalls(
  name: string,
  description: string,
  service: string,
  eventName: readonly unknown[],
  match: Record<string, unknown>,
): WatchedChange {
  return { name, description, source: `aws.${service}`, detail: { eventSource: [`${service}.amazonaws.com`], eventName, ...match } };
}

export function watchedChanges(
  props: Pick<AuditTrailProps, "account" | "keyArns" | "bucketNames" | "glueJobNames" | "functionNames" | "processedCatalog">,
): WatchedChange[] {
  const catalog = props.processedCatalog;
  return [
    watchedCalls(
      "key-changes",
      "A platform key's policy, state, deletion or grants changed",
      "kms",
      ["PutKeyPolicy", "DisableKey", "ScheduleKeyDeletion", "CreateGrant"],
      {
        resources: { ARN: [...props.keyArns] },
      },
    ),
    watchedCalls(
      "bucket-policy-changes",
      "A platform bucket's policy was replaced or deleted",
      "s3",
      ["PutBucketPolicy", "DeleteBucketPolicy"],
      {
        requestParameters: { bucketName: [...props.bucketNames] },
      },
    ),
    watchedCalls("glue-job-changes", "The Glue ETL job's definition was changed or deleted", "glue", ["UpdateJob", "DeleteJob"], {
      requestParameters: { jobName: [...props.glueJobNames] },
    }),
    watchedCalls(
      "processed-table-changes",
      "A processed table was changed or deleted by someone other than the lineage handler",
      "glue",
      ["UpdateTable", "DeleteTable"],
      {
        requestParameters: { databaseName: [catalog.databaseName] },
        userIdentity: {
          arn: [
            {
              "anything-but": {
                prefix: `arn:${props.account.partition}:sts::${props.account.accountId}:assumed-role/${catalog.writerRoleName}/`,
              },
            },
          ],
        },
      },
    ),
    watchedCalls(
      "processed-table-relocations",
      "A processed table was pointed outside the processed output (by anyone, the lineage handler too)",
      "glue",
      ["UpdateTable"],
      {
        requestParameters: {
          databaseName: [catalog.databaseName],
          tableInput: { storageDescriptor: { location: [{ "anything-but": { prefix: catalog.locationPrefix } }] } },
        },
      },
    ),
    // CloudTrail names Lambda events with an API version suffix (UpdateFunctionCode20150331v2).
    watchedCalls(
      "function-changes",
      "A handler's code or configuration was changed",
      "lambda",
      [{ prefix: "UpdateFunctionCode" }, { prefix: "UpdateFunctionConfiguration" }],
      {
        requestParameters: { functionName: [...props.functionNames] },
      },
    ),
  ];
}

export class AuditTrail extends Construct {
  /** Built from the name (the key and bucket policies name the trail before it exists). */
  readonly trailArn: string;
  readonly trailName: string;
  readonly key: PlatformKey;
  readonly bucket: DataBucket;
  readonly ruleArns: readonly string[];

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const { account } = props;
    this.trailName = `${props.namePrefix}-trail`;
    this.trailArn = regionalArn(account, "cloudtrail", `trail/${this.trailName}`);

    this.key = new PlatformKey(this, "key", {
      alias: `${props.namePrefix}-trail`,
      label: "TrailKey",
      description: `${props.namePrefix}: CloudTrail log files`,
      account,
      administratorArns: props.administratorArns,
    });
    // CloudTrail's documented key policy, confined to this trail (aws:SourceArn) and this account's trails.
    const thisTrail = [
      { test: "StringEquals", variable: "aws:SourceArn", values: [this.trailArn] },
      {
        test: "StringLike",
        variable: "kms:EncryptionContext:aws:cloudtrail:arn",
        values: [`arn:${account.partition}:cloudtrail:*:${account.accountId}:trail/*`],
      },
    ];
    this.key.keyPolicy
      .addStatement({
        sid: "CloudTrailEncryptsThisTrail",
        principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
        actions: ["kms:GenerateDataKey"],
        resources: ["*"],
        conditions: thisTrail,
      })
      .addStatement({
        sid: "CloudTrailDescribesKey",
        principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
        actions: ["kms:DescribeKey"],
        resources: ["*"],
        conditions: [{ test: "StringEquals", variable: "aws:SourceArn", values: [this.trailArn] }],
      });

    this.bucket = new DataBucket(this, "bucket", {
      tier: "audit-trail",
      bucketName: `${props.namePrefix}-audit-trail-${account.accountId}`,
      key: this.key,
      accessLogs: props.accessLogs,
      lifecycle: props.lifecycle,
      objectLock: props.objectLock,
      account,
    });
    const fromThisTrail = [{ test: "StringEquals", variable: "aws:SourceArn", values: [this.trailArn] }];
    this.bucket.policy
      .addStatement({
        sid: "CloudTrailChecksBucketAcl",
        principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
        actions: ["s3:GetBucketAcl"],
        resources: [this.bucket.bucketArn],
        conditions: fromThisTrail,
      })
      .addStatement({
        sid: "CloudTrailWritesLogFiles",
        principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
        actions: ["s3:PutObject"],
        resources: [`${this.bucket.bucketArn}/AWSLogs/${account.accountId}/*`],
        conditions: [...fromThisTrail, { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] }],
      });

    const logGroup = props.logGroups.create({ purpose: "cloudtrail" });
    const deliveryRole = new ServiceRole(this, "logs-role", {
      roleName: `${props.namePrefix}-cloudtrail-logs`,
      description: "CloudTrail delivery of the trail's events to its log group",
      servicePrincipal: "cloudtrail.amazonaws.com",
      account,
      sourceArnLike: this.trailArn,
    });
    deliveryRole.policy.addStatement({
      sid: "DeliverTrailEvents",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [`${logGroup.logGroupArn}:log-stream:*`],
    });

    const trail = new Cloudtrail(this, "trail", {
      name: this.trailName,
      s3BucketName: this.bucket.bucketName,
      kmsKeyId: this.key.keyArn,
      enableLogFileValidation: true,
      enableLogging: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      // CloudTrail wants the group ARN with its stream wildcard.
      cloudWatchLogsGroupArn: `${logGroup.logGroupArn}:*`,
      cloudWatchLogsRoleArn: deliveryRole.roleArn,
      advancedEventSelector: [
        { name: "Management events", fieldSelector: [{ field: "eventCategory", equalTo: ["Management"] }] },
        {
          name: "S3 object events on the platform buckets",
          fieldSelector: [
            { field: "eventCategory", equalTo: ["Data"] },
            { field: "resources.type", equalTo: ["AWS::S3::Object"] },
            { field: "resources.ARN", startsWith: props.dataEventBuckets.map((bucket) => `${bucket.bucketArn}/`) },
          ],
        },
        {
          name: "Lambda invocations of the handlers",
          fieldSelector: [
            { field: "eventCategory", equalTo: ["Data"] },
            { field: "resources.type", equalTo: ["AWS::Lambda::Function"] },
            { field: "resources.ARN", equalTo: [...props.functionArns] },
          ],
        },
      ],
      // CloudTrail checks the bucket policy when the trail is created.
      dependsOn: [this.bucket.policyResource],
    });
    this.trailName = trail.name;

    const ruleArns: string[] = [];
    for (const change of watchedChanges(props)) {
      const rule = new CloudwatchEventRule(this, change.name, {
        name: `${props.namePrefix}-${change.name}`,
        description: `${change.description} -> alarm topic`,
        eventPattern: JSON.stringify({ source: [change.source], "detail-type": ["AWS API Call via CloudTrail"], detail: change.detail }),
        state: "ENABLED",
      });
      new CloudwatchEventTarget(this, `${change.name}-to-topic`, {
        rule: rule.name,
        targetId: "alarm-topic",
        arn: props.alarmTopic.topicArn,
        inputTransformer: {
          inputPaths: { event: "$.detail.eventName", who: "$.detail.userIdentity.arn", time: "$.time", source: "$.source" },
          inputTemplate: `"Sentinel ${props.namePrefix}: <source> <event> by <who> at <time>. ${change.description}. Runbook: docs/security-model.md, change alarms."`,
        },
      });
      ruleArns.push(rule.arn);
    }
    props.alarmTopic.acceptEventsFrom("TrailChangeRules", ruleArns);
    this.ruleArns = ruleArns;

    const metric = { namespace: "Sentinel/Security", name: `${props.namePrefix}-role-policy-changes` };
    new CloudwatchLogMetricFilter(this, "role-policy-changes", {
      name: `${props.namePrefix}-role-policy-changes`,
      logGroupName: logGroup.logGroupName,
      pattern: rolePolicyChangePattern(props.roleNamePrefix),
      metricTransformation: { namespace: metric.namespace, name: metric.name, value: "1", defaultValue: "0" },
    });
    new CloudwatchMetricAlarm(this, "role-policy-changes-alarm", {
      alarmName: `${props.namePrefix}-role-policy-changes`,
      alarmDescription: "A platform role's policy or trust policy changed. Runbook: docs/security-model.md, change alarms.",
      namespace: metric.namespace,
      metricName: metric.name,
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [props.alarmTopic.topicArn],
    });
  }
}
