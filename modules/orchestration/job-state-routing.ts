/**
 * Routes the pipeline's Glue and DataBrew job state changes to the lineage handler (every state:
 * it writes the OpenLineage record) and the audit handler (an audit entry per state change). Rules
 * match this environment's jobs by name only. Each target retries for a day and then dead-letters
 * the event to a KMS-encrypted queue that admits exactly these rules; each function admits exactly
 * these rules as invokers.
 */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import type { EnvironmentScopeProps } from "../iam/arns";
import { DeadLetterQueue } from "../handlers/dead-letter-queue";
import type { PipelineFunction } from "../handlers/pipeline-function";
import { JOB_EVENT_SOURCES, STATE_OUTCOMES, auditEntryTransformer, jobStatePattern, type JobService } from "../../contracts/job-events";
import { allowServiceToUseKey } from "../encryption/service-key-use";

export interface JobStateRoutingProps extends EnvironmentScopeProps {
  readonly jobNames: Readonly<Record<JobService, readonly string[]>>;
  readonly lineage: PipelineFunction;
  readonly audit: PipelineFunction;
  /** Encrypts the dead-letter queue of undeliverable events. */
  readonly operationsKey: PlatformKey;
}

/** EventBridge retries a failed delivery with backoff for up to a day (its maximum). */
const DELIVERY_RETRY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };

export class JobStateRouting extends Construct {
  readonly ruleArns: readonly string[];
  readonly ruleNames: readonly string[];
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: JobStateRoutingProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, "dead-letters", {
      queueName: `${props.namePrefix}-job-event-dead-letters`,
      key: props.operationsKey,
      region: props.account.region,
    });
    allowServiceToUseKey(props.operationsKey, "events.amazonaws.com", props.account.accountId);

    const rules: CloudwatchEventRule[] = [];
    for (const service of ["glue", "databrew"] as const) {
      const source = JOB_EVENT_SOURCES[service];
      for (const { outcome, label, states } of STATE_OUTCOMES) {
        const ruleId = `${service}-job-${label}`;
        const rule = new CloudwatchEventRule(this, ruleId, {
          name: `${props.namePrefix}-${ruleId}`,
          description: `${source.detailType} (${states.join(", ")}) of this environment's ${service} jobs -> lineage and audit`,
          eventPattern: jobStatePattern(source, props.jobNames[service], states),
          state: "ENABLED",
        });
        rules.push(rule);
        const target = (targetId: string, fn: PipelineFunction, transform?: ReturnType<typeof auditEntryTransformer>) =>
          new CloudwatchEventTarget(this, `${ruleId}-to-${targetId}`, {
            rule: rule.name,
            targetId,
            arn: fn.functionArn,
            retryPolicy: DELIVERY_RETRY,
            deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
            inputTransformer: transform,
          });
        target("lineage", props.lineage);
        target("audit", props.audit, auditEntryTransformer(source, outcome, props.account.partition));
        props.lineage.allowInvocation(ruleId, "events.amazonaws.com", rule.arn);
        props.audit.allowInvocation(ruleId, "events.amazonaws.com", rule.arn);
      }
    }
    this.ruleArns = rules.map((rule) => rule.arn);
    this.ruleNames = rules.map((rule) => rule.name);
    this.deadLetterQueue.acceptFrom("JobStateRules", "events.amazonaws.com", this.ruleArns);
  }
}
