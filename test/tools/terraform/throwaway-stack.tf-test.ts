/**
 * The Terraform machinery end to end on the throwaway fixture stack, with the real CLI and provider:
 * validate (and that validate can fail), the emulator override against the provider schema, plan, and
 * apply + SDK checks + destroy (and that the checks catch a breach).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../../local/emulator/emulator";
import { EMULATED_SERVICES } from "../../../contracts/emulated-services";
import { applyVerifyDestroy, localApplyFailures, planAgainstEmulator, validateStack } from "../../../tools/terraform/operations";
import { PROJECT_ROOT } from "../../../tools/terraform/session";
import { createTerraform, type Terraform } from "../../../tools/terraform/terraform";
import { locateToolchain } from "../../../tools/terraform/toolchain";
import { synthThrowawayStack } from "./fixtures/throwaway-stack";

/** Managed resources in a synthesized stack, counted from its JSON rather than hard-coded. */
function resourceCount(configFile: string): number {
  const config = JSON.parse(readFileSync(configFile, "utf8")) as { resource: Record<string, Record<string, unknown>> };
  return Object.values(config.resource).reduce((total, ofType) => total + Object.keys(ofType).length, 0);
}

const scratch = mkdtempSync(join(tmpdir(), "sentinel-tf-tier-"));
const workRoot = join(scratch, "work");
let terraform: Terraform;
let emulator: Emulator;

beforeAll(async () => {
  const toolchain = locateToolchain();
  if ("missing" in toolchain) throw new Error(`the Terraform tier needs the built toolchain: ${toolchain.missing.join("; ")}`);
  terraform = createTerraform(toolchain, PROJECT_ROOT);
  emulator = await startEmulator({ projectRoot: PROJECT_ROOT });
});

afterAll(async () => {
  await emulator?.stop();
});

describe("terraform validate", () => {
  it("accepts the synthesized throwaway stack", async () => {
    const stack = synthThrowawayStack(join(scratch, "valid"), "throwaway");
    const timings = await validateStack(terraform, stack, workRoot);
    expect(timings.validate).toBeGreaterThan(0);
  });

  it("rejects an argument the aws provider does not have", async () => {
    const stack = synthThrowawayStack(join(scratch, "invalid"), "broken");
    const config = JSON.parse(readFileSync(stack.configFile, "utf8"));
    config.resource.aws_s3_bucket.data.encryption_everywhere = true;
    writeFileSync(stack.configFile, JSON.stringify(config));
    await expect(validateStack(terraform, stack, workRoot)).rejects.toThrow(/encryption_everywhere/);
  });
});

describe("against the emulator", () => {
  it("overrides only endpoint keys the provider's schema has", async () => {
    const stack = synthThrowawayStack(join(scratch, "schema"), "schema");
    const { dir } = await planAgainstEmulator(terraform, stack, workRoot, emulator);
    const schema = JSON.parse((await terraform.run(dir, ["providers", "schema", "-json"])).stdout);
    const aws = Object.entries(
      schema.provider_schemas as Record<
        string,
        { provider: { block: { block_types: Record<string, { block: { attributes: Record<string, unknown> } }> } } }
      >,
    ).find(([source]) => source.endsWith("/hashicorp/aws"))![1];
    const endpointKeys = Object.keys(aws.provider.block.block_types.endpoints!.block.attributes);
    expect(endpointKeys).toEqual(expect.arrayContaining([...EMULATED_SERVICES]));
  });

  it("plans every resource of the stack for creation", async () => {
    const stack = synthThrowawayStack(join(scratch, "plan"), "planned");
    const { summary } = await planAgainstEmulator(terraform, stack, workRoot, emulator);
    expect(summary.totals).toMatchObject({ create: resourceCount(stack.configFile), update: 0, replace: 0, delete: 0 });
    expect(summary.byType.map(({ type }) => type)).toEqual(
      expect.arrayContaining(["aws_kms_key", "aws_s3_bucket", "aws_vpc", "aws_glue_job", "aws_scheduler_schedule"]),
    );
  });

  it("applies, finds every resource as promised through the SDK, destroys and finds them gone", async () => {
    const stack = synthThrowawayStack(join(scratch, "apply"), "applied");
    const report = await applyVerifyDestroy(terraform, stack, workRoot, emulator);
    expect(localApplyFailures(report)).toEqual([]);
    // nothing is left out: the emulator evaluates the fixture's bucket policy with its conditions (LOCAL_APPLY_EXCLUSIONS is empty)
    expect(report.scope.excluded).toEqual([]);
    expect(report.appliedCount).toBe(resourceCount(stack.configFile));
    // Everything the fixture has is checked; it has no Lambda function.
    expect(report.applied.lines.filter((line) => line.startsWith("ok"))).toHaveLength(7);
    expect(report.applied.lines).toContain("skip aws_lambda_function: none in this stack");
    expect(report.leftInState).toBe(0);
  });

  it("reports a VPC with an internet gateway as a failure", async () => {
    const stack = synthThrowawayStack(join(scratch, "breach"), "breached", { withInternetGateway: true });
    const report = await applyVerifyDestroy(terraform, stack, workRoot, emulator);
    expect(report.applied.failures).toEqual([expect.stringMatching(/^aws_vpc\.vpc: internet gateway attached: igw-/)]);
    expect(report.leftInState).toBe(0);
  });
});
