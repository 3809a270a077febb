/**
 * The slim offline provider build registers every resource and data source type the stacks use: each environment
 * as synthesized to disk, and the Terraform tier's fixture stack. A type outside the build fails here by name, before
 * Terraform would fail with "The provider hashicorp/aws does not support resource type".
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../stacks/app";
import { loadEnvironments } from "../../../stacks/config/environments";
import { stackTypes, type StackTypes } from "../../../tools/terraform/provider-services";
import { AWS_PROVIDER } from "../../../tools/terraform/provider-source";
import { SLIM_AWS_PROVIDER } from "../../../tools/terraform/slim-build";
import { readSlimServices, typesOutsideSlimBuild } from "../../../tools/terraform/slim-services";
import { withPlainStackTraces } from "../../modules/support/test-stack";
import { synthThrowawayStack } from "./fixtures/throwaway-stack";

const slim = readSlimServices();
const configs = new Map<string, Record<string, unknown>>();
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "sentinel-slim-coverage-"));
  withPlainStackTraces(() => buildApp({ outdir }).app.synth());
  for (const { name } of loadEnvironments()) {
    configs.set(name, JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8")) as Record<string, unknown>);
  }
  const fixture = withPlainStackTraces(() => synthThrowawayStack(join(outdir, "fixture"), "throwaway"));
  configs.set("the Terraform tier's throwaway fixture", JSON.parse(readFileSync(fixture.configFile, "utf8")) as Record<string, unknown>);
});

// Each environment's synth holds a copy of the Glue job's assets (tens of megabytes of wheels).
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("the slim provider build", () => {
  it("registers every resource and data source type of every environment and of the fixture stack", () => {
    const used = new Map<string, StackTypes>([...configs].map(([name, config]) => [name, stackTypes([config])]));
    expect(configs.size).toBe(loadEnvironments().length + 1);
    expect(typesOutsideSlimBuild(used, slim)).toEqual([]);
  });

  it("is derived from the provider source it builds, and registers what the stacks' own types need", () => {
    expect(slim.moduleVersion).toBe(SLIM_AWS_PROVIDER.moduleVersion);
    expect(slim.services).toEqual(expect.arrayContaining([...slim.stackServices]));
    expect([...slim.services].sort()).toEqual(slim.services);
  });

  it("every environment pins hashicorp/aws as the provider paths expect", () => {
    for (const [name, config] of configs) {
      const required = (config.terraform as { required_providers: Record<string, { version: string }> }).required_providers;
      expect({ name, version: required[AWS_PROVIDER.localName]?.version }).toEqual({ name, version: AWS_PROVIDER.pinnedVersion });
    }
  });
});

describe("typesOutsideSlimBuild", () => {
  it("names a type the build lacks, its kind and the stacks that use it", () => {
    const used = new Map<string, StackTypes>([
      ["dev", stackTypes([{ resource: { aws_s3_bucket: {}, aws_dynamodb_table: {} }, data: { aws_iam_policy_document: {} } }])],
      ["prod", stackTypes([{ resource: { aws_dynamodb_table: {}, random_id: {} }, data: { aws_ssm_parameter: {} } }])],
    ]);
    const s3AndIam = { ...slim, services: ["iam", "s3"], resourceTypes: ["aws_s3_bucket"], dataSourceTypes: ["aws_iam_policy_document"] };
    expect(typesOutsideSlimBuild(used, s3AndIam)).toEqual([
      expect.stringMatching(/^data source aws_ssm_parameter \(used by prod\) is not in the slim provider build: run 'npm run tf:services'/),
      expect.stringMatching(/^resource aws_dynamodb_table \(used by dev, prod\) is not in the slim provider build/),
    ]);
  });
});
