/**
 * `npm run tf:apply-local [-- --env local] [--skip-synth]`: applies the local environment to the AWS emulator, checks
 * the key resources through the AWS SDK and that a plan right after the apply has no changes, destroys them and checks they are gone. Exits non-zero on any failure.
 */
import { Command } from "commander";
import { applyVerifyDestroy, localApplyFailures } from "./operations";
import { formatPlanSummary } from "./plan-summary";
import { runEmulatorCommand } from "./emulator-command";

const options = new Command("tf:apply-local")
  .description("terraform apply + SDK checks + destroy of the local environment against the AWS emulator")
  .option("--env <env>", "environment (stack) to apply", "local")
  .option("--skip-synth", "use cdktf.out as it is", false)
  .parse()
  .opts<{ env: string; skipSynth: boolean }>();

runEmulatorCommand("tf:apply-local", options, async ({ terraform, stack, emulator, workRoot }) => {
  const report = await applyVerifyDestroy(terraform, stack, workRoot, emulator);
  console.log(formatPlanSummary(`[tf:apply-local] ${stack.name} plan`, report.summary));
  for (const { address, exclusion, references } of report.scope.excluded) {
    const why = references ? `references ${references}` : `${exclusion.reason} (emulator: ${exclusion.emulatorError})`;
    console.log(`[tf:apply-local] EXCLUDED from the local apply (still planned) ${address}: ${why}`);
  }
  console.log(`[tf:apply-local] applied ${report.appliedCount} resources; SDK checks against the emulator:`);
  for (const line of report.applied.lines) console.log(`  ${line}`);
  const { drift, excused } = report.replan;
  console.log(
    `[tf:apply-local] a plan right after the apply: ${drift.length} changes` +
      (excused.length > 0 ? `, besides ${excused.length} in-place updates of declared read-back gaps (docs/environments.md):` : ""),
  );
  for (const line of excused) console.log(`  excused ${line}`);
  for (const address of report.forgotten) {
    console.log(`[tf:apply-local] NOT DESTROYED (the emulator cannot delete it; removed from the state) ${address}`);
  }
  console.log(`[tf:apply-local] emptied the buckets before destroy: ${report.emptied} object versions and delete markers`);
  console.log("[tf:apply-local] after destroy:");
  for (const line of report.destroyed.lines) console.log(`  ${line}`);
  const t = report.timings;
  console.log(
    `[tf:apply-local] timings: plan ${t.plan!.toFixed(1)}s, apply ${t.apply!.toFixed(1)}s, ` +
      `SDK checks ${t.verify!.toFixed(1)}s, re-plan ${t.replan!.toFixed(1)}s, destroy ${t.destroy!.toFixed(1)}s`,
  );
  const failures = localApplyFailures(report);
  if (failures.length > 0) throw new Error(`local apply checks failed:\n  - ${failures.join("\n  - ")}`);
  console.log(`[tf:apply-local] ${stack.name}: applied, verified and destroyed`);
});
