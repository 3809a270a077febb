/**
 * `npm run tf:build`: makes hashicorp/aws installable by `terraform init`, trying the provider paths in order
 * (provider-source.ts): the pinned release in a local mirror or plugin cache, then the registry, and only then the
 * slim offline build into the project's filesystem mirror. Builds OpenTofu first when no Terraform CLI is installed.
 * A built binary whose build record matches the declaration and whose bytes match its recorded sha256 is kept.
 */
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { checkCachedBinary, readBuildRecord, type BinaryLocation, type BuildRecord, type GoModuleBuild } from "./build-record";
import { cacheRoot } from "./cache";
import { buildGoModule } from "./go-build";
import { resolveProvider } from "./provider-source";
import { SLIM_AWS_PROVIDER, buildSlimProvider, checkSlimBuild, slimProviderLocation } from "./slim-build";
import { DEFAULT_REGISTRY, OPENTOFU, findTerraformCli, opentofuLocation } from "./toolchain";

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError("expected a positive integer");
  return parsed;
}

const options = new Command("tf:build")
  .description(
    "Make hashicorp/aws installable (local mirror, registry, or the slim offline build); OpenTofu too if no Terraform CLI is installed",
  )
  .option("--slim", "build the slim offline provider even when a local release or the registry answers", false)
  .option("--force", "rebuild even when a matching binary is cached (implies --slim)", false)
  .option("--with-opentofu", "also build OpenTofu even though a Terraform CLI is installed", false)
  .option("--jobs <n>", "packages compiled at once (go build -p)", positiveInt, Math.min(2, availableParallelism()))
  .option("--nice <n>", "scheduling niceness of the build", positiveInt, 10)
  .parse()
  .opts<{ slim: boolean; force: boolean; withOpentofu: boolean; jobs: number; nice: number }>();
const goBuildOptions = { jobs: options.jobs, niceness: options.nice };

function describeRecord(record: BuildRecord): string {
  const rss = record.maxRssKiB === null ? "n/a (GNU time not installed)" : `${(record.maxRssKiB / 1024 / 1024).toFixed(2)} GiB`;
  const cpu =
    record.userSeconds === null ? "" : `, CPU ${Math.round(record.userSeconds)} s user + ${Math.round(record.systemSeconds ?? 0)} s sys`;
  return `wall ${record.wallSeconds} s, peak RSS ${rss}${cpu}, ${(record.binaryBytes / 1e6).toFixed(1)} MB, sha256 ${record.sha256}`;
}

function ensureOpentofu(location: BinaryLocation, build: GoModuleBuild): void {
  const problem = checkCachedBinary(build, location);
  if (problem === null && !options.force) {
    console.log(`[tf:build] cached: ${location.path} (${describeRecord(readBuildRecord(location))})`);
    return;
  }
  console.log(`[tf:build] building ${build.binaryName} ${build.version}: ${problem ?? "--force"}`);
  console.log(`[tf:build] built ${location.path}: ${describeRecord(buildGoModule(build, location, goBuildOptions))}`);
}

function ensureSlimProvider(): void {
  const location = slimProviderLocation();
  const problem = checkSlimBuild();
  if (problem === null && !options.force) {
    const record = readBuildRecord(location);
    console.log(
      `[tf:build] 3. slim offline build, cached: ${location.path} (${record.services?.length ?? 0} service packages; first build: ${describeRecord(record)})`,
    );
    return;
  }
  console.log(`[tf:build] 3. slim offline build of ${SLIM_AWS_PROVIDER.source} ${SLIM_AWS_PROVIDER.version}: ${problem ?? "--force"}`);
  const record = buildSlimProvider(goBuildOptions);
  console.log(`[tf:build] built ${location.path}: ${record.services?.length ?? 0} service packages, ${describeRecord(record)}`);
}

console.log(`[tf:build] cache: ${cacheRoot()}`);
let cli = findTerraformCli();
if (options.withOpentofu || cli === null) {
  ensureOpentofu(opentofuLocation(), OPENTOFU);
  cli ??= findTerraformCli();
} else {
  console.log(`[tf:build] using the installed ${cli.flavour} CLI at ${cli.path} (--with-opentofu builds OpenTofu too)`);
}

if (options.slim || options.force) {
  ensureSlimProvider();
} else {
  const host = DEFAULT_REGISTRY[cli?.flavour ?? "terraform"];
  const resolved = resolveProvider({ cliPath: cli?.path ?? null, host, report: (line) => console.log(`[tf:build] ${line}`) });
  if ("missing" in resolved || resolved.installation.path === "slim-build") ensureSlimProvider();
  else console.log(`[tf:build] hashicorp/aws: ${resolved.installation.description}; nothing to build`);
}
