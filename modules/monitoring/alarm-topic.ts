/**
 * The environment's alarm topic: SNS, encrypted with a platform key, e-mailing the address given in
 * the alarm_email Terraform variable. Its policy refuses plain-HTTP publishing and admits, besides
 * the account's own IAM principals, CloudWatch for this environment's alarms and EventBridge for
 * the rules registered with `acceptEventsFrom` only.
 */
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import { regionalArn, type AccountScope } from "../iam/arns";
import { PolicyDocument } from "../iam/policy-document";
import { denyInsecureTransport } from "../iam/secure-transport";
import { sidFragment } from "../iam/sid";
import { allowServiceToUseKey } from "../encryption/service-key-use";

export interface AlarmTopicProps {
  readonly topicName: string;
  readonly key: PlatformKey;
  readonly account: AccountScope;
  readonly email: string;
  /** Name prefix of the alarms allowed to publish, e.g. sentinel-dev-. */
  readonly alarmNamePrefix: string;
}

export class AlarmTopic extends Construct {
  readonly topicArn: string;
  readonly topicName: string;
  readonly policy: PolicyDocument;
  private readonly key: PlatformKey;
  private readonly accountId: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = props.key;
    this.accountId = props.account.accountId;
    const topic = new SnsTopic(this, "topic", {
      name: props.topicName,
      displayName: `Sentinel alarms (${props.topicName})`,
      kmsMasterKeyId: props.key.keyArn,
    });
    this.topicArn = topic.arn;
    this.topicName = props.topicName;
    allowServiceToUseKey(props.key, "cloudwatch.amazonaws.com", props.account.accountId);

    this.policy = PolicyDocument.resource(`${props.topicName}-policy`)
      .addStatement(denyInsecureTransport(["sns:Publish"], [topic.arn]))
      .addStatement({
        sid: "CloudWatchAlarmsOfThisEnvironment",
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [topic.arn],
        conditions: [
          {
            test: "ArnLike",
            variable: "aws:SourceArn",
            values: [regionalArn(props.account, "cloudwatch", `alarm:${props.alarmNamePrefix}*`)],
          },
          { test: "StringEquals", variable: "aws:SourceAccount", values: [props.account.accountId] },
        ],
      });
    new SnsTopicPolicy(this, "policy", { arn: topic.arn, policy: this.policy.toJson() });
    new SnsTopicSubscription(this, "email", { topicArn: topic.arn, protocol: "email", endpoint: props.email });
  }

  /** Lets EventBridge publish here for the given rules only (and use the topic's key). */
  acceptEventsFrom(name: string, ruleArns: readonly string[]): void {
    allowServiceToUseKey(this.key, "events.amazonaws.com", this.accountId);
    this.policy.addStatement({
      sid: `EventsFrom${sidFragment(name)}`,
      principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
      actions: ["sns:Publish"],
      resources: [this.topicArn],
      conditions: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [...ruleArns] }],
    });
  }
}
