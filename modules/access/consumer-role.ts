/**
 * An IAM role that people (or their SSO roles) assume to consume what the platform produces. The
 * trusted principals are a Terraform variable (a list known only at plan), so the trust policy is
 * an aws_iam_policy_document data source, which Terraform renders with the list in place; the
 * permissions are a checked PolicyDocument that callers fill with grants. The trust requires MFA for
 * IAM users, a source identity on every session and, when configured, membership of the organization.
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
  /**
   * How long a consumer session lasts before it re-authenticates.
   * @default 3600 (one hour)
   */
  readonly maxSessionDurationSeconds?: number;
  /**
   * When set, only principals of this AWS Organization may assume the role (aws:PrincipalOrgID).
   * @default none: no organization condition
   */
  readonly organizationId?: string;
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
          // SetSourceIdentity: the caller must name the person (sts:SourceIdentity), which stays on
          // the session through role chaining and appears in every CloudTrail record it makes.
          actions: ["sts:AssumeRole", "sts:SetSourceIdentity"],
          principals: [{ type: "AWS", identifiers: props.trustedPrincipalArns }],
          condition: [
            // An IAM user's long-term keys need MFA; a role session (SSO) carries no MFA key and
            // authenticated with its identity provider.
            { test: "BoolIfExists", variable: "aws:MultiFactorAuthPresent", values: ["true"] },
            { test: "Null", variable: "sts:SourceIdentity", values: ["false"] },
            ...(props.organizationId === undefined
              ? []
              : [{ test: "StringEquals", variable: "aws:PrincipalOrgID", values: [props.organizationId] }]),
          ],
        },
      ],
    });
    const role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: trust.json,
      maxSessionDuration: props.maxSessionDurationSeconds ?? 3600,
    });
    this.policy = PolicyDocument.identity(`${props.roleName}-permissions`, role.arn);
    new IamRolePolicy(this, "permissions", { name: "permissions", role: role.id, policy: this.policy.toJson() });
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
