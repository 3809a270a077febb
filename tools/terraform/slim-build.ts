/**
 * The slim offline build of hashicorp/aws: terraform-provider-aws compiled with only the service packages the stacks
 * need (aws-provider-services.json), installed into a filesystem mirror in the unpacked layout Terraform's
 * `provider_installation { filesystem_mirror }` reads, so `terraform init` installs it like any other provider and
 * writes the lock file. The third and last provider path (provider-source.ts): for machines with neither the pinned
 * release nearby nor the Terraform registry.
 */
import { existsSync, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  checkCachedBinary,
  readBuildRecord,
  recordPathIn,
  type BinaryLocation,
  type BuildRecord,
  type GoModuleBuild,
} from "./build-record";
import { PLATFORM, cacheRoot } from "./cache";
import { buildRecordOf, downloadModule, goBuildEnv, goVersion, measuredGoBuild, type GoBuildOptions } from "./go-build";
import { readSlimServices, type SlimServices } from "./slim-services";
import { prepareSlimSource } from "./slim-source";

const COMMIT = "5f2286d6d836";

/**
 * The source: the newest v6 commit the Go module proxy serves. The repository's go.mod has no /v6 suffix, so its v6
 * tags are reachable only as pseudo-versions of their commits, and the proxy serves none for v6.25.0 (the stacks'
 * pin): `@v6.25.0`, `@v6.25.0+incompatible` and older pseudo-versions all answer 403; the version list holds only
 * v1.60.0 and this pseudo-version, commit 5f2286d6d836 of 2026-06-02 (after 6.47.1; CHANGELOG "6.48.0 (Unreleased)").
 *
 * The version label, 6.48.0-slim.5f2286d6d836, says what the binary is: a build before the 6.48.0 release (a semver
 * prerelease of 6.48.0 sorts below it), not the full provider ("slim"), of that commit. It is never 6.25.0, which would
 * claim a release this is not, nor a plain semver such as 6.48.0, which would claim a release that does not exist yet.
 * Terraform selects a prerelease only for a constraint that names it exactly, so no configuration picks this build
 * up by accident, and the stacks' pin (required_providers aws = "6.25.0", from @cdktf/provider-aws) cannot: the
 * working copies Terraform runs in require this exact version in an override file (provider_version_override.tf.json,
 * see provider-source.ts), next to the untouched cdk.tf.json. Configuration that validates and plans here does so under
 * 6.25.0 too (6.x minor releases add types and arguments, never remove them); `terraform init` against the registry
 * (the second path) gets 6.25.0 itself.
 */
export const SLIM_AWS_PROVIDER: GoModuleBuild & { readonly source: string; readonly commit: string } = {
  source: "hashicorp/aws",
  commit: COMMIT,
  module: "github.com/hashicorp/terraform-provider-aws",
  moduleVersion: `v1.60.1-0.20260602190131-${COMMIT}`,
  mainPackage: ".",
  version: `6.48.0-slim.${COMMIT}`,
  versionStamp: `github.com/hashicorp/terraform-provider-aws/version.ProviderVersion=6.48.0-slim.${COMMIT}`,
  binaryName: `terraform-provider-aws_v6.48.0-slim.${COMMIT}`,
};

/** Registry hosts an unqualified "aws" source resolves to: Terraform's and OpenTofu's. The mirror files the build under both. */
export const REGISTRY_HOSTS = ["registry.terraform.io", "registry.opentofu.org"] as const;
export type RegistryHost = (typeof REGISTRY_HOSTS)[number];

export function slimMirrorRoot(root = cacheRoot()): string {
  return join(root, "terraform-mirror");
}

