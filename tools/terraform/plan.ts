/**
 * `npm run tf:plan -- --env <env> [--skip-synth]`: a real plan of one environment against the local AWS emulator,
 * summarized by resource type. The plan and its JSON stay in .sentinel/terraform/work/emulator/<env>.
 */
import { Command } from "commander";
import { startEmulator } from "../../local/emulator";
import { planAgainstEmulator } from "./operations";
import { formatPlanSummary } from "./plan-summary";
import { OUT_DIR, PROJECT_ROOT, WORK_ROOT, openTerraform, runCommand } from "./session";
import { findStack, synthesize } from "./stacks";

const options = new Command("tf:plan")
  .description("terraform plan of one environment against the local AWS emulator")
  .requiredOption("--env <env>", "environment (stack) to plan")
  .option("--skip-synth", "use cdktf.out as it is", false)
  .parse()
  .opts<{ env: string; skipSynth: boolean }>();

runCommand("tf:plan", async () => {
  const terraform = openTerraform("tf:plan");
  if (!options.skipSynth) synthesize(PROJECT_ROOT);
  const stack = findStack(OUT_DIR, options.env);
  const emulator = await startEmulator({ projectRoot: PROJECT_ROOT });
  try {
    const planned = await planAgainstEmulator(terraform, stack, WORK_ROOT, emulator.endpoint);
    console.log(formatPlanSummary(`[tf:plan] ${stack.name} against the emulator`, planned.summary));
    const { plan } = planned.timings;
    console.log(`[tf:plan] plan ${plan!.toFixed(1)}s; saved plan: ${planned.dir}/plan.bin`);
  } finally {
    await emulator.stop();
  }
});
