import { describe, expect, it } from "vitest";
import { VERIFIERS, deniesInsecureTransport, stateResources } from "../../../tools/terraform/verify-local";

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
