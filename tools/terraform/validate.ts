/**
 * `npm run tf:validate [-- --env <env>] [--skip-synth]`: synthesizes, then runs `init` (provider-source.ts) and `validate`
 * on every environment's stack (or one), reporting each and failing if any is invalid.
 */
import { Command } from "commander";
import { validateStack } from "./operations";
import { OUT_DIR, PROJECT_ROOT, WORK_ROOT, openTerraform, runCommand } from "./session";
import { listSynthesizedStacks, synthesize } from "./stacks";

const options = new Command("tf:validate")
  .description("terraform init and validate for every synthesized environment")
  .option("--env <env>", "validate only this environment")
  .option("--skip-synth", "use cdktf.out as it is", false)
  .parse()
  .opts<{ env?: string; skipSynth: boolean }>();

runCommand("tf:validate", async () => {
  const terraform = openTerraform("tf:validate");
  if (!options.skipSynth) synthesize(PROJECT_ROOT);
  const stacks = listSynthesizedStacks(OUT_DIR).filter((stack) => options.env === undefined || stack.name === options.env);
  if (stacks.length === 0) throw new Error(`no synthesized stack${options.env ? ` named '${options.env}'` : ""} in ${OUT_DIR}`);
  const failed: string[] = [];
  for (const stack of stacks) {
    try {
      const timings = await validateStack(terraform, stack, WORK_ROOT);
      console.log(`[tf:validate] ${stack.name}: valid (init ${timings.init!.toFixed(1)}s, validate ${timings.validate!.toFixed(1)}s)`);
    } catch (error) {
      failed.push(stack.name);
      console.error(`[tf:validate] ${stack.name}: INVALID\n${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failed.length > 0) throw new Error(`invalid: ${failed.join(", ")}`);
  console.log(`[tf:validate] all ${stacks.length} environments valid: ${stacks.map((s) => s.name).join(", ")}`);
});
