/**
 * Where `terraform init` gets hashicorp/aws from. Three paths, tried in this order; each is a normal provider
 * installation (no dev_overrides), so init installs the provider and writes .terraform.lock.hcl in every working copy:
 *
 *  1. local release: a directory on this machine already holds the release the stacks pin (6.25.0) for this platform:
 *     SENTINEL_PROVIDER_MIRROR (an offline site's mirror, made with `terraform providers mirror`), the project's
 *     plugin cache (which path 2 fills, so a machine pays the download once), TF_PLUGIN_CACHE_DIR, or one of
 *     Terraform's implied local mirror directories. No network.
 *  2. registry: a plain `terraform init` of hashicorp/aws 6.25.0 from the registry, into the project's plugin cache.
 *     Skipped with SENTINEL_TERRAFORM_REGISTRY=off (for a site where the registry hangs rather than fails).
 *  3. slim build: the project's own build of the provider (slim-build.ts), from its filesystem mirror.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { renderCliConfig, type ProviderInstallation } from "./cli-config";
import { PLATFORM, cacheRoot } from "./cache";
import { SLIM_AWS_PROVIDER, checkSlimBuild, slimMirrorRoot, type RegistryHost } from "./slim-build";
import type { TerraformJson } from "./stacks";
import { terraformEnv } from "./terraform-env";

/** hashicorp/aws as the stacks require it: @cdktf/provider-aws 21.22.1 was generated from 6.25.0 and pins it exactly. */
export const AWS_PROVIDER = { source: "hashicorp/aws", localName: "aws", pinnedVersion: "6.25.0" } as const;

export type { ProviderInstallation, ProviderPath } from "./cli-config";

export function projectPluginCache(root = cacheRoot()): string {
  return join(root, "terraform-plugin-cache");
}

