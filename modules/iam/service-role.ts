/**
 * An IAM role that one AWS service assumes on this account's behalf, with its permissions in one
 * inline policy built by grant helpers (`bucket.grantRead(role.policy)`, `logGroup.grantWrite(...)`).
 * The trust policy pins the calling account (and, when known, the calling resource) to prevent the
 * confused-deputy problem.
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { AccountScope } from "./arns";
import { PolicyDocument, type PolicyCondition } from "./policy-document";

export interface ServiceRoleProps {
  readonly roleName: string;
  readonly description: string;
  /** e.g. vpc-flow-logs.amazonaws.com. */
  readonly servicePrincipal: string;
  readonly account: AccountScope;
  /**
   * ARN pattern of the resources allowed to use the role (aws:SourceArn); omit if the service sends none.
   * @default none: the trust is confined by aws:SourceAccount only
   */
  readonly sourceArnLike?: string;
}

/**
 * The role resource (`role`) under `scope`, trusting `trust`, with one inline policy (`permissions`)
 * that grant helpers fill. ServiceRole and the job roles (modules/glue/execution-role.ts) are made by it
 * and differ only in their trust.
 */
export function roleWithInlinePolicy(
  scope: Construct,
  roleName: string,
  description: string,
  trust: PolicyDocument,
): { role: IamRole; policy: PolicyDocument } {
  const role = new IamRole(scope, "role", { name: roleName, description, assumeRolePolicy: trust.toJson(), maxSessionDuration: 3600 });
  const policy = PolicyDocument.identity(`${roleName}-permissions`, role.arn);
  new IamRolePolicy(scope, "permissions", { name: "permissions", role: role.id, policy: policy.toJson() });
  return { role, policy };
}

export class ServiceRole extends Construct {
  readonly roleArn: string;
  readonly roleName: string;
  /** The role's permissions; add to it with grant helpers. */
  readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    const conditions: PolicyCondition[] = [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.account.accountId] }];
    if (props.sourceArnLike !== undefined) {
      conditions.push({ test: "ArnLike", variable: "aws:SourceArn", values: [props.sourceArnLike] });
    }
    const trust = PolicyDocument.trust(`${props.roleName}-trust`).addStatement({
      sid: "AssumedByService",
      principals: [{ type: "Service", identifiers: [props.servicePrincipal] }],
      actions: ["sts:AssumeRole"],
      conditions,
    });
    const { role, policy } = roleWithInlinePolicy(this, props.roleName, props.description, trust);
    this.policy = policy;
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
