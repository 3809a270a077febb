import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  LOCAL_APPLY_EXCLUSIONS,
  LOCAL_DESTROY_EXCEPTIONS,
  localApplyScope,
  type LocalApplyExclusion,
} from "../../../tools/terraform/local-exclusions";
import type { ConfigResource, PlanJson } from "../../../tools/terraform/plan-summary";

function resource(address: string, references: string[] = [], dependsOn?: string[]): ConfigResource {
  const data = address.startsWith("data.");
  const type = address.split(".")[data ? 1 : 0]!;
  return {
    address,
    mode: data ? "data" : "managed",
    type,
    // Nested the way Terraform writes references inside blocks.
    expressions: { rule: [{ target: { references } }] },
    ...(dependsOn ? { depends_on: dependsOn } : {}),
  };
}

const profileJob: LocalApplyExclusion = {
  resourceType: "aws_cloudformation_stack",
  reason: "no DataBrew",
  emulatorError: "NotImplemented",
};

const plan: PlanJson = {
  configuration: {
    root_module: {
      resources: [
        resource("aws_kms_key.data"),
        resource("aws_cloudformation_stack.profile", ["aws_kms_key.data.arn", "aws_kms_key.data"]),
        resource("data.aws_iam_policy_document.start_profile", ["aws_cloudformation_stack.profile.outputs"]),
        resource("aws_iam_policy.start_profile", ["data.aws_iam_policy_document.start_profile.json"]),
        resource("aws_cloudwatch_event_rule.profile_done", [], ["aws_iam_policy.start_profile"]),
        resource("aws_s3_bucket.raw", ["aws_kms_key.data.arn"]),
        // A name that merely starts with an excluded address must not be mistaken for a reference to it.
        resource("aws_s3_bucket.raw_copy", ["aws_cloudformation_stack.profile_v2.id"]),
      ],
    },
  },
};

describe("localApplyScope", () => {
  it("excludes the declared type and everything that references it, directly, through data sources or depends_on", () => {
    const scope = localApplyScope(plan, [profileJob]);
    expect(scope.excluded.map(({ address, references }) => [address, references])).toEqual([
      ["aws_cloudformation_stack.profile", undefined],
      ["data.aws_iam_policy_document.start_profile", "aws_cloudformation_stack.profile"],
      ["aws_iam_policy.start_profile", "data.aws_iam_policy_document.start_profile"],
      ["aws_cloudwatch_event_rule.profile_done", "aws_iam_policy.start_profile"],
    ]);
    expect(scope.excluded.every(({ exclusion }) => exclusion === profileJob)).toBe(true);
  });

  it("targets every other managed resource", () => {
    expect(localApplyScope(plan, [profileJob]).targets).toEqual(["aws_kms_key.data", "aws_s3_bucket.raw", "aws_s3_bucket.raw_copy"]);
  });

  it("applies everything, without -target, when nothing in the plan is excluded", () => {
    expect(localApplyScope(plan, [])).toEqual({ excluded: [], targets: [] });
  });

  it("refuses configurations with module calls, whose references it would not see", () => {
    expect(() => localApplyScope({ configuration: { root_module: { resources: [], module_calls: { vpc: {} } } } }, [profileJob])).toThrow(
      /module calls/,
    );
  });
});

describe("npm start's own apply", () => {
  it("leaves nothing out: the bucket policies and the logging that needs them are applied, and the run runs under them", () => {
    expect(LOCAL_APPLY_EXCLUSIONS).toEqual([]);
    const buckets: PlanJson = {
      configuration: {
        root_module: {
          resources: [
            resource("aws_s3_bucket.raw"),
            resource("aws_s3_bucket.access_logs"),
            resource("aws_s3_bucket_policy.raw", ["aws_s3_bucket.raw.id"]),
            resource("aws_s3_bucket_policy.access_logs", ["aws_s3_bucket.access_logs.id"]),
            resource("aws_s3_bucket_logging.raw", ["aws_s3_bucket.raw.id"], ["aws_s3_bucket_policy.access_logs"]),
          ],
        },
      },
    };
    // provision-local.ts applies npm start's stack with the default scope: everything applied, without -target
    expect(localApplyScope(buckets)).toEqual({ excluded: [], targets: [] });
  });
});

describe("declared local-apply exclusions", () => {
  it("are each documented in docs/environments.md, with a reason and the emulator's own error", () => {
    const docsPath = resolve(import.meta.dirname, "../../../docs/environments.md");
    for (const exclusion of [...LOCAL_APPLY_EXCLUSIONS, ...LOCAL_DESTROY_EXCEPTIONS]) {
      expect(exclusion.reason.length).toBeGreaterThan(10);
      expect(exclusion.emulatorError.length).toBeGreaterThan(10);
      const docs = readFileSync(docsPath, "utf8");
      expect(docs).toContain(`\`${exclusion.resourceType}\``);
      expect(docs).toContain(exclusion.emulatorError);
    }
  });
});