/** Directories that may already hold the pinned release, in the order they are tried. */
export function localReleaseDirs(env: NodeJS.ProcessEnv, root: string): string[] {
  const home = env.HOME || homedir();
  const dataHome = env.XDG_DATA_HOME || join(home, ".local", "share");
  const dirs = [
    env.SENTINEL_PROVIDER_MIRROR,
    projectPluginCache(root),
    env.TF_PLUGIN_CACHE_DIR,
    // Terraform's implied local mirror directories on Linux and other Unix-like systems.
    join(home, ".terraform.d", "plugins"),
    join(dataHome, "terraform", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
  ];
  return dirs.filter((dir): dir is string => Boolean(dir));
}

/** Whether `dir` holds hashicorp/aws `version` for this platform, unpacked (a plugin cache, or a mirror) or packed (a mirror's zip). */
export function holdsRelease(dir: string, host: RegistryHost, version: string): boolean {
  const base = join(dir, host, AWS_PROVIDER.source);
  const unpacked = join(base, version, PLATFORM);
  if (existsSync(unpacked) && readdirSync(unpacked).some((file) => file.startsWith("terraform-provider-aws"))) return true;
  return existsSync(join(base, `terraform-provider-aws_${version}_${PLATFORM}.zip`));
}

export function findLocalRelease(host: RegistryHost, env: NodeJS.ProcessEnv, root: string): string | null {
  return localReleaseDirs(env, root).find((dir) => holdsRelease(dir, host, AWS_PROVIDER.pinnedVersion)) ?? null;
}

export interface RegistryAttempt {
  readonly ok: boolean;
  readonly seconds: number;
  /** Terraform's own reason when it failed (for example the DNS error), in one line. */
  readonly detail: string;
}

/** Terraform's error, without its box drawing and advice: "could not connect to registry.terraform.io: ... no such host". */
export function registryFailureReason(output: string): string {
  const text = output.replace(/[│╷╵]/g, " ").replace(/\s+/g, " ");
  const reason =
    /(could not connect to [^:]+:.*?)(?: To see which modules| Error:|$)/.exec(text)?.[1] ??
    /Error: (.*?)(?: To see which modules|$)/.exec(text)?.[1];
  return (reason ?? text).trim().slice(0, 300);
}

/**
 * Path 2: `terraform init` of a configuration that requires only hashicorp/aws at the pinned version, straight from
 * the registry into the project's plugin cache. Offline it fails at the registry's DNS lookup (0.4 s here).
 */
export function initFromRegistry(cliPath: string, host: RegistryHost, root: string, env: NodeJS.ProcessEnv = process.env): RegistryAttempt {
  const probe = join(root, "terraform-registry-probe");
  mkdirSync(probe, { recursive: true });
  mkdirSync(projectPluginCache(root), { recursive: true });
  const { source, localName, pinnedVersion } = AWS_PROVIDER;
  writeFileSync(
    join(probe, "main.tf.json"),
    `${JSON.stringify({ terraform: { required_providers: { [localName]: { source, version: pinnedVersion } } } }, null, 2)}\n`,
  );
  const cliConfig = join(probe, "cli.tfrc");
  writeFileSync(
    cliConfig,
    renderCliConfig(host, { path: "registry", version: pinnedVersion, dir: projectPluginCache(root), description: "" }),
  );
  const started = process.hrtime.bigint();
  const result = spawnSync(cliPath, [`-chdir=${probe}`, "init", "-input=false", "-no-color", "-backend=false"], {
    encoding: "utf8",
    env: terraformEnv(cliConfig, env),
    timeout: 20 * 60_000,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status === 0) return { ok: true, seconds, detail: `installed ${source} ${pinnedVersion} into ${projectPluginCache(root)}` };
  const detail = result.error ? result.error.message : registryFailureReason(`${result.stderr}${result.stdout}`);
  return { ok: false, seconds, detail };
}

export type ProviderResolution = { readonly installation: ProviderInstallation } | { readonly missing: string[] };

export interface ResolveOptions {
  /** The CLI to try the registry with; null skips path 2 (no CLI to run init with). */
  readonly cliPath: string | null;
  readonly host: RegistryHost;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each path's outcome, for commands that narrate it (tf:build). */
  readonly report?: (line: string) => void;
}

/** The first provider path that works, or why none does (one line per path). */
export function resolveProvider(options: ResolveOptions): ProviderResolution {
  const env = options.env ?? process.env;
  const root = cacheRoot(env);
  const report = options.report ?? (() => undefined);
  const { pinnedVersion, source } = AWS_PROVIDER;

  const local = findLocalRelease(options.host, env, root);
  if (local !== null) {
    return {
      installation: {
        path: "local-release",
        version: pinnedVersion,
        dir: local,
        description: `${source} ${pinnedVersion} from the local mirror ${local}`,
      },
    };
  }
  const localMissing = `1. no ${source} ${pinnedVersion} for ${PLATFORM} in ${localReleaseDirs(env, root).join(", ")}`;
  report(localMissing);

  let registryMissing: string;
  if (options.cliPath === null) registryMissing = "2. registry not tried: no Terraform CLI";
  else if (env.SENTINEL_TERRAFORM_REGISTRY === "off") registryMissing = "2. registry not tried: SENTINEL_TERRAFORM_REGISTRY=off";
  else {
    const attempt = initFromRegistry(options.cliPath, options.host, root, env);
    if (attempt.ok) {
      report(`2. registry: ${attempt.detail} (${attempt.seconds.toFixed(1)} s)`);
      return {
        installation: {
          path: "registry",
          version: pinnedVersion,
          dir: projectPluginCache(root),
          description: `${source} ${pinnedVersion} from ${options.host} (plugin cache ${projectPluginCache(root)})`,
        },
      };
    }
    registryMissing = `2. terraform init from ${options.host} failed after ${attempt.seconds.toFixed(1)} s: ${attempt.detail}`;
  }
  report(registryMissing);

  const slimProblem = checkSlimBuild(root);
  if (slimProblem === null) {
    const description =
      `${source} ${SLIM_AWS_PROVIDER.version} from the slim offline build's mirror ${slimMirrorRoot(root)} ` +
      `(commit ${SLIM_AWS_PROVIDER.commit}; the stacks pin ${pinnedVersion}, so each working copy requires this version in ${PROVIDER_VERSION_OVERRIDE_FILE})`;
    return { installation: { path: "slim-build", version: SLIM_AWS_PROVIDER.version, dir: slimMirrorRoot(root), description } };
  }
  return { missing: [localMissing, registryMissing, `3. slim offline build: ${slimProblem} (npm run tf:build builds it)`] };
}

export const PROVIDER_VERSION_OVERRIDE_FILE = "provider_version_override.tf.json";

interface RequiredProvider {
  readonly source?: string;
  readonly version?: string;
}

/**
 * Override files for a working copy of `config`: none when Terraform installs the pinned release; otherwise one that
 * requires exactly the installed version (Terraform merges required_providers entries of override files one provider
 * at a time), so the synthesized cdk.tf.json stays as synth wrote it. A stack that pins another version than
 * AWS_PROVIDER.pinnedVersion is an error: path 1 and 2 would look for the wrong release.
 */
export function providerVersionOverride(config: TerraformJson, installation: ProviderInstallation): Record<string, TerraformJson> {
  const terraform = (config.terraform ?? {}) as { required_providers?: Record<string, RequiredProvider> };
  const required = terraform.required_providers?.[AWS_PROVIDER.localName];
  if (required === undefined) throw new Error(`the stack does not require the '${AWS_PROVIDER.localName}' provider`);
  if (required.version !== AWS_PROVIDER.pinnedVersion) {
    throw new Error(
      `the stack pins ${AWS_PROVIDER.source} ${required.version ?? "(no version)"}, tools/terraform/provider-source.ts expects ${AWS_PROVIDER.pinnedVersion}`,
    );
  }
  if (installation.version === AWS_PROVIDER.pinnedVersion) return {};
  const pinned = { source: required.source ?? AWS_PROVIDER.source, version: installation.version };
  return { [PROVIDER_VERSION_OVERRIDE_FILE]: { terraform: { required_providers: { [AWS_PROVIDER.localName]: pinned } } } };
}
