/**
 * The deployer principal must exist before the first apply: plan looks each one up by exact name and
 * path, and a missing one stops the plan with an error naming it (the postcondition's message), instead
 * of KMS's MalformedPolicyDocumentException half-way through an apply. Terraform is not run here: the
 * lookup and its postcondition are checked as synthesized, and the local emulator target has none.
 */
import { describe, expect, it } from "vitest";
import { DeployerPrincipalsCheck, missingDeployerMessage, parseDeployerPrincipal } from "../../modules/iam/deployer-principals";
import { synth, type Config } from "./support/synth";
import { testStack, withPlainStackTraces } from "./support/test-stack";

function dataOf(principals: string[]): Record<string, Record<string, Config>> {
  const synthesized = withPlainStackTraces(() => {
    const stack = testStack();
    new DeployerPrincipalsCheck(stack, "deployer", { principals, environment: "prod" });
    return synth(stack);
  });
  return (synthesized.data ?? {}) as Record<string, Record<string, Config>>;
}

describe("deployer principals check", () => {
  it("looks a role up by exact name and path, and the plan error names the missing principal", () => {
    const lookups = Object.values(dataOf(["role/ops/sentinel.deployer"]).aws_iam_roles ?? {});
    expect(lookups).toHaveLength(1);
    const lookup = lookups[0] as Config;
    expect(lookup.name_regex).toBe("^sentinel\\.deployer$");
    expect(lookup.path_prefix).toBe("/ops/");
    expect(lookup.lifecycle).toEqual({
      postcondition: [
        { condition: "${length(self.names) == 1}", error_message: missingDeployerMessage("role/ops/sentinel.deployer", "prod") },
      ],
    });
    expect(missingDeployerMessage("role/ops/sentinel.deployer", "prod")).toContain(
      "The deployer principal role/ops/sentinel.deployer of the prod environment does not exist",
    );
  });

  it("looks a user up with aws_iam_users, one lookup per principal", () => {
    const data = dataOf(["user/release-bot", "role/sentinel-deployer"]);
    expect(Object.values(data.aws_iam_users ?? {}).map((lookup) => lookup.name_regex)).toEqual(["^release-bot$"]);
    expect(Object.values(data.aws_iam_roles ?? {}).map((lookup) => lookup.name_regex)).toEqual(["^sentinel-deployer$"]);
  });

  it("refuses a principal that is neither a role nor a user", () => {
    expect(() => parseDeployerPrincipal("group/admins")).toThrow(
      "deployer principal group/admins must look like role/<name> or user/<name>",
    );
  });
});
