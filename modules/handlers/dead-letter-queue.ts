/**
 * An SQS queue that keeps what could not be delivered or processed (failed Lambda invocations,
 * undeliverable schedule and rule events) for 14 days, SSE-KMS encrypted under a platform key,
 * with a policy that refuses plain-HTTP access. Services that deliver with their own principal
 * (EventBridge rules) are admitted per source ARN with `acceptFrom`.
 */
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import { PolicyDocument } from "../iam/policy-document";
import { denyInsecureTransport } from "../iam/secure-transport";
import { sidFragment } from "../iam/sid";

export interface DeadLetterQueueProps {
  readonly queueName: string;
  /** Key for SSE-KMS. Required: there is no unencrypted queue. */
  readonly key: PlatformKey;
  /** e.g. eu-central-2: KMS grants are limited to calls made through SQS in this region. */
  readonly region: string;
}

/** SQS keeps a message at most 14 days: the time an operator has to look at and redrive a failure. */
export const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

export class DeadLetterQueue extends Construct {
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly queueName: string;
  readonly key: PlatformKey;
  /** The queue policy; statements are rendered at synth, so `acceptFrom` may be called later. */
  readonly policy: PolicyDocument;
  private readonly label: string;
  private readonly sqsService: string;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.key = props.key;
    this.label = sidFragment(id);
    this.sqsService = `sqs.${props.region}.amazonaws.com`;
    const queue = new SqsQueue(this, "queue", {
      name: props.queueName,
      kmsMasterKeyId: props.key.keyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.queueName = props.queueName;
    this.policy = PolicyDocument.resource(`${props.queueName}-policy`).addStatement(denyInsecureTransport(["sqs:*"], [queue.arn]));
    new SqsQueuePolicy(this, "policy", { queueUrl: queue.url, policy: this.policy.toJson() });
  }

  /**
   * Lets a service principal deliver to this queue on behalf of the given resources only (e.g. the
   * EventBridge rules whose targets use it as their dead-letter queue). The key policy must let
   * the same principal use the queue's key.
   */
  acceptFrom(name: string, servicePrincipal: string, sourceArns: readonly string[]): void {
    this.policy.addStatement({
      sid: `Accept${sidFragment(name)}`,
      principals: [{ type: "Service", identifiers: [servicePrincipal] }],
      actions: ["sqs:SendMessage"],
      resources: [this.queueArn],
      conditions: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [...sourceArns] }],
    });
  }

  /** Send messages (a Lambda execution role, a schedule's role): SQS needs a data key and to decrypt it. */
  grantSend(policy: PolicyDocument): void {
    policy.addStatement({ sid: `SendTo${this.label}`, actions: ["sqs:SendMessage"], resources: [this.queueArn] });
    this.key.grantEncrypt(policy, this.sqsService);
    this.key.grantDecrypt(policy, this.sqsService);
  }
}
