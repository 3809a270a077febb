/**
 * `npm run cost -- --env <env> [--json] [--skip-synth] [--<assumption> <value> ...]`: the monthly cost model
 * of an environment from its synthesized stack and the pricing table in tools/cost/aws-pricing.json.
 * See docs/cost.md.
 */
import { Command } from "commander";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { OUT_DIR } from "../terraform/session";
import { findStack, readStackConfig } from "../terraform/stacks";
import { estimateCost, type CostEstimate } from "./cost-model";
import { loadPricingTable } from "./pricing-table";
import { inventoryOf } from "./stack-inventory";
import { DEFAULT_WORKLOAD, optionName, type Workload } from "./workload";

const PROJECT_ROOT = join(import.meta.dirname, "..", "..");

const program = new Command("npm run cost --")
  .description("Monthly cost estimate of an environment from its synthesized stack and the repository's pricing table")
  .requiredOption("--env <env>", "environment (dev, staging, prod, local)")
  .option("--json", "print the estimate as JSON", false)
  .option("--skip-synth", "use cdktf.out as it is", false);
for (const [field, value] of Object.entries(DEFAULT_WORKLOAD)) {
  program.option(`--${optionName(field as keyof Workload)} <n>`, `workload assumption (default ${value})`, (raw) => {
    const parsed = Number(raw);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${optionName(field as keyof Workload)} must be a non-negative number`);
    return parsed;
  });
}
const options = program.parse().opts<Record<string, unknown> & { env: string; json: boolean; skipSynth: boolean }>();

function usd(value: number): string {
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function print(estimate: CostEstimate, workload: Workload): void {
  console.log(
    `Sentinel ${estimate.environment}: estimated ${usd(estimate.totalUsd)} per month (${estimate.runsPerMonth} pipeline runs per month)\n`,
  );
  const rows = estimate.lines.map((line) => [
    line.component,
    `${line.quantity.toLocaleString("en-US")} ${line.unit}`,
    usd(line.monthlyUsd),
    line.basis,
  ]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  for (const row of rows)
    console.log(
      `  ${(row[0] as string).padEnd(widths[0]!)}  ${(row[1] as string).padStart(widths[1]!)}  ${(row[2] as string).padStart(widths[2]!)}  ${row[3]}`,
    );
  console.log(`\n  ${"Total".padEnd(widths[0]!)}  ${"".padStart(widths[1]!)}  ${usd(estimate.totalUsd).padStart(widths[2]!)}`);
  console.log(
    `\nAssumptions (override with --<name> <value>): ${Object.entries(workload)
      .map(([field, value]) => `${optionName(field as keyof Workload)}=${value}`)
      .join(", ")}`,
  );
  for (const note of estimate.notes) console.log(`Note: ${note}`);
}

if (!options.skipSynth) {
  const synth = spawnSync(process.execPath, [join(PROJECT_ROOT, "stacks", "synth.mjs")], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (synth.status !== 0) {
    console.error(`[cost] synth failed (exit ${synth.status ?? synth.signal})`);
    process.exit(1);
  }
}
const workload = Object.fromEntries(
  Object.entries(DEFAULT_WORKLOAD).map(([field, value]) => {
    const override = options[field];
    return [field, typeof override === "number" ? override : value];
  }),
) as unknown as Workload;
const estimate = estimateCost(inventoryOf(options.env, readStackConfig(findStack(OUT_DIR, options.env))), loadPricingTable(), workload);
if (options.json) console.log(JSON.stringify({ ...estimate, workload }, null, 2));
else print(estimate, workload);
