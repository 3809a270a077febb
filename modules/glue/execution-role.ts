/**
 * The role a Glue or DataBrew job runs as: one inline policy filled by grant helpers, nothing managed
 * by AWS attached (AWSGlueServiceRole grants glue:* and s3 on every aws-glue-* bucket).
 *
 * Made as modules/iam's ServiceRole is (roleWithInlinePolicy), but the trust policy carries no
 * aws:SourceAccount / aws:SourceArn condition: neither Glue nor DataBrew documents those keys for the assume-role call a job run makes,
 * and a condition the service does not send would stop every run. The confused-deputy path is closed
 * instead by iam:PassRole: only principals of this account allowed to pass this role can attach it to
 * a job, and a role cannot be passed across accounts.
 */
import { Construct } from "constructs";
import { PolicyDocument } from "../iam/policy-document";
import { roleWithInlinePolicy } from "../iam/service-role";

export interface ExecutionRoleProps {
  readonly roleName: string;
  readonly description: string;
  /** glue.amazonaws.com or databrew.amazonaws.com. */
  readonly servicePrincipal: string;
}

export class ExecutionRole extends Construct {
  readonly roleArn: string;
  readonly roleName: string;
  /** The role's permissions; add to it with grant helpers. */
  readonly policy: PolicyDocument;

  constructor(scope: Construct, id: string, props: ExecutionRoleProps) {
    super(scope, id);
    const trust = PolicyDocument.trust(`${props.roleName}-trust`).addStatement({
      sid: "AssumedByJobRuns",
      principals: [{ type: "Service", identifiers: [props.servicePrincipal] }],
      actions: ["sts:AssumeRole"],
    });
    const { role, policy } = roleWithInlinePolicy(this, props.roleName, props.description, trust);
    this.policy = policy;
    this.roleArn = role.arn;
    this.roleName = props.roleName;
  }
}
