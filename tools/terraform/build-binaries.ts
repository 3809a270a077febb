/**
 * `npm run tf:build`: builds the Terraform providers the stacks need (and OpenTofu when no Terraform CLI is
 * installed) from their Go modules into the per-user cache. A binary whose build record matches the declared module
 * version and whose bytes match its recorded sha256 is kept as is.
 */
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { buildGoModule } from "./go-build";
import {
  OPENTOFU,
  PROVIDERS,
  cacheRoot,
  checkCachedBinary,
  findTerraformCli,
  opentofuLocation,
  providerLocation,
  readBuildRecord,
  type BinaryLocation,
  type GoModuleBuild,
} from "./toolchain";

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError("expected a positive integer");
  return parsed;
}

const program = new Command("tf:build")
  .description("Build the Terraform providers (and OpenTofu if no Terraform CLI is installed) from Go modules")
  .option("--force", "rebuild even when a matching binary is cached", false)
  .option("--with-opentofu", "also build OpenTofu even though a Terraform CLI is installed", false)
  .option("--jobs <n>", "packages compiled at once (go build -p)", positiveInt, Math.min(2, availableParallelism()))
  .option("--nice <n>", "scheduling niceness of the build", positiveInt, 15)
  .parse();
const options = program.opts<{ force: boolean; withOpentofu: boolean; jobs: number; nice: number }>();

function ensureBuilt(build: GoModuleBuild, location: BinaryLocation): void {
  const started = process.hrtime.bigint();
  const problem = checkCachedBinary(build, location);
  if (problem === null && !options.force) {
    const seconds = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(2);
    const record = readBuildRecord(location);
    console.log(`[tf:build] cached: ${location.path} (${build.version}; verified sha256 in ${seconds}s; ` +
      `first build took ${record.wallSeconds}s, peak RSS ${record.maxRssKiB ?? "n/a"} KiB)`);
    return;
  }
  console.log(`[tf:build] building ${build.binaryName} ${build.version}: ${problem ?? "--force"}`);
  const record = buildGoModule(build, location, { jobs: options.jobs, niceness: options.nice });
  const rss = record.maxRssKiB === null ? "n/a (GNU time not installed)" : `${(record.maxRssKiB / 1024 / 1024).toFixed(2)} GiB`;
  console.log(`[tf:build] built ${location.path}: wall ${record.wallSeconds}s, peak RSS ${rss}, sha256 ${record.sha256}`);
}

console.log(`[tf:build] cache: ${cacheRoot()}`);
for (const provider of PROVIDERS) {
  if (provider.versionGap) console.log(`[tf:build] NOTE ${provider.source}: ${provider.versionGap}`);
  ensureBuilt(provider, providerLocation(provider));
}
const installed = findTerraformCli();
if (options.withOpentofu || installed === null) {
  ensureBuilt(OPENTOFU, opentofuLocation());
} else {
  console.log(`[tf:build] using the installed ${installed.flavour} CLI at ${installed.path} (--with-opentofu builds OpenTofu too)`);
}
