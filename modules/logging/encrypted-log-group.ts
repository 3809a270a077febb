/** A CloudWatch log group that is always KMS-encrypted and always has a retention period. */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import type { PolicyDocument } from "../iam/policy-document";
import { sidFragment } from "../iam/sid";

export interface EncryptedLogGroupProps {
  readonly logGroupName: string;
  /** Required: there is no unencrypted log group. */
  readonly key: PlatformKey;
  /** One of CloudWatch Logs' allowed values (validated in the environment config). */
  readonly retentionInDays: number;
}

export class EncryptedLogGroup extends Construct {
  readonly logGroupName: string;
  readonly logGroupArn: string;
  readonly key: PlatformKey;
  private readonly label: string;

  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id);
    this.label = sidFragment(id);
    this.key = props.key;
    const group = new CloudwatchLogGroup(this, "group", {
      name: props.logGroupName,
      kmsKeyId: props.key.keyArn,
      retentionInDays: props.retentionInDays,
      logGroupClass: "STANDARD",
    });
    this.logGroupName = props.logGroupName;
    this.logGroupArn = group.arn;
  }

  /** Create streams in this group and put events into them (CloudWatch Logs encrypts server-side). */
  grantWrite(policy: PolicyDocument): void {
    policy.addStatement({
      sid: `WriteLogs${this.label}`,
      actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      resources: [this.logGroupArn, `${this.logGroupArn}:log-stream:*`],
    });
  }

  /** Read and search the events of this group. */
  grantRead(policy: PolicyDocument): void {
    policy.addStatement({
      sid: `ReadLogs${this.label}`,
      actions: ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents"],
      resources: [this.logGroupArn, `${this.logGroupArn}:log-stream:*`],
    });
  }
}
