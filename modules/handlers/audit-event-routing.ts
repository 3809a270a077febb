/**
 * Routes the trigger's and lineage handler's audit events (contracts/audit-events.ts) from the default
 * event bus to the audit handler, the only writer and signer of the audit chain. The target retries for
 * a day, then dead-letters to a KMS-encrypted queue that admits only this rule; the audit function admits
 * only this rule as this route's invoker. Each sender's role may put only its own source (grantSend).
 */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Construct } from "constructs";
import { AUDIT_EVENT_DETAIL_TYPE, auditEventPattern, auditEventSource, type AuditEventSender } from "../../contracts/audit-events";
import type { PlatformKey } from "../encryption/platform-key";
import { regionalArn, type EnvironmentScopeProps } from "../iam/arns";
import type { PolicyDocument } from "../iam/policy-document";
import { allowServiceToUseKey } from "../encryption/service-key-use";
import { DeadLetterQueue } from "./dead-letter-queue";
import type { PipelineFunction } from "./pipeline-function";

export interface AuditEventRoutingProps extends EnvironmentScopeProps {
  readonly audit: PipelineFunction;
  /** Encrypts the dead-letter queue of undeliverable audit events. */
  readonly operationsKey: PlatformKey;
}

/** As for job state events: EventBridge retries a failed delivery with backoff for up to a day. */
const DELIVERY_RETRY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };

export class AuditEventRouting extends Construct {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly deadLetterQueue: DeadLetterQueue;
  private readonly busArn: string;

  constructor(scope: Construct, id: string, props: AuditEventRoutingProps) {
    super(scope, id);
    this.busArn = regionalArn(props.account, "events", "event-bus/default");
    this.deadLetterQueue = new DeadLetterQueue(this, "dead-letters", {
      queueName: `${props.namePrefix}-audit-event-dead-letters`,
      key: props.operationsKey,
      region: props.account.region,
    });
    allowServiceToUseKey(props.operationsKey, "events.amazonaws.com", props.account.accountId);
    const rule = new CloudwatchEventRule(this, "rule", {
      name: `${props.namePrefix}-audit-events`,
      description: "Audit events of the trigger and lineage handlers -> the audit handler (the only chain writer and signer)",
      eventPattern: auditEventPattern(),
      state: "ENABLED",
    });
    new CloudwatchEventTarget(this, "to-audit", {
      rule: rule.name,
      targetId: "audit",
      arn: props.audit.functionArn,
      retryPolicy: DELIVERY_RETRY,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
    });
    props.audit.allowInvocation("audit-events", "events.amazonaws.com", rule.arn);
    this.deadLetterQueue.acceptFrom("AuditEventRule", "events.amazonaws.com", [rule.arn]);
    this.ruleArn = rule.arn;
    this.ruleName = rule.name;
  }

  /** Lets a sender's role put audit events on the default bus, only with its own source and the audit detail type. */
  grantSend(policy: PolicyDocument, sender: AuditEventSender): void {
    policy.addStatement({
      sid: "SendAuditEventsToAuditHandler",
      actions: ["events:PutEvents"],
      resources: [this.busArn],
      conditions: [
        { test: "StringEquals", variable: "events:source", values: [auditEventSource(sender)] },
        { test: "StringEquals", variable: "events:detail-type", values: [AUDIT_EVENT_DETAIL_TYPE] },
      ],
    });
  }
}
