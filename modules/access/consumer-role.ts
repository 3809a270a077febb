/**
 * An IAM role that people (or their SSO roles) assume to consume what the platform produces. The
 * trusted principals are a Terraform variable (a list known only at plan), so the trust policy is
 * an aws_iam_policy_document data source, which Terraform renders with the list in place; the
 * permissions are a checked PolicyDocument that callers fill with grants.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { PolicyDocument } from "../iam/policy-document";

export interface ConsumerRoleProps {
  readonly roleName: string;
  readonly description: string;
  /** IAM role or user ARNs allowed to assume the role (a Terraform list variable). */
  readonly trustedPrincipalArns: string[];
  /** Default 3600: a consumer session lasts an hour, then re-authenticates. */
  readonly maxSessionDurationSeconds?: number;
}

export class ConsumerRole extends Construct {
  readonly roleArn: string;
  readonly roleName: string;
  /** The role's only permissions; add to it with grant helpers. */
  readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: ConsumerRoleProps) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          sid: "AssumedByTrustedPrincipals",
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "AWS", identifiers: props.trustedPrincipalArns }],
        },
      ],
    });
    const role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: trust.json,
      maxSessionDuration: props.maxSessionDurationSeconds ?? 3600,
    });
    this.policy = PolicyDocument.identity(`${props.roleName}-permissions`);
    new IamRolePolicy(this, "permissions", { name: "permissions", role: role.id, policy: this.policy.toJson() });
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
