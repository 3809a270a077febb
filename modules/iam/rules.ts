/**
 * The platform's IAM rules, shared by the policy-document builder (refuses at construction) and the
 * policy guard (fails synth on anything that slipped past the builder, e.g. an escape-hatch override).
 */

/** `*`, `s3:*`, `s3:Get*`: any action pattern, which grants actions nobody reviewed. */
export function isWildcardAction(action: string): boolean {
  return action.includes("*") || action.includes("?");
}

/** What a service placing network interfaces in the VPC (Glue) reads of it; none of these has a resource type. */
export const EC2_NETWORK_DESCRIBE_ACTIONS = [
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcAttribute",
  "ec2:DescribeVpcEndpoints",
  "ec2:DescribeVpcs",
] as const;

/**
 * Actions for which AWS defines no resource type, so `"Resource": "*"` is the only valid value.
 * Source: the Service Authorization Reference (Actions, resources, and condition keys), where these
 * actions have an empty "Resource types" column. Any other action must name its resources.
 */
export const ACTIONS_WITHOUT_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  "cloudwatch:PutMetricData",
  ...EC2_NETWORK_DESCRIBE_ACTIONS,
  "glue:GetJobBookmark",
  "glue:GetSecurityConfiguration",
  "kms:ListAliases",
  "kms:ListKeys",
  "s3:ListAllMyBuckets",
  "sts:GetCallerIdentity",
  "xray:PutTelemetryRecords",
  "xray:PutTraceSegments",
]);

/**
 * Condition keys that confine an `Allow` to any principal (`*`) to callers of this account: its own
 * principals, or AWS services acting for one of its resources. (Resource-owner or network keys
 * such as aws:ResourceAccount or aws:SourceVpce would still admit principals of other accounts.)
 */
export const ACCOUNT_SCOPING_CONDITION_KEYS: ReadonlySet<string> = new Set([
  "aws:PrincipalAccount",
  "aws:PrincipalOrgID",
  "aws:SourceAccount",
  "aws:SourceArn",
]);

/** `service:Action`, or `*` (which only a Deny may use). */
export const ACTION_FORMAT = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
