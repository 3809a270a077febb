import { describe, expect, it } from "vitest";
import { formatPlanSummary, planAction, summarizePlan, type PlanJson } from "../../../tools/terraform/plan-summary";

function change(type: string, name: string, actions: string[], mode: "managed" | "data" = "managed") {
  return { address: `${mode === "data" ? "data." : ""}${type}.${name}`, mode, type, change: { actions } };
}

describe("planAction", () => {
  it("reads single actions and both orders of a replacement", () => {
    expect(planAction(["create"])).toBe("create");
    expect(planAction(["no-op"])).toBe("no-op");
    expect(planAction(["delete", "create"])).toBe("replace");
    expect(planAction(["create", "delete"])).toBe("replace");
  });

  it("rejects actions it does not know instead of miscounting them", () => {
    expect(() => planAction(["forget"])).toThrow(/unexpected plan actions/);
    expect(() => planAction([])).toThrow(/unexpected plan actions/);
  });
});

describe("summarizePlan", () => {
  const plan: PlanJson = {
    resource_changes: [
      change("aws_s3_bucket", "raw", ["create"]),
      change("aws_s3_bucket", "processed", ["create"]),
      change("aws_kms_key", "data", ["update"]),
      change("aws_vpc", "main", ["delete", "create"]),
      change("aws_iam_policy_document", "tls", ["read"], "data"),
    ],
  };

  it("counts managed resources by type and action, ignoring data sources", () => {
    const summary = summarizePlan(plan);
    expect(summary.totals).toEqual({ create: 2, update: 1, replace: 1, delete: 0, read: 0, "no-op": 0 });
    expect(summary.byType).toEqual([
      { type: "aws_kms_key", counts: { update: 1 } },
      { type: "aws_s3_bucket", counts: { create: 2 } },
      { type: "aws_vpc", counts: { replace: 1 } },
    ]);
  });

  it("formats a headline and one aligned line per type", () => {
    expect(formatPlanSummary("dev", summarizePlan(plan)).split("\n")).toEqual([
      "dev: 2 to create, 1 to update, 1 to replace, 0 to delete",
      "  aws_kms_key    update 1",
      "  aws_s3_bucket  create 2",
      "  aws_vpc        replace 1",
    ]);
  });

  it("reports an empty plan as nothing to do", () => {
    expect(formatPlanSummary("x", summarizePlan({}))).toBe("x: 0 to create, 0 to update, 0 to replace, 0 to delete");
  });
});
