/**
 * The foundation every module test stack stands on: the environment stacks' PlatformFoundation (keys,
 * log groups, buckets with the dev environment's lifecycle, the private network) on the test account,
 * shared by the Glue and the operations fixtures; and its parts one by one (same ids, same settings),
 * for the tests of a single module that need only a key or a bucket.
 */
import type { TerraformStack } from "cdktf";
import { PlatformKeys } from "../../../modules/encryption/platform-keys";
import { PlatformFoundation } from "../../../modules/foundation/platform-foundation";
import { LogGroupFactory } from "../../../modules/logging/log-group-factory";
import type { ObjectLockRetention } from "../../../modules/storage/data-bucket";
import type { LifecyclePolicy } from "../../../modules/storage/lifecycle";
import { PlatformBuckets } from "../../../modules/storage/platform-buckets";
import { loadEnvironments } from "../../../stacks/config/environments";
import { TEST_DEPLOYER_ARN, TEST_ACCOUNT } from "./test-stack";

const TEST_LOG_GROUP_PREFIX = "/sentinel/test";
const TEST_LOG_RETENTION_DAYS = 365;

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
    auditLogGroupPrefix: `${TEST_LOG_GROUP_PREFIX}/audit`,
    administratorArns: [TEST_DEPLOYER_ARN],
  });
}

/** The log-group factory (construct id `logs`) under /sentinel/test, encrypted with the logs key. */
export function testLogGroups(stack: TerraformStack, keys: PlatformKeys): LogGroupFactory {
  return new LogGroupFactory(stack, "logs", {
    namePrefix: TEST_LOG_GROUP_PREFIX,
    retentionInDays: TEST_LOG_RETENTION_DAYS,
    defaultKey: keys.logs,
  });
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

/**
 * The environment stacks' own foundation construct on the test account: `prefix` names the resources
 * (sentinel-test); `objectLockDays` is the lineage bucket's retention.
 */
export function foundation(stack: TerraformStack, prefix: string, objectLockDays: number): PlatformFoundation {
  const dev = loadEnvironments().find((environment) => environment.name === "dev");
  if (dev === undefined) throw new Error("no dev environment to take the bucket lifecycle from");
  return new PlatformFoundation(stack, {
    namePrefix: prefix,
    account: TEST_ACCOUNT,
    logGroupPrefix: TEST_LOG_GROUP_PREFIX,
    logRetentionDays: TEST_LOG_RETENTION_DAYS,
    administratorArns: [TEST_DEPLOYER_ARN],
    lifecycle: dev.lifecycle,
    lineageObjectLock: { mode: "GOVERNANCE", days: objectLockDays },
    vpcCidr: "10.40.0.0/16",
    availabilityZones: ["eu-central-2a", "eu-central-2b"],
  });
}
