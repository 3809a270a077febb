/**
 * The IAM policy lint step (tools/iam-lint/lint_policies.py, parliament) on a hand-made synthesized
 * stack: a finding fails the step unless the allow-list justifies it, and a justification that
 * matches nothing, or has no reason, fails it too.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const PYTHON = join(process.cwd(), ".venv", "bin", "python");
const LINT = join(process.cwd(), "tools", "iam-lint", "lint_policies.py");
const workdir = mkdtempSync(join(tmpdir(), "sentinel-iam-lint-"));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** A bookmark action named on a job ARN: the Service Authorization Reference gives it no resource type. */
const bookmarkOnJobArn = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Bookmarks",
      Effect: "Allow",
      Action: ["glue:GetJobBookmark"],
      Resource: ["arn:aws:glue:eu-central-2:${var.account_id}:job/etl"],
    },
  ],
};

function lint(name: string, allowed: object[]): { status: number | null; output: string } {
  const stacks = join(workdir, name, "stacks");
  mkdirSync(join(stacks, "dev"), { recursive: true });
  const stack = {
    resource: { aws_iam_role_policy: { job_permissions_ABCD1234: { role: "r", policy: JSON.stringify(bookmarkOnJobArn) } } },
  };
  writeFileSync(join(stacks, "dev", "cdk.tf.json"), JSON.stringify(stack));
  const allowList = join(workdir, name, "allowed.json");
  writeFileSync(allowList, JSON.stringify({ allowed }));
  const run = spawnSync(PYTHON, [LINT, "--stacks", stacks, "--allowed", allowList], { encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const justification = {
  resource: "aws_iam_role_policy\\.job_permissions_.*\\.policy",
  issue: "RESOURCE_MISMATCH",
  detail: "glue:GetJobBookmark",
  reason: "a test justification long enough to count as a reason",
};

describe("IAM policy lint (parliament)", () => {
  it("fails on a finding nobody justified, naming the policy and the issue", () => {
    const { status, output } = lint("unjustified", []);
    expect(status).toBe(1);
    expect(output).toContain("1 findings, 0 justified");
    expect(output).toMatch(/dev aws_iam_role_policy\.job_permissions_ABCD1234\.policy: RESOURCE_MISMATCH .*glue:GetJobBookmark/);
  });

  it("passes when the allow-list justifies every finding", () => {
    const { status, output } = lint("justified", [justification]);
    expect(output).toContain("1 findings, 1 justified in allowed.json, 0 left");
    expect(status).toBe(0);
  });

  it("fails on an allow-list entry that matches nothing, and on one without a reason", () => {
    const stale = lint("stale", [justification, { ...justification, issue: "RESOURCE_STAR" }]);
    expect(stale.status).toBe(1);
    expect(stale.output).toContain("matches no finding");
    const unreasoned = lint("unreasoned", [{ ...justification, reason: "because" }]);
    expect(unreasoned.status).toBe(1);
    expect(unreasoned.output).toContain("without a written reason");
  });
});
