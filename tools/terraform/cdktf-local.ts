/**
 * The CDKTF workflow against the local emulator: `npx cdktf diff local` (and deploy/destroy) run Terraform
 * in cdktf.out/stacks/local itself (that is how the CDKTF CLI works), so this writes there what the tf:* commands put
 * in their private working copies: one override file (the emulator's endpoints and dummy credentials, the provider
 * version the toolchain installs, and the state of the environment `npm start` applied) and the emulator's variable
 * values; plus an env file with the generated Terraform CLI configuration (where hashicorp/aws is installed from).
 * prepareWorkDir leaves these files out of every private copy, so tf:validate, tf:plan and npm start never see them.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { deployerRoleArn as deployerRoleArnOf, ensureDeployerRole } from "../../local/emulator/emulator-deployer";
import { emulatorEnv, emulatorOverride, emulatorVariables, type EmulatorAddress, type EmulatorCallerKeys } from "./emulator-override";
import { emulatorAccountId, emulatorWorkDir, stackRegion } from "./operations";
import type { ProviderInstallation } from "./cli-config";
import { providerVersionOverride } from "./provider-source";
import { OUT_DIR, PROJECT_ROOT, WORK_ROOT, openTerraform } from "./session";
import {
  CDKTF_LOCAL_OVERRIDE_FILE,
  CDKTF_LOCAL_TFVARS_FILE,
  readStackConfig,
  type SynthesizedStack,
  type TerraformJson,
  findStack,
} from "./stacks";
import { cliConfigFile } from "./terraform";

/** The env file `npm start -- --keep-running` writes for the CDKTF commands (relative to the project root). */
export const CDKTF_LOCAL_ENV_FILE = ".sentinel/terraform/cdktf-local.env";

export interface CdktfLocalOptions {
  /** The running emulator: its plain and TLS endpoints and certificate. */
  readonly emulator: EmulatorAddress;
  /** The role the provider assumes (emulator-deployer.ts); none: the keys' own identity. */
  readonly deployerRoleArn?: string;
  /**
   * The keys Terraform signs with: once npm start enforces IAM the emulator refuses its dummy ones, so npm start
   * passes its local deployer's (local/emulator/role-sessions.ts), which may assume the deployer role.
   * @default the emulator's dummy keys (an emulator without IAM enforcement)
   */
  readonly credentials?: EmulatorCallerKeys;
  /** The Terraform CLI configuration the toolchain generated (.sentinel/terraform/cli.tfrc). */
  readonly cliConfigFile: string;
  readonly provider: ProviderInstallation;
  /** Local state the CDKTF commands share; by default the state of the environment `npm start` applied. */
  readonly stateFile: string;
  /** Where the environment for the CDKTF commands is written (`set -a; . <file>; set +a`). */
  readonly envFile: string;
}

export interface CdktfLocal {
  readonly files: readonly string[];
  readonly envFile: string;
  readonly env: Readonly<Record<string, string>>;
}

/** The local state of the `local` environment that `npm start` (provision-local.ts) applies, under `workRoot`. */
export function npmStartStateFile(workRoot: string, stackName = "local"): string {
  return join(emulatorWorkDir(workRoot, stackName), "terraform.tfstate");
}

/** One override file: the emulator override, the installed provider version and a local backend on `stateFile`. */
export function cdktfLocalOverride(config: TerraformJson, options: Omit<CdktfLocalOptions, "envFile" | "cliConfigFile">): TerraformJson {
  const version = providerVersionOverride(config, options.provider);
  const requiredProviders = Object.values(version)[0]?.terraform as { required_providers?: unknown } | undefined;
  return {
    ...emulatorOverride(config, options.emulator, {
      ...(options.deployerRoleArn === undefined ? {} : { deployerRoleArn: options.deployerRoleArn }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    }),
    terraform: {
      // replaces the stack's backend (a relative path in cdktf.out) with the state npm start applied
      backend: { local: { path: options.stateFile } },
      ...(requiredProviders?.required_providers === undefined ? {} : { required_providers: requiredProviders.required_providers }),
    },
  };
}

function shellQuoted(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Reads an env file written by prepareCdktfLocal back into name -> value. */
export function readEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z_][A-Z0-9_]*)='(.*)'$/.exec(line);
    if (match) env[match[1]!] = match[2]!.replaceAll(`'\\''`, "'");
  }
  return env;
}

