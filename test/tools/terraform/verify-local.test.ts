import { describe, expect, it } from "vitest";
import {
  VERIFIERS,
  deniesInsecureTransport,
  membersUnlikeDeclared,
  stateResources,
  unlikeDeclared,
} from "../../../tools/terraform/verify-local";

describe("deniesInsecureTransport", () => {
  const deny = (condition: unknown, effect = "Deny") =>
    JSON.stringify({ Statement: [{ Effect: effect, Action: "s3:*", Condition: condition }] });

  it("accepts a Deny on aws:SecureTransport false, as a string or a list", () => {
    expect(deniesInsecureTransport(deny({ Bool: { "aws:SecureTransport": "false" } }))).toBe(true);
    expect(deniesInsecureTransport(deny({ Bool: { "aws:SecureTransport": ["false"] } }))).toBe(true);
  });

  it("rejects an Allow, a condition on true, another key, or no statement", () => {
    expect(deniesInsecureTransport(deny({ Bool: { "aws:SecureTransport": "false" } }, "Allow"))).toBe(false);
    expect(deniesInsecureTransport(deny({ Bool: { "aws:SecureTransport": "true" } }))).toBe(false);
    expect(deniesInsecureTransport(deny({ Bool: { "aws:ViaAWSService": "false" } }))).toBe(false);
    expect(deniesInsecureTransport("{}")).toBe(false);
  });
});

describe("stateResources", () => {
  it("keeps managed resources and drops data sources", () => {
    const state = {
      values: {
        root_module: {
          resources: [
            { address: "aws_vpc.main", mode: "managed" as const, type: "aws_vpc", values: {} },
            { address: "data.aws_region.current", mode: "data" as const, type: "aws_region", values: {} },
          ],
        },
      },
    };
    expect(stateResources(state).map((r) => r.address)).toEqual(["aws_vpc.main"]);
    expect(stateResources({})).toEqual([]);
  });
});

describe("VERIFIERS", () => {
  it("require the resources the issue names for every local apply and check the optional ones when present", () => {
    expect(VERIFIERS.filter((v) => v.required).map((v) => v.type)).toEqual([
      "aws_s3_bucket",
      "aws_kms_key",
      "aws_cloudwatch_log_group",
      "aws_vpc",
    ]);
    expect(VERIFIERS.filter((v) => !v.required).map((v) => v.type)).toEqual([
      "aws_glue_job",
      "aws_glue_connection",
      "aws_glue_data_quality_ruleset",
      "aws_route53_resolver_firewall_rule_group_association",
      "aws_lambda_function",
      "aws_scheduler_schedule",
    ]);
  });
});

describe("comparing what the emulator holds with what the stack declares", () => {
  it("names the attribute, the value held and the value declared when they differ", () => {
    expect(unlikeDeclared("role", "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/a")).toEqual([]);
    expect(unlikeDeclared("role", undefined, "arn:aws:iam::1:role/a")).toEqual(["role is undefined, declared arn:aws:iam::1:role/a"]);
    expect(unlikeDeclared("rotation", false, true)).toEqual(["rotation is false, declared true"]);
  });

  it("compares lists as sets and treats a missing list as empty", () => {
    expect(membersUnlikeDeclared("subnets", ["b", "a"], ["a", "b"])).toEqual([]);
    expect(membersUnlikeDeclared("subnets", undefined, [])).toEqual([]);
    expect(membersUnlikeDeclared("subnets", undefined, ["a"])).toEqual(['subnets are undefined, declared ["a"]']);
    expect(membersUnlikeDeclared("subnets", ["a", "a"], ["a", "b"])).toEqual(['subnets are ["a","a"], declared ["a","b"]']);
  });
});
