/**
 * The validation blocks of the Terraform variables, evaluated by Terraform itself: `terraform console`
 * checks input variables without providers or a backend, so this runs offline.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { PlatformInputs } from "../../stacks/platform-inputs";

const terraformAvailable = spawnSync("terraform", ["version"], { stdio: "ignore" }).status === 0;

/** A directory holding only the variable blocks that `emulator` stacks (or AWS stacks) declare. */
function variablesDir(emulator: boolean): string {
  const stack = new TerraformStack(Testing.app(), "inputs");
  new PlatformInputs(stack, "inputs", { emulator });
  const { variable } = JSON.parse(Testing.synth(stack)) as { variable: unknown };
  const dir = mkdtempSync(join(tmpdir(), "sentinel-vars-"));
  writeFileSync(join(dir, "variables.tf.json"), JSON.stringify({ variable }));
  return dir;
}

const awsDir = terraformAvailable ? variablesDir(false) : "";
const emulatorDir = terraformAvailable ? variablesDir(true) : "";

const GOOD: Record<string, string> = {
  account_id: "111122223333",
  alarm_email: "data-platform-alerts@example.com",
  auditor_principal_arns: '["arn:aws:iam::111122223333:role/fraud-auditor"]',
  data_scientist_principal_arns: '["arn:aws:iam::111122223333:role/data-science", "arn:aws:iam::444455556666:user/analyst"]',
};

/** Terraform's verdict on `var.<name>` given the variables; the message with boxes and colours removed. */
function evaluate(dir: string, overrides: Record<string, string>, name: string): { ok: boolean; output: string } {
  const values = { ...GOOD, ...overrides };
  const args = ["console", ...Object.entries(values).map(([key, value]) => `-var=${key}=${value}`)];
  const result = spawnSync("terraform", args, {
    cwd: dir,
    input: `var.${name}\n`,
    encoding: "utf8",
    env: { ...process.env, TF_IN_AUTOMATION: "1" },
  });
  const output = `${result.stdout}${result.stderr}`
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, "")
    .replace(/[│╷╵]/g, " ")
    .replace(/\s+/g, " ");
  return { ok: result.status === 0 && !output.includes("Invalid value for variable"), output };
}

describe.skipIf(!terraformAvailable)("Terraform variable validation (terraform console)", () => {
  it("accepts well-formed inputs", () => {
    for (const name of Object.keys(GOOD)) expect(evaluate(awsDir, {}, name)).toMatchObject({ ok: true });
  });

  it("accepts the values in terraform.tfvars.example", () => {
    const example = join(import.meta.dirname, "..", "..", "terraform.tfvars.example");
    for (const name of Object.keys(GOOD)) {
      const result = spawnSync("terraform", ["console", `-var-file=${example}`], { cwd: awsDir, input: `var.${name}\n`, encoding: "utf8" });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout.trim()).not.toBe("(known after apply)");
    }
  });

  it.each([
    ["account_id", "12345", "account_id must be a 12-digit AWS account id, e.g. 111122223333."],
    ["account_id", "11112222333a", "account_id must be a 12-digit AWS account id"],
    ["alarm_email", "not-an-address", "alarm_email must be an e-mail address like data-platform-alerts@example.com."],
    ["auditor_principal_arns", '["arn:aws:iam::111122223333:group/auditors"]', "auditor_principal_arns must list IAM role or user ARNs"],
    ["data_scientist_principal_arns", '["*"]', "data_scientist_principal_arns must list IAM role or user ARNs"],
  ])("rejects %s = %s", (name, value, message) => {
    const verdict = evaluate(awsDir, { [name]: value }, name);
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toContain(message);
  });

  it("defaults the emulator environment to the emulator's account and a loopback endpoint, and refuses any other host", () => {
    const none = (name: string) =>
      spawnSync("terraform", ["console"], { cwd: emulatorDir, input: `var.${name}\n`, encoding: "utf8" }).stdout.trim();
    expect(none("account_id")).toBe('"123456789012"');
    expect(none("emulator_endpoint")).toBe('"http://127.0.0.1:5000"');
    const remote = evaluate(emulatorDir, { emulator_endpoint: "https://s3.eu-central-2.amazonaws.com" }, "emulator_endpoint");
    expect(remote.ok).toBe(false);
    expect(remote.output).toContain("emulator_endpoint must be a loopback URL like http://127.0.0.1:5000");
  });
});