export async function prepareCdktfLocal(stack: SynthesizedStack, options: CdktfLocalOptions): Promise<CdktfLocal> {
  const config = readStackConfig(stack);
  const accountId = await emulatorAccountId(options.emulator.endpoint, stackRegion(config), options.credentials);
  // with IAM enforced (npm start's emulator, its keys given) the role exists already: npm start's apply created it
  const deployerRoleArn =
    options.credentials === undefined
      ? await ensureDeployerRole(options.emulator.endpoint, stack.name, accountId)
      : deployerRoleArnOf(stack.name, accountId);
  const override = join(stack.dir, CDKTF_LOCAL_OVERRIDE_FILE);
  const tfvars = join(stack.dir, CDKTF_LOCAL_TFVARS_FILE);
  const overrideOptions = { ...options, ...(deployerRoleArn === undefined ? {} : { deployerRoleArn }) };
  writeFileSync(override, `${JSON.stringify(cdktfLocalOverride(config, overrideOptions), null, 2)}\n`);
  // .terraform/terraform.tfstate records the backend the directory was last initialized with (not state): with another
  // state file named now, `terraform init` would stop at "Backend configuration changed" and ask to migrate state
  // between two emulator runs; the state to use is the one named above.
  rmSync(join(stack.dir, ".terraform", "terraform.tfstate"), { force: true });
  writeFileSync(tfvars, `${JSON.stringify(emulatorVariables(config, options.emulator.endpoint, accountId), null, 2)}\n`);
  // emulatorEnv's catch-all endpoint matters: the synthesized local stack names no endpoint for Athena, CloudTrail or
  // Route 53 Resolver, and without it the provider sends those calls to real AWS
  const env: Record<string, string> = {
    ...(emulatorEnv(options.emulator, options.credentials) as Record<string, string>),
    // for tools/terraform/empty-buckets.ts, which empties the buckets as this role before `cdktf destroy local`
    ...(deployerRoleArn === undefined ? {} : { SENTINEL_DEPLOYER_ROLE_ARN: deployerRoleArn }),
    TF_CLI_CONFIG_FILE: options.cliConfigFile,
    // cdktf would otherwise set TF_PLUGIN_CACHE_DIR=~/.terraform.d/plugin-cache and copy the provider there; where it
    // is installed from and cached is the CLI configuration's to say, as for every tf:* command
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
    CHECKPOINT_DISABLE: "1",
  };
  mkdirSync(dirname(options.envFile), { recursive: true });
  writeFileSync(
    options.envFile,
    [
      `# Written by npm start -- --keep-running (tools/terraform/cdktf-local.ts) for its emulator at ${options.emulator.tlsEndpoint}.`,
      ...Object.entries(env).map(([name, value]) => `${name}=${shellQuoted(value)}`),
      "",
    ].join("\n"),
  );
  return { files: [override, tfvars], envFile: options.envFile, env };
}

/**
 * For `npm start -- --keep-running`: prepares cdktf.out/stacks/local for the CDKTF commands against the running
 * emulator, sharing the state of the environment npm start applied, so `cdktf diff local` shows what differs from it.
 */
export async function prepareCdktfForNpmStart(emulator: EmulatorAddress, credentials: EmulatorCallerKeys): Promise<CdktfLocal> {
  const terraform = openTerraform("cdktf-local");
  return prepareCdktfLocal(findStack(OUT_DIR, "local"), {
    emulator,
    credentials,
    cliConfigFile: cliConfigFile(PROJECT_ROOT),
    provider: terraform.toolchain.provider,
    stateFile: npmStartStateFile(WORK_ROOT),
    envFile: join(PROJECT_ROOT, CDKTF_LOCAL_ENV_FILE),
  });
}

/** The commands to print; each is run by test/tools/terraform/cdktf-local.tf-test.ts and listed in docs/environments.md. */
export const CDKTF_LOCAL_COMMANDS: readonly string[] = [
  `set -a; . ${CDKTF_LOCAL_ENV_FILE}; set +a`,
  "npx cdktf diff local --skip-provider-lock",
  "npx cdktf deploy local --skip-provider-lock --auto-approve",
  "npx tsx tools/terraform/empty-buckets.ts",
  "npx cdktf destroy local --skip-provider-lock --auto-approve",
];

export function cdktfLocalHints(prepared: CdktfLocal): string {
  return [
    "",
    "cdktf diff/deploy/destroy against this emulator, on the state this run applied (docs/environments.md):",
    ...CDKTF_LOCAL_COMMANDS.map((command) => `  ${command}`),
    `(${prepared.files.map((file) => relative(PROJECT_ROOT, file)).join(" and ")} point the local stack at it.)`,
    "",
  ].join("\n");
}
