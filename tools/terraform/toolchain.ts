/**
 * The Terraform toolchain the tf:* commands run: a Terraform (or OpenTofu) CLI, and where `terraform init` gets
 * hashicorp/aws from (provider-source.ts: a local release, the registry, or the slim offline build). Nothing here
 * builds anything; `npm run tf:build` does (build-binaries.ts).
 */
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { checkCachedBinary, recordPathIn, type BinaryLocation, type GoModuleBuild } from "./build-record";
import { PLATFORM, cacheRoot } from "./cache";
import { resolveProvider, type ProviderInstallation } from "./provider-source";
import type { RegistryHost } from "./slim-build";

/** The per-user cache the toolchain lives in; other local tooling keeps its downloads there too. */
export { cacheRoot };

/**
 * Built only when no Terraform CLI is installed. HashiCorp Terraform cannot be built from its root Go module:
 * its go.mod replaces its remote-state backends with nested modules by relative path, and those are not part of
 * the module zip. OpenTofu is one module and reads the same JSON configuration.
 */
export const OPENTOFU: GoModuleBuild = {
  module: "github.com/opentofu/opentofu",
  moduleVersion: "v1.10.6",
  mainPackage: "./cmd/tofu",
  version: "1.10.6",
  versionStamp: "github.com/opentofu/opentofu/version.dev=no",
  binaryName: "tofu",
};

export type CliFlavour = "terraform" | "opentofu";

export interface TerraformCli {
  readonly path: string;
  readonly flavour: CliFlavour;
}

/** Registry host that an unqualified source such as "aws" resolves to in each CLI. */
export const DEFAULT_REGISTRY: Record<CliFlavour, RegistryHost> = {
  terraform: "registry.terraform.io",
  opentofu: "registry.opentofu.org",
};

export function opentofuLocation(root = cacheRoot()): BinaryLocation {
  const dir = join(root, "terraform-cli", "opentofu", OPENTOFU.version, PLATFORM);
  return { dir, path: join(dir, OPENTOFU.binaryName), recordPath: recordPathIn(dir) };
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** SENTINEL_TERRAFORM, else `terraform` on PATH, else `tofu` on PATH, else the cached OpenTofu build. */
export function findTerraformCli(env: NodeJS.ProcessEnv = process.env, root = cacheRoot(env)): TerraformCli | null {
  const explicit = env.SENTINEL_TERRAFORM;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`SENTINEL_TERRAFORM points at ${explicit}, which does not exist`);
    return { path: explicit, flavour: explicit.endsWith("tofu") ? "opentofu" : "terraform" };
  }
  const terraform = onPath("terraform", env);
  if (terraform) return { path: terraform, flavour: "terraform" };
  const tofu = onPath("tofu", env);
  if (tofu) return { path: tofu, flavour: "opentofu" };
  const built = opentofuLocation(root);
  if (checkCachedBinary(OPENTOFU, built) === null) return { path: built.path, flavour: "opentofu" };
  return null;
}

export interface Toolchain {
  readonly cli: TerraformCli;
  /** The registry host the CLI resolves "aws" to; the provider's address in CLI configuration. */
  readonly host: RegistryHost;
  readonly provider: ProviderInstallation;
}

/**
 * The toolchain, or the reasons it is incomplete (one line each). Tries the provider paths in order; the registry
 * path runs `terraform init` once (it fails within a second when the registry's name does not resolve).
 */
export function locateToolchain(
  env: NodeJS.ProcessEnv = process.env,
  report?: (line: string) => void,
): Toolchain | { readonly missing: string[] } {
  const cli = findTerraformCli(env, cacheRoot(env));
  const host = DEFAULT_REGISTRY[cli?.flavour ?? "terraform"];
  const provider = resolveProvider({ cliPath: cli?.path ?? null, host, env, ...(report ? { report } : {}) });
  const missing = [
    ...(cli === null ? ["no terraform or tofu on PATH and no cached OpenTofu build"] : []),
    ...("missing" in provider ? [`hashicorp/aws cannot be installed: ${provider.missing.join("; ")}`] : []),
  ];
  if (cli === null || "missing" in provider) return { missing };
  return { cli, host, provider: provider.installation };
}
