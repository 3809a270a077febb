/**
 * The foundation every module test stack stands on, built as stacks/sentinel-stack.ts builds it: keys,
 * log groups, buckets (with the dev environment's lifecycle) and the private network, on the test
 * account. Shared by the Glue and the operations fixtures instead of each rebuilding it by hand.
 */
import type { TerraformStack } from "cdktf";
import { PlatformKeys } from "../../../modules/encryption/platform-keys";
import { LogGroupFactory } from "../../../modules/logging/log-group-factory";
import { PrivateNetwork } from "../../../modules/network/private-network";
import type { ObjectLockRetention } from "../../../modules/storage/data-bucket";
import type { LifecyclePolicy } from "../../../modules/storage/lifecycle";
import { PlatformBuckets } from "../../../modules/storage/platform-buckets";
import { loadEnvironments } from "../../../stacks/config/environments";
import { TEST_DEPLOYER_ARN, TEST_ACCOUNT } from "./synth";

export interface Foundation {
  readonly keys: PlatformKeys;
  readonly logGroups: LogGroupFactory;
  readonly buckets: PlatformBuckets;
  readonly network: PrivateNetwork;
}

/** A bucket lifecycle for tests that look at buckets, not at the days (the shape of an environment's). */
export const TEST_LIFECYCLE: LifecyclePolicy = {
  rawInfrequentAccessAfterDays: 30,
  rawGlacierAfterDays: 90,
  archiveDeepArchiveAfterDays: 180,
  noncurrentVersionExpiryDays: 30,
  abortIncompleteMultipartUploadDays: 7,
  accessLogExpiryDays: 400,
};

/** The platform's keys (construct id `keys`) on the test account, administered by the test deployer. */
export function testKeys(stack: TerraformStack, prefix = "sentinel-test"): PlatformKeys {
  return new PlatformKeys(stack, "keys", {
    namePrefix: prefix,
    account: TEST_ACCOUNT,
    auditLogGroupPrefix: "/sentinel/test/audit",
    administratorArns: [TEST_DEPLOYER_ARN],
  });
}

/** The log-group factory (construct id `logs`) under /sentinel/test, encrypted with the logs key. */
export function testLogGroups(stack: TerraformStack, keys: PlatformKeys): LogGroupFactory {
  return new LogGroupFactory(stack, "logs", { namePrefix: "/sentinel/test", retentionInDays: 365, defaultKey: keys.logs });
}

/** The platform's buckets (construct id `buckets`) on the test account, under `keys`. */
export function testBuckets(
  stack: TerraformStack,
  keys: PlatformKeys,
  options: { readonly lineageObjectLock: ObjectLockRetention; readonly lifecycle?: LifecyclePolicy; readonly prefix?: string },
): PlatformBuckets {
  return new PlatformBuckets(stack, "buckets", {
    namePrefix: options.prefix ?? "sentinel-test",
    account: TEST_ACCOUNT,
    keys,
    lifecycle: options.lifecycle ?? TEST_LIFECYCLE,
    lineageObjectLock: options.lineageObjectLock,
  });
}

/** `prefix` names the resources (sentinel-test); `objectLockDays` is the lineage bucket's retention. */
export function foundation(stack: TerraformStack, prefix: string, objectLockDays: number): Foundation {
  const dev = loadEnvironments().find((environment) => environment.name === "dev");
  if (dev === undefined) throw new Error("no dev environment to take the bucket lifecycle from");
  const keys = testKeys(stack, prefix);
  const logGroups = testLogGroups(stack, keys);
  const buckets = testBuckets(stack, keys, {
    prefix,
    lifecycle: dev.lifecycle,
    lineageObjectLock: { mode: "GOVERNANCE", days: objectLockDays },
  });
  const network = new PrivateNetwork(stack, "network", {
    namePrefix: prefix,
    account: TEST_ACCOUNT,
    vpcCidr: "10.40.0.0/16",
    availabilityZones: ["eu-central-2a", "eu-central-2b"],
    logGroups,
    bucketArns: buckets.allBucketArns,
  });
  return { keys, logGroups, buckets, network };
}
