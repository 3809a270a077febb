/**
 * The `tf` tier of `npm test` (tools/test.sh): with the toolchain (a Terraform CLI, and hashicorp/aws installable
 * from a local mirror, the registry or the slim build: provider-source.ts), the Terraform machinery tests on the
 * fixture stack, `tf:validate` for every environment and `tf:apply-local`. Without it, one loud line says the tier
 * did not run and why, and the tier fails instead when SENTINEL_REQUIRE_TERRAFORM=1 (set it where the toolchain is
 * expected).
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { PROJECT_ROOT } from "./session";
import { locateToolchain } from "./toolchain";

const bin = (name: string) => resolve(PROJECT_ROOT, "node_modules", ".bin", name);

function step(title: string, command: string, args: readonly string[]): void {
  console.log(`\n--- ${title}`);
  const result = spawnSync(command, args, { cwd: PROJECT_ROOT, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`TERRAFORM TIER FAILED at: ${title}`);
    process.exit(result.status ?? 1);
  }
}

const toolchain = locateToolchain();
if ("missing" in toolchain) {
  const reason = `${toolchain.missing.join("; ")}. Build once with 'npm run tf:build' (see docs/environments.md, Terraform)`;
  console.log(`\n${"!".repeat(100)}\nTERRAFORM TIER DID NOT RUN: ${reason}\n${"!".repeat(100)}\n`);
  process.exit(process.env.SENTINEL_REQUIRE_TERRAFORM === "1" ? 1 : 0);
}

step("Terraform machinery on the fixture stack (vitest)", bin("vitest"), ["run", "--config", "test/tools/terraform/vitest.tf.config.ts"]);
step("tf:validate (every environment)", bin("tsx"), ["tools/terraform/validate.ts"]);
step("tf:apply-local (local environment against the emulator)", bin("tsx"), ["tools/terraform/apply-local.ts", "--skip-synth"]);
console.log("\nTerraform tier passed.");
