/**
 * `npm run tf:services [-- --skip-synth]`: derives the slim provider build's service packages from the resource and
 * data source types of every synthesized environment and the provider source (provider-services.ts), and writes
 * aws-provider-services.json, which the build compiles from. Run it when a stack starts using a type the slim build
 * lacks (the vitest check names the type), commit the file, then `npm run tf:build`.
 */
import { existsSync } from "node:fs";
import { Command } from "commander";
import { cacheRoot } from "./cache";
import { downloadModule, goBuildEnv } from "./go-build";
import { OUT_DIR, PROJECT_ROOT, runCommand } from "./session";
import { SLIM_AWS_PROVIDER, checkSlimBuild } from "./slim-build";
import { SLIM_SERVICES_FILE, deriveSlimServices, readSlimServices, writeSlimServices } from "./slim-services";
import { listSynthesizedStacks, readStackConfig, synthesize } from "./stacks";

const options = new Command("tf:services")
  .description("derive the slim provider's service packages from every synthesized environment")
  .option("--skip-synth", "use cdktf.out as it is", false)
  .parse()
  .opts<{ skipSynth: boolean }>();

runCommand("tf:services", async () => {
  if (!options.skipSynth) synthesize(PROJECT_ROOT);
  const stacks = listSynthesizedStacks(OUT_DIR);
  const module = downloadModule(SLIM_AWS_PROVIDER.module, SLIM_AWS_PROVIDER.moduleVersion, goBuildEnv());
  const derived = deriveSlimServices(module.Dir, SLIM_AWS_PROVIDER.moduleVersion, stacks.map(readStackConfig));
  const before = existsSync(SLIM_SERVICES_FILE) ? readSlimServices() : { services: [] as readonly string[] };
  writeSlimServices(derived);
  const added = derived.services.filter((service) => !before.services.includes(service));
  const removed = before.services.filter((service) => !derived.services.includes(service));
  console.log(
    `[tf:services] ${stacks.map((stack) => stack.name).join(", ")}: ${derived.stackServices.length} service packages register their types ` +
      `(${derived.stackServices.join(", ")}); with the packages whose API clients those use: ${derived.services.length}`,
  );
  console.log(
    `[tf:services] wrote ${SLIM_SERVICES_FILE}${added.length + removed.length === 0 ? " (unchanged)" : ` (added: ${added.join(", ") || "none"}; removed: ${removed.join(", ") || "none"})`}`,
  );
  const built = checkSlimBuild(cacheRoot(), derived);
  if (built !== null) console.log(`[tf:services] the slim build needs rebuilding: ${built}`);
});
