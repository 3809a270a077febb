/**
 * The platform's IAM rules, shared by the policy-document builder (refuses at construction) and the
 * policy guard (fails synth on anything that slipped past the builder, e.g. an escape-hatch override).
 */

/** `*`, `s3:*`, `s3:Get*`: any action pattern, which grants actions nobody reviewed. */
export function isWildcardAction(action: string): boolean {
  return action.includes("*") || action.includes("?");
}

/**
 * Actions for which AWS defines no resource type, so `"Resource": "*"` is the only valid value.
 * Source: the Service Authorization Reference (Actions, resources, and condition keys), where these
 * actions have an empty "Resource types" column. Any other action must name its resources.
 */
export const ACTIONS_WITHOUT_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  "cloudwatch:PutMetricData",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcAttribute",
  "ec2:DescribeVpcEndpoints",
  "ec2:DescribeVpcs",
  "kms:ListAliases",
  "kms:ListKeys",
  "s3:ListAllMyBuckets",
  "sts:GetCallerIdentity",
  "xray:PutTelemetryRecords",
  "xray:PutTraceSegments",
]);

/** Condition keys that confine an `Allow` to a principal or resource owner the platform controls. */
export const ACCOUNT_SCOPING_CONDITION_KEYS: ReadonlySet<string> = new Set([
  "aws:PrincipalAccount",
  "aws:PrincipalOrgID",
  "aws:ResourceAccount",
  "aws:SourceAccount",
  "aws:SourceArn",
  "aws:SourceVpc",
  "aws:SourceVpce",
]);

/** `service:Action`, or `*` (which only a Deny may use). */
export const ACTION_FORMAT = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