/** `<mirror>/<host>/hashicorp/aws/<version>/<os>_<arch>/terraform-provider-aws_v<version>`, the unpacked mirror layout. */
export function slimProviderLocation(root = cacheRoot(), host: RegistryHost = "registry.terraform.io"): BinaryLocation {
  const dir = join(slimMirrorRoot(root), host, SLIM_AWS_PROVIDER.source, SLIM_AWS_PROVIDER.version, PLATFORM);
  // The record stays out of the mirror: Terraform hashes (h1:) and installs everything in the package directory.
  const recordPath = recordPathIn(join(root, "terraform-provider-builds", SLIM_AWS_PROVIDER.source, SLIM_AWS_PROVIDER.version, PLATFORM));
  return { dir, path: join(dir, SLIM_AWS_PROVIDER.binaryName), recordPath };
}

/** Why the slim build in the mirror is not usable (missing, altered, or built for another service list), or null. */
export function checkSlimBuild(root = cacheRoot(), services: SlimServices = readSlimServices()): string | null {
  const location = slimProviderLocation(root);
  const problem = checkCachedBinary(SLIM_AWS_PROVIDER, location);
  if (problem !== null) return problem;
  const built = readBuildRecord(location).services ?? [];
  if (built.join(",") !== services.services.join(",")) {
    return `${location.path} was built with services ${built.join(", ")}, but aws-provider-services.json lists ${services.services.join(", ")}`;
  }
  for (const host of REGISTRY_HOSTS) {
    if (!existsSync(slimProviderLocation(root, host).path)) return `${slimProviderLocation(root, host).path} is missing`;
  }
  return null;
}

/**
 * Downloads the module, copies it with only the listed services (slim-source.ts), builds it niced and measured, and
 * installs the binary into the mirror for both registry hosts (hard links) with its build record. The mirror is
 * replaced only once the binary is complete; the slimmed source copy is removed afterwards.
 */
export function buildSlimProvider(options: GoBuildOptions, root = cacheRoot(), services: SlimServices = readSlimServices()): BuildRecord {
  if (services.moduleVersion !== SLIM_AWS_PROVIDER.moduleVersion) {
    throw new Error(
      `aws-provider-services.json was derived from ${services.moduleVersion}, not ${SLIM_AWS_PROVIDER.moduleVersion}: run 'npm run tf:services'`,
    );
  }
  const env = goBuildEnv();
  const downloaded = downloadModule(SLIM_AWS_PROVIDER.module, SLIM_AWS_PROVIDER.moduleVersion, env);
  const work = join(root, "terraform-provider-build", `${SLIM_AWS_PROVIDER.version}.${process.pid}`);
  const source = join(work, "source");
  try {
    console.log(`[tf:build] slim source: ${services.services.length} service packages (${services.services.join(", ")})`);
    prepareSlimSource(downloaded.Dir, source, services.services);
    const output = join(work, SLIM_AWS_PROVIDER.binaryName);
    const measured = measuredGoBuild(
      {
        dir: source,
        mainPackage: SLIM_AWS_PROVIDER.mainPackage,
        versionStamp: SLIM_AWS_PROVIDER.versionStamp,
        output,
        dirLabel: "<slimmed copy of the module>",
      },
      options,
      env,
    );
    const record = buildRecordOf(SLIM_AWS_PROVIDER, downloaded, goVersion(env), output, measured, services.services);
    install(output, record, root);
    return record;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function install(binary: string, record: BuildRecord, root: string): void {
  const primary = slimProviderLocation(root);
  rmSync(primary.recordPath, { force: true }); // an interrupted install leaves no record, so it reads as not built
  for (const host of REGISTRY_HOSTS) {
    const location = slimProviderLocation(root, host);
    rmSync(location.dir, { recursive: true, force: true });
    mkdirSync(location.dir, { recursive: true });
    if (host === "registry.terraform.io") renameSync(binary, location.path);
    else linkSync(primary.path, location.path);
  }
  mkdirSync(dirname(primary.recordPath), { recursive: true });
  writeFileSync(primary.recordPath, `${JSON.stringify(record, null, 2)}\n`);
}
