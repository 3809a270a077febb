/**
 * Runs the Terraform (or OpenTofu) CLI with the project's generated CLI configuration (cli-config.ts: where
 * hashicorp/aws is installed from), non-interactively, capturing output and timing each command.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { writeCliConfig } from "./cli-config";
import { terraformEnv } from "./terraform-env";
import type { Toolchain } from "./toolchain";

export { terraformEnv };

export interface TerraformResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

export interface Terraform {
  readonly toolchain: Toolchain;
  /** Runs `<cli> -chdir=<dir> <args>`; rejects with the command's output when it exits non-zero. */
  run(
    dir: string,
    args: readonly string[],
    options?: { readonly env?: NodeJS.ProcessEnv; readonly echo?: boolean },
  ): Promise<TerraformResult>;
}

/** Where the generated Terraform CLI configuration is written (TF_CLI_CONFIG_FILE of every run). */
export function cliConfigFile(projectRoot: string): string {
  return join(projectRoot, ".sentinel", "terraform", "cli.tfrc");
}

export function createTerraform(toolchain: Toolchain, projectRoot: string): Terraform {
  const cliConfig = writeCliConfig(toolchain.host, toolchain.provider, cliConfigFile(projectRoot));
  const baseEnv = terraformEnv(cliConfig);
  return {
    toolchain,
    run(dir, args, options = {}) {
      // -no-color straight after the subcommand: Go flag parsing stops at the first positional argument.
      // `state <sub>` and `providers <sub>` take their own subcommand first and no -no-color option.
      const [subcommand, ...rest] = args;
      const nested = subcommand === "state" || subcommand === "providers";
      const fullArgs = nested ? [`-chdir=${dir}`, ...args] : [`-chdir=${dir}`, subcommand ?? "", "-no-color", ...rest];
      const started = process.hrtime.bigint();
      return new Promise((resolveRun, reject) => {
        const child = spawn(toolchain.cli.path, fullArgs, { env: { ...baseEnv, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => {
          stdout.push(chunk);
          if (options.echo) process.stdout.write(chunk);
        });
        child.stderr.on("data", (chunk: Buffer) => {
          stderr.push(chunk);
          if (options.echo) process.stderr.write(chunk);
        });
        child.on("error", reject);
        child.on("close", (code, signal) => {
          const result = {
            stdout: Buffer.concat(stdout).toString(),
            stderr: Buffer.concat(stderr).toString(),
            seconds: Number(process.hrtime.bigint() - started) / 1e9,
          };
          if (code === 0) resolveRun(result);
          else
            reject(
              new Error(
                `${toolchain.cli.flavour} ${args.join(" ")} in ${dir} failed (${code ?? signal}):\n${result.stderr}${result.stdout}`,
              ),
            );
        });
      });
    },
  };
}
