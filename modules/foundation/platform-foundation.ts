/**
 * The foundation every environment stands on: the platform's keys, the log-group factory, the buckets
 * and the private network, wired to each other (logs under the logs key, buckets under the data keys,
 * the S3 endpoint limited to those buckets, flow logs into the factory's groups). The environment stack
 * and the module test fixtures both build it through this class, so a test stack has the foundation an
 * environment has.
 *
 * It adds its four constructs to `scope` under the ids `keys`, `logs`, `buckets` and `network` instead
 * of wrapping them in a node of its own, on purpose: cdktf derives every Terraform address from the
 * construct path, so a wrapping node would move each of the foundation's resources in every deployed
 * environment (a destroy and re-create, or a `moved` block for each). The ids and the order they are
 * created in are the ones the environments were deployed with.
 */
import type { Construct } from "constructs";
import { PlatformKeys } from "../encryption/platform-keys";
import type { EnvironmentScopeProps } from "../iam/arns";
import { LogGroupFactory } from "../logging/log-group-factory";
import { PrivateNetwork } from "../network/private-network";
import type { ObjectLockRetention } from "../storage/data-bucket";
import type { LifecyclePolicy } from "../storage/lifecycle";
import { PlatformBuckets } from "../storage/platform-buckets";

/** namePrefix is the prefix of bucket, key alias and security-group names. */
export interface PlatformFoundationProps extends EnvironmentScopeProps {
  /** e.g. /sentinel/dev: the prefix of every log group name (the audit trail's groups sit under `<prefix>/audit`). */
  readonly logGroupPrefix: string;
  readonly logRetentionDays: number;
  /** The deployer principals, administrators of every key. */
  readonly administratorArns: readonly string[];
  readonly lifecycle: LifecyclePolicy;
  /** Retention of lineage records and audit exports. */
  readonly lineageObjectLock: ObjectLockRetention;
  readonly vpcCidr: string;
  /** 2 or 3 zones; one private subnet each. */
  readonly availabilityZones: readonly string[];
}

export class PlatformFoundation {
  readonly keys: PlatformKeys;
  readonly logGroups: LogGroupFactory;
  readonly buckets: PlatformBuckets;
  readonly network: PrivateNetwork;

  constructor(scope: Construct, props: PlatformFoundationProps) {
    this.keys = new PlatformKeys(scope, "keys", {
      namePrefix: props.namePrefix,
      account: props.account,
      auditLogGroupPrefix: `${props.logGroupPrefix}/audit`,
      administratorArns: props.administratorArns,
    });
    this.logGroups = new LogGroupFactory(scope, "logs", {
      namePrefix: props.logGroupPrefix,
      retentionInDays: props.logRetentionDays,
      defaultKey: this.keys.logs,
    });
    this.buckets = new PlatformBuckets(scope, "buckets", {
      namePrefix: props.namePrefix,
      account: props.account,
      keys: this.keys,
      lifecycle: props.lifecycle,
      lineageObjectLock: props.lineageObjectLock,
    });
    this.network = new PrivateNetwork(scope, "network", {
      namePrefix: props.namePrefix,
      account: props.account,
      vpcCidr: props.vpcCidr,
      availabilityZones: props.availabilityZones,
      logGroups: this.logGroups,
      bucketArns: this.buckets.allBucketArns,
    });
  }
}
