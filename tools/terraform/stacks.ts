/**
 * The synthesized stacks (one per environment) as `cdktf synth` writes them, and the private working copies that
 * Terraform runs in, so the tf:* commands never touch cdktf.out with init, state or override files (only the CDKTF
 * workflow against the emulator does, see cdktf-local.ts).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";

export interface SynthesizedStack {
  /** Stack name, which is the environment name (dev, staging, prod, local). */
  readonly name: string;
  /** Directory holding cdk.tf.json and its assets. */
  readonly dir: string;
  readonly configFile: string;
}

interface CdktfManifest {
  readonly stacks: Record<string, { readonly name: string; readonly workingDirectory: string; readonly synthesizedStackPath: string }>;
}

/** Stacks listed in `<outDir>/manifest.json`, in name order. */
export function listSynthesizedStacks(outDir: string): SynthesizedStack[] {
  const manifestPath = join(outDir, "manifest.json");
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} does not exist: synthesize first (npm run synth)`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as CdktfManifest;
  return Object.values(manifest.stacks)
    .map((stack) => ({ name: stack.name, dir: join(outDir, stack.workingDirectory), configFile: join(outDir, stack.synthesizedStackPath) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function findStack(outDir: string, name: string): SynthesizedStack {
  const stacks = listSynthesizedStacks(outDir);
  const stack = stacks.find((candidate) => candidate.name === name);
  if (!stack) throw new Error(`no synthesized stack '${name}' in ${outDir}; stacks: ${stacks.map((s) => s.name).join(", ") || "none"}`);
  return stack;
}

/** Runs the project's synth (stacks/main.ts) so Terraform never checks stale output. */
export function synthesize(projectRoot: string): void {
  const entry = resolve(projectRoot, "stacks", "main.ts");
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: there are no stacks to synthesize yet`);
  const result = spawnSync(resolve(projectRoot, "node_modules", ".bin", "tsx"), [entry], { cwd: projectRoot, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`synth failed (exit ${result.status ?? result.signal})`);
}

export type TerraformJson = Record<string, unknown>;

export function readStackConfig(stack: SynthesizedStack): TerraformJson {
  return JSON.parse(readFileSync(stack.configFile, "utf8")) as TerraformJson;
}

/**
 * Files the CDKTF workflow against the emulator writes into the `local` stack's directory (cdktf-local.ts): the CDKTF
 * CLI runs Terraform there, not in a working copy. They are never copied into a working copy.
 */
export const CDKTF_LOCAL_OVERRIDE_FILE = "cdktf_local_override.tf.json";
export const CDKTF_LOCAL_TFVARS_FILE = "cdktf_local.auto.tfvars.json";

export interface WorkDirOptions {
  /** Override files to add (`*_override.tf.json`). */
  readonly overrides?: Readonly<Record<string, TerraformJson>>;
  /**
   * Drop the stack's backend block from the copy, so Terraform keeps state in the copy's terraform.tfstate: the runs
   * against the emulator must never reach the S3 backend, which names real AWS.
   */
  readonly withoutBackend?: boolean;
}

/**
 * A fresh copy of the stack directory (configuration and assets) at `workDir`, plus any override files. Terraform
 * merges `*_override.tf.json` over the configuration, so the synthesized file stays byte-for-byte as synth wrote it,
 * except for the backend block when `withoutBackend` asks to drop it. Terraform's own files in the stack directory
 * (.terraform, state, and a .terraform.lock.hcl a `cdktf` run may have left for another provider version) are not
 * copied: `terraform init` in the copy writes its own lock file for the provider it installs.
 */
export function prepareWorkDir(stack: SynthesizedStack, workDir: string, options: WorkDirOptions = {}): string {
  const overrides = options.overrides ?? {};
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  cpSync(stack.dir, workDir, {
    recursive: true,
    filter: (source) =>
      !/[\\/]\.terraform([\\/]|$)|\.tfstate|[\\/]\.terraform\.lock\.hcl$/.test(source) &&
      ![CDKTF_LOCAL_OVERRIDE_FILE, CDKTF_LOCAL_TFVARS_FILE].includes(basename(source)),
  });
  if (options.withoutBackend) {
    const copied = join(workDir, basename(stack.configFile));
    const config = JSON.parse(readFileSync(copied, "utf8")) as { terraform?: Record<string, unknown> };
    if (config.terraform !== undefined) delete config.terraform.backend;
    writeFileSync(copied, `${JSON.stringify(config, null, 2)}\n`);
  }
  for (const [name, content] of Object.entries(overrides)) {
    if (!name.endsWith("_override.tf.json")) throw new Error(`${name}: override files must end in _override.tf.json`);
    writeFileSync(join(workDir, name), `${JSON.stringify(content, null, 2)}\n`);
  }
  return workDir;
}
