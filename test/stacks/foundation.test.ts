/**
 * The environment stacks and the module test fixtures stand on the same foundation construct, and it
 * keeps the Terraform addresses the environments were deployed with (construct ids `keys`, `logs`,
 * `buckets`, `network` directly under the stack).
 */
import { TerraformResource, Testing, type TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { PlatformFoundation } from "../../modules/foundation/platform-foundation";
import { loadEnvironments } from "../../stacks/config/environments";
import { SentinelStack } from "../../stacks/sentinel-stack";
import { foundation } from "../modules/support/foundation-fixture";
import { testStack, withPlainStackTraces } from "../modules/support/test-stack";

const FOUNDATION_PARTS = ["keys", "buckets", "network"] as const;

/** `<type>.<logical id>` of every resource below the stack's child `id`: the addresses `terraform plan` compares. */
function addressesUnder(stack: TerraformStack, id: string): string[] {
  const child = stack.node.findChild(id);
  return child.node
    .findAll()
    .filter((construct: IConstruct): construct is TerraformResource => construct instanceof TerraformResource)
    .map((resource) => `${resource.terraformResourceType}.${stack.getLogicalId(resource)}`)
    .sort();
}

describe("the platform foundation", () => {
  const dev = loadEnvironments().find((environment) => environment.name === "dev");
  let environment: SentinelStack;
  let fixture: TerraformStack;
  let fixtureFoundation: PlatformFoundation;

  beforeAll(() => {
    if (dev === undefined) throw new Error("no dev environment");
    environment = withPlainStackTraces(() => new SentinelStack(Testing.app(), "dev", { config: dev }));
    fixture = testStack();
    fixtureFoundation = withPlainStackTraces(() => foundation(fixture, "sentinel-test", 30));
  });

  it("is the one construct both the environment stack and the module test fixtures build", () => {
    expect(environment.foundation).toBeInstanceOf(PlatformFoundation);
    expect(fixtureFoundation).toBeInstanceOf(PlatformFoundation);
    expect(environment.keys).toBe(environment.foundation.keys);
    expect(environment.logGroups).toBe(environment.foundation.logGroups);
    expect(environment.buckets).toBe(environment.foundation.buckets);
    expect(environment.network).toBe(environment.foundation.network);
  });

  it("adds its parts directly under the stack, so the deployed addresses stay where they were", () => {
    for (const [stack, built] of [
      [environment, environment.foundation],
      [fixture, fixtureFoundation],
    ] as const) {
      expect(stack.node.findChild("keys")).toBe(built.keys);
      expect(stack.node.findChild("logs")).toBe(built.logGroups);
      expect(stack.node.findChild("buckets")).toBe(built.buckets);
      expect(stack.node.findChild("network")).toBe(built.network);
    }
    // Addresses from before the foundation construct existed (dev at commit cfaaf7b): one of each part.
    expect(addressesUnder(environment, "keys")).toContain("aws_kms_key.keys_data_key_02E67481");
    expect(addressesUnder(environment, "buckets")).toContain("aws_s3_bucket.buckets_raw_baseline_bucket_CC0402A3");
    expect(addressesUnder(environment, "network")).toContain("aws_vpc.network_vpc_4E8F0223");
  });

  it("gives a test stack the resources, at the same addresses, of an environment with as many zones", () => {
    expect(dev?.availabilityZones).toHaveLength(2);
    for (const part of FOUNDATION_PARTS) {
      const addresses = addressesUnder(fixture, part);
      expect(addresses.length).toBeGreaterThan(0);
      expect(addresses).toEqual(addressesUnder(environment, part));
    }
  });
});
