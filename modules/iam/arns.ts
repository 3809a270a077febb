/** Where an environment's resources live, and ARN helpers scoped to it. */

export interface AccountScope {
  /** aws, aws-cn or aws-us-gov. */
  readonly partition: string;
  readonly region: string;
  /** 12-digit account id; at synth time usually a reference to the `account_id` Terraform variable. */
  readonly accountId: string;
}

/** What an environment-wide construct is named and placed by; its props interface extends this. */
export interface EnvironmentScopeProps {
  /** The environment's name prefix, e.g. sentinel-dev: the construct's resources are named after it. */
  readonly namePrefix: string;
  /** The account and region the resources are made in. */
  readonly account: AccountScope;
}

export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The account principal; in a key policy it delegates access decisions to IAM policies. */
export function accountRootArn(account: AccountScope): string {
  return `arn:${account.partition}:iam::${account.accountId}:root`;
}

/** ARN of a regional resource in this account, e.g. `log-group:/sentinel/dev/*`. */
export function regionalArn(account: AccountScope, service: string, resource: string): string {
  return `arn:${account.partition}:${service}:${account.region}:${account.accountId}:${resource}`;
}

/** ARN of a global (region-less) resource in this account, e.g. IAM roles. */
export function globalArn(account: AccountScope, service: string, resource: string): string {
  return `arn:${account.partition}:${service}::${account.accountId}:${resource}`;
}

export function bucketArn(account: AccountScope, bucketName: string): string {
  return `arn:${account.partition}:s3:::${bucketName}`;
}
