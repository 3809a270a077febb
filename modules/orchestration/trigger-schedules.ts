/**
 * The nightly start of the pipeline: one EventBridge Scheduler schedule per dataset profile, in a
 * schedule group of the environment, invoking the trigger handler with the scheduled time. Cron and
 * time zone come from the environment config; a flexible window spreads the start, a retry policy
 * covers a throttled or briefly failing invocation, and what still cannot be delivered lands in a
 * KMS-encrypted dead-letter queue. The payload is encrypted with a platform key, and the schedules
 * act through a role that can invoke the trigger and nothing else.
 */
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SchedulerScheduleGroup } from "@cdktf/provider-aws/lib/scheduler-schedule-group";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import { regionalArn, type EnvironmentScopeProps } from "../iam/arns";
import { ServiceRole } from "../iam/service-role";
import { DeadLetterQueue } from "../handlers/dead-letter-queue";
import type { PipelineFunction } from "../handlers/pipeline-function";

export interface TriggerScheduleSettings {
  /** cron(...) or rate(...), validated in the environment config. */
  readonly expression: string;
  /** IANA time zone the cron expression is read in, e.g. Europe/Zurich. */
  readonly timezone: string;
  /** 0: start exactly on time; otherwise up to this many minutes later. */
  readonly flexibleWindowMinutes: number;
  readonly retryAttempts: number;
  readonly maximumEventAgeSeconds: number;
}

/** The schedule group, role and queue are named after namePrefix. */
export interface TriggerSchedulesProps extends EnvironmentScopeProps {
  readonly trigger: PipelineFunction;
  readonly datasetProfiles: readonly string[];
  readonly settings: TriggerScheduleSettings;
  /** Encrypts the schedules' payloads and the dead-letter queue. */
  readonly operationsKey: PlatformKey;
}

/** The trigger's scheduled event (handlers/trigger/trigger-event.ts), with Scheduler's context attributes. */
export function scheduledTriggerInput(profile: string): string {
  return JSON.stringify({
    source: "sentinel.scheduler",
    profile,
    scheduled_time: "<aws.scheduler.scheduled-time>",
    execution_id: "<aws.scheduler.execution-id>",
  });
}

export class TriggerSchedules extends Construct {
  readonly scheduleGroupName: string;
  readonly scheduleArns: readonly string[];
  readonly deadLetterQueue: DeadLetterQueue;
  readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: TriggerSchedulesProps) {
    super(scope, id);
    const { namePrefix, settings } = props;
    const group = new SchedulerScheduleGroup(this, "group", { name: namePrefix });
    this.scheduleGroupName = group.name;
    this.deadLetterQueue = new DeadLetterQueue(this, "dead-letters", {
      queueName: `${namePrefix}-schedule-dead-letters`,
      key: props.operationsKey,
      region: props.account.region,
    });
    this.role = new ServiceRole(this, "role", {
      roleName: `${namePrefix}-scheduler`,
      description: "EventBridge Scheduler: invokes the trigger handler on the nightly schedule",
      servicePrincipal: "scheduler.amazonaws.com",
      account: props.account,
      sourceArnLike: regionalArn(props.account, "scheduler", `schedule-group/${namePrefix}`),
    });
    props.trigger.grantInvoke(this.role.policy);
    this.deadLetterQueue.grantSend(this.role.policy);
    // Scheduler decrypts the stored payload with the schedule's role when it fires.
    this.role.policy.addStatement({ sid: "DecryptSchedulePayload", actions: ["kms:Decrypt"], resources: [props.operationsKey.keyArn] });

    const flexibleTimeWindow =
      settings.flexibleWindowMinutes === 0 ? { mode: "OFF" } : { mode: "FLEXIBLE", maximumWindowInMinutes: settings.flexibleWindowMinutes };
    this.scheduleArns = props.datasetProfiles.map(
      (profile) =>
        new SchedulerSchedule(this, `nightly-${profile}`, {
          name: `nightly-${profile}`,
          groupName: group.name,
          description: `Starts the ${profile} pipeline run for the previous day`,
          scheduleExpression: settings.expression,
          scheduleExpressionTimezone: settings.timezone,
          flexibleTimeWindow,
          state: "ENABLED",
          kmsKeyArn: props.operationsKey.keyArn,
          target: {
            arn: props.trigger.functionArn,
            roleArn: this.role.roleArn,
            input: scheduledTriggerInput(profile),
            retryPolicy: { maximumRetryAttempts: settings.retryAttempts, maximumEventAgeInSeconds: settings.maximumEventAgeSeconds },
            deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
          },
        }).arn,
    );
  }
}
