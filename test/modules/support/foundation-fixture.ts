/**
 * The foundation every module test stack stands on, built as stacks/sentinel-stack.ts builds it: keys,
 * log groups, buckets (with the dev environment's lifecycle) and the private network, on the test
 * account. Shared by the Glue and the operations fixtures instead of each rebuilding it by hand.
 */
import type { TerraformStack } from "cdktf";
import { PlatformKeys } from "../../../modules/encryption/platform-keys";
import { LogGroupFactory } from "../../../modules/logging/log-group-factory";
import { PrivateNetwork } from "../../../modules/network/private-network";
import { PlatformBuckets } from "../../../modules/storage/platform-buckets";
import { loadEnvironments } from "../../../stacks/config/environments";
import { TEST_DEPLOYER_ARN, TEST_ACCOUNT } from "./synth";

export interface Foundation {
  readonly keys: PlatformKeys;
  readonly logGroups: LogGroupFactory;
  readonly buckets: PlatformBuckets;
  readonly network: PrivateNetwork;
}

/** `prefix` names the resources (sentinel-test); `objectLockDays` is the lineage bucket's retention. */
export function foundation(stack: TerraformStack, prefix: string, objectLockDays: number): Foundation {
  const account = TEST_ACCOUNT;
  const dev = loadEnvironments().find((environment) => environment.name === "dev");
  if (dev === undefined) throw new Error("no dev environment to take the bucket lifecycle from");
  const keys = new PlatformKeys(stack, "keys", {
    namePrefix: prefix,
    account,
    auditLogGroupPrefix: "/sentinel/test/audit",
    administratorArns: [TEST_DEPLOYER_ARN],
  });
  const logGroups = new LogGroupFactory(stack, "logs", { namePrefix: "/sentinel/test", retentionInDays: 365, defaultKey: keys.logs });
  const buckets = new PlatformBuckets(stack, "buckets", {
    namePrefix: prefix,
    account,
    keys,
    lifecycle: dev.lifecycle,
    lineageObjectLock: { mode: "GOVERNANCE", days: objectLockDays },
  });
  const network = new PrivateNetwork(stack, "network", {
    namePrefix: prefix,
    account,
    vpcCidr: "10.40.0.0/16",
    availabilityZones: ["eu-central-2a", "eu-central-2b"],
    logGroups,
    bucketArns: buckets.allBucketArns,
  });
  return { keys, logGroups, buckets, network };
}
