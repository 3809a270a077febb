/**
 * `npm run tf:plan -- --env <env> [--skip-synth]`: a real plan of one environment against the local AWS emulator,
 * summarized by resource type. The plan and its JSON stay in .sentinel/terraform/work/emulator/<env>.
 */
import { Command } from "commander";
import { planAgainstEmulator } from "./operations";
import { formatPlanSummary } from "./plan-summary";
import { runEmulatorCommand } from "./emulator-command";

const options = new Command("tf:plan")
  .description("terraform plan of one environment against the local AWS emulator")
  .requiredOption("--env <env>", "environment (stack) to plan")
  .option("--skip-synth", "use cdktf.out as it is", false)
  .parse()
  .opts<{ env: string; skipSynth: boolean }>();

runEmulatorCommand("tf:plan", options, async ({ terraform, stack, emulator, workRoot }) => {
  const planned = await planAgainstEmulator(terraform, stack, workRoot, emulator);
  console.log(formatPlanSummary(`[tf:plan] ${stack.name} against the emulator`, planned.summary));
  const { plan } = planned.timings;
  console.log(`[tf:plan] plan ${plan!.toFixed(1)}s; saved plan: ${planned.dir}/plan.bin`);
});
