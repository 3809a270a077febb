/**
 * Which Terraform CLI and providers the project builds, where the built binaries live, and how to find them.
 *
 * The Terraform registry is unreachable here, so binaries are built from Go modules (tools/terraform/build-binaries.ts)
 * into a per-user cache keyed by version, outside the repository. Nothing in this file runs a build.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

/** One binary built from a Go module at a pinned module version. */
export interface GoModuleBuild {
  /** Go module path, e.g. github.com/hashicorp/terraform-provider-aws. */
  readonly module: string;
  /** Module version as the Go module proxy serves it (a tag or a pseudo-version). */
  readonly moduleVersion: string;
  /** Package inside the module holding `main`, relative to the module root. */
  readonly mainPackage: string;
  /** Version label of the built binary; also the cache directory name. */
  readonly version: string;
  /** `-X importpath.name=value` linker assignment that stamps the release version, as the project's release does. */
  readonly versionStamp: string;
  /** File name of the built binary. */
  readonly binaryName: string;
}

export interface ProviderBuild extends GoModuleBuild {
  /** Registry namespace/type, e.g. hashicorp/aws. */
  readonly source: string;
  /** The version the synthesized stacks pin (required_providers). */
  readonly pinnedVersion: string;
  /** Why the built version differs from the pinned one, when it does. Printed by every command. */
  readonly versionGap?: string;
}

/**
 * hashicorp/aws. The stacks pin 6.25.0 because @cdktf/provider-aws 21.22.1 was generated from it. The repository's
 * go.mod says `module github.com/hashicorp/terraform-provider-aws` (no /v6 suffix), so its v6 tags are only reachable
 * as pseudo-versions of their commits, and the module proxy available here serves none for v6.25.0: `@v6.25.0`,
 * `@v6.25.0+incompatible` and older pseudo-versions all answer 403 "This module version is not available"; its
 * version list holds only v1.60.0 (provider 1.60, 2019) and the pseudo-version below. So this builds the newest
 * v6 source the proxy serves and says so on every run.
 */
export const AWS_PROVIDER: ProviderBuild = {
  source: "hashicorp/aws",
  pinnedVersion: "6.25.0",
  module: "github.com/hashicorp/terraform-provider-aws",
  moduleVersion: "v1.60.1-0.20260602190131-5f2286d6d836",
  mainPackage: ".",
  version: "6.48.0-dev+5f2286d6d836",
  versionStamp: "github.com/hashicorp/terraform-provider-aws/version.ProviderVersion=6.48.0-dev+5f2286d6d836",
  binaryName: "terraform-provider-aws",
  versionGap:
    "built hashicorp/aws from commit 5f2286d6d836 (2026-06-02, after 6.47.1; CHANGELOG '6.48.0 (Unreleased)') because " +
    "the Go module proxy serves no form of v6.25.0; the stacks pin 6.25.0, so Terraform runs it as a development " +
    "override (6.x minor releases only add to the schema, so what validates and plans under 6.25.0 does here too)",
};

export const PROVIDERS: readonly ProviderBuild[] = [AWS_PROVIDER];

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

export interface BinaryLocation {
  readonly path: string;
  /** Directory holding the binary: what a dev_overrides entry points at. */
  readonly dir: string;
}

export const PLATFORM = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;

/** ${XDG_CACHE_HOME:-$HOME/.cache}/sentinel, or SENTINEL_CACHE_DIR. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SENTINEL_CACHE_DIR) return env.SENTINEL_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "sentinel");
}

export function providerLocation(provider: ProviderBuild, root = cacheRoot()): BinaryLocation {
  const dir = join(root, "terraform-providers", "registry.terraform.io", provider.source, provider.version, PLATFORM);
  return { dir, path: join(dir, provider.binaryName) };
}

export function opentofuLocation(root = cacheRoot()): BinaryLocation {
  const dir = join(root, "terraform-cli", "opentofu", OPENTOFU.version, PLATFORM);
  return { dir, path: join(dir, OPENTOFU.binaryName) };
}

/** Written next to every built binary by the build script. */
export interface BuildRecord {
  readonly module: string;
  readonly moduleVersion: string;
  /** go.sum hash of the module zip, from `go mod download -json`. */
  readonly moduleSum: string;
  readonly version: string;
  readonly goVersion: string;
  readonly sha256: string;
  readonly builtAt: string;
  readonly wallSeconds: number;
  /** Peak resident set size of the build in KiB (GNU time), or null when GNU time is not installed. */
  readonly maxRssKiB: number | null;
  readonly command: string;
}

export const BUILD_RECORD_FILE = "build-record.json";

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/**
 * A cached binary is usable when its build record names the declared module version and its bytes still hash to
 * what the build wrote: a half-written or swapped file is treated as absent.
 */
export function checkCachedBinary(build: GoModuleBuild, location: BinaryLocation): string | null {
  const recordPath = join(location.dir, BUILD_RECORD_FILE);
  if (!existsSync(location.path) || !existsSync(recordPath)) return `${build.binaryName} ${build.version} is not built (expected ${location.path})`;
  const record = JSON.parse(readFileSync(recordPath, "utf8")) as BuildRecord;
  if (record.moduleVersion !== build.moduleVersion) {
    return `${location.path} was built from ${record.moduleVersion}, not the declared ${build.moduleVersion}`;
  }
  if (sha256File(location.path) !== record.sha256) return `${location.path} does not match the sha256 in its build record`;
  return null;
}

export function readBuildRecord(location: BinaryLocation): BuildRecord {
  return JSON.parse(readFileSync(join(location.dir, BUILD_RECORD_FILE), "utf8")) as BuildRecord;
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
  readonly providers: ReadonlyArray<{ readonly build: ProviderBuild; readonly location: BinaryLocation }>;
}

/** The toolchain, or the reasons it is incomplete (one line each). */
export function locateToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain | { readonly missing: string[] } {
  const root = cacheRoot(env);
  const missing: string[] = [];
  const cli = findTerraformCli(env, root);
  if (cli === null) missing.push("no terraform or tofu on PATH and no cached OpenTofu build");
  const providers = PROVIDERS.map((build) => ({ build, location: providerLocation(build, root) }));
  for (const { build, location } of providers) {
    const problem = checkCachedBinary(build, location);
    if (problem !== null) missing.push(problem);
  }
  if (cli === null || missing.length > 0) return { missing };
  return { cli, providers };
}
