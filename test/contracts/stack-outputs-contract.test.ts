/**
 * Stack outputs have two sides: the stack declares them (stacks/sentinel-stack.ts) and local/ reads them
 * after apply. Both go through contracts/stack-outputs.ts; this checks the stack declares exactly the
 * outputs the type names, and that a reader is told which output is missing or malformed.
 */
import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { STACK_OUTPUT_NAMES, readStackOutputs } from "../../contracts/stack-outputs";
import { loadEnvironments } from "../../stacks/config/environments";
import { SentinelStack } from "../../stacks/sentinel-stack";
import { type Synthesized } from "../modules/support/synth";
import { withPlainStackTraces } from "../modules/support/test-stack";

describe("stack outputs contract between the stack and local/", () => {
  it("the local stack declares exactly the outputs contracts/stack-outputs.ts names", () => {
    const config = loadEnvironments().find((environment) => environment.name === "local");
    if (config === undefined) throw new Error("no local environment");
    const out = withPlainStackTraces(
      () => JSON.parse(Testing.synth(new SentinelStack(Testing.app(), config.name, { config }))) as Synthesized,
    );
    expect(Object.keys(out.output ?? {}).sort()).toEqual([...STACK_OUTPUT_NAMES].sort());
  });

  it("reads the outputs a caller asks for, and names a missing or malformed one", () => {
    const buckets = { raw: "sentinel-local-raw", processed: "sentinel-local-processed" };
    expect(readStackOutputs({ bucket_names: buckets, vpc_id: "vpc-1" }, ["bucket_names"])).toEqual({ bucket_names: buckets });
    expect(() => readStackOutputs({ vpc_id: "vpc-1" }, ["bucket_names", "audit_log_group_name"])).toThrow(
      /the stack has no usable bucket_names: .*; audit_log_group_name: .* \(outputs: vpc_id\)/,
    );
    expect(() => readStackOutputs({ kms_key_arns: { logs: "arn:logs" } }, ["kms_key_arns"])).toThrow(/kms_key_arns\.data/);
  });
});
