/**
 * What every tf:* command starts with: the project root, the located toolchain (or a clear error naming what is
 * missing and how to build it) and a Terraform runner using the generated CLI configuration.
 */
import { resolve } from "node:path";
import { createTerraform, type Terraform } from "./terraform";
import { locateToolchain } from "./toolchain";

export const PROJECT_ROOT = resolve(import.meta.dirname, "..", "..");
export const OUT_DIR = resolve(PROJECT_ROOT, "cdktf.out");
/** Working copies of the stacks, with .terraform, plans and local state (git-ignored via .sentinel/). */
export const WORK_ROOT = resolve(PROJECT_ROOT, ".sentinel", "terraform", "work");

export function openTerraform(command: string): Terraform {
  const toolchain = locateToolchain();
  if ("missing" in toolchain) {
    throw new Error(`${command}: the Terraform toolchain is not ready (run 'npm run tf:build'):\n  - ${toolchain.missing.join("\n  - ")}`);
  }
  console.log(`[${command}] ${toolchain.cli.flavour} ${toolchain.cli.path}`);
  console.log(`[${command}] provider: ${toolchain.provider.description}`);
  return createTerraform(toolchain, PROJECT_ROOT);
}

/** Runs a command's main function, printing its error (without a stack trace) and setting the exit code. */
export function runCommand(command: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`[${command}] ERROR: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
