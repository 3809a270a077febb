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
  readonly scope: AccountScope;
  /** ARN pattern of the resources allowed to use the role (aws:SourceArn); omit if the service sends none. */
  readonly sourceArnLike?: string;
}

export class ServiceRole extends Construct {
  readonly roleArn: string;
  readonly roleName: string;
  /** The role's permissions; add to it with grant helpers. */
  readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    const conditions: PolicyCondition[] = [
      { test: "StringEquals", variable: "aws:SourceAccount", values: [props.scope.accountId] },
    ];
    if (props.sourceArnLike !== undefined) {
      conditions.push({ test: "ArnLike", variable: "aws:SourceArn", values: [props.sourceArnLike] });
    }
    const trust = PolicyDocument.trust(`${props.roleName}-trust`).addStatement({
      sid: "AssumedByService",
      principals: [{ type: "Service", identifiers: [props.servicePrincipal] }],
      actions: ["sts:AssumeRole"],
      conditions,
    });
    const role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: trust.toJson(),
      maxSessionDuration: 3600,
    });
    this.policy = PolicyDocument.identity(`${props.roleName}-permissions`, role.arn);
    new IamRolePolicy(this, "permissions", {
      name: "permissions",
      role: role.id,
      policy: this.policy.toJson(),
    });
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
