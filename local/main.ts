/**
 * `npm start`: runs the whole pipeline on this machine. The local AWS emulator starts, Terraform applies
 * the `local` environment to it, a seeded sample (or --input) lands in the raw bucket, the deployed
 * trigger function starts the run, the DataBrew PII profile and the Glue ETL job run locally, their state
 * changes reach the deployed lineage and audit functions, the audit chain is verified, and a summary and
 * an HTML report show what happened. State is kept in .sentinel/local, so a second run processes only
 * new input. See docs/local-pipeline.md.
 */
import { spawnSync } from "node:child_process";
import { Command, Option } from "commander";
import { rmSync } from "node:fs";
import { join, relative } from "node:path";
import { EMULATOR_CREDENTIALS } from "./emulator/emulator";
import { PIPELINE_RUN_STEPS, runPipeline } from "./run/pipeline-run";
import { PLATFORM_STEPS, startLocalPlatform, type LocalPlatform } from "./run/local-platform";
import { Progress } from "./run/progress";
import { ComponentExited, ComponentWatch, RunInterrupted } from "./watch/component-watch";
import { explorationHints } from "./report/exploration-hints";
import { summaryText } from "./report/summary-text";
import { printSynthSummary } from "../tools/synth-summary";
import { locateToolchain } from "../tools/terraform/toolchain";
import { cdktfLocalHints, prepareCdktfForNpmStart } from "../tools/terraform/cdktf-local";

const PROJECT_ROOT = join(import.meta.dirname, "..");

interface StartOptions {
  readonly profile: string;
  readonly rows: number;
  readonly seed: number;
  readonly defectRate: number;
  readonly input?: string;
  readonly runDate?: string;
  readonly keepRunning: boolean;
  readonly fresh: boolean;
  readonly stateDir: string;
  readonly synthOnly: boolean;
}

const positiveInteger = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return parsed;
};

const shareOf = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!(parsed >= 0 && parsed < 1)) throw new Error(`${name} must be a number from 0 to below 1, got ${value}`);
  return parsed;
};

const options = new Command("npm start --")
  .description("Run the Sentinel pipeline locally, end to end, against the local AWS emulator")
  .addOption(new Option("--profile <profile>", "dataset profile").choices(["card-transactions", "baf"]).default("card-transactions"))
  .option("--rows <n>", "rows of the generated sample", positiveInteger("--rows"), 100_000)
  .option("--seed <n>", "seed of the generated sample", positiveInteger("--seed"), 42)
  .option("--defect-rate <share>", "share of generated rows with one quarantinable defect", shareOf("--defect-rate"), 0.005)
  .option("--input <csv>", "process this CSV instead of a generated sample (columns of --profile)")
  .option("--run-date <YYYY-MM-DD>", "day of data the run processes (default: today, UTC)")
  .option("--keep-running", "leave the emulator up after the run to explore it (Ctrl-C stops it)", false)
  .option("--fresh", "forget the saved state of earlier runs first (bookmarks, fitted bins, outputs, lineage)", false)
  .option("--state-dir <dir>", "where the local environment keeps its state between runs", join(PROJECT_ROOT, ".sentinel", "local"))
  .option("--synth-only", "only synthesize every environment and print what each would create", false)
  .parse()
  .opts<StartOptions>();

/**
 * The Terraform CLI and hashicorp/aws: from a local mirror or the registry when either answers, else the slim offline
 * build into the per-user cache (npm run tf:build, tools/terraform/provider-source.ts). On a fresh offline machine the
 * first npm start therefore takes that build's time on top of the run (docs/environments.md, "Measured"); later
 * starts find it cached.
 */
function ensureToolchain(): ReturnType<typeof locateToolchain> {
  const located = locateToolchain();
  if (!("missing" in located)) return located;
  console.log(
    [
      "First start on this machine: getting the Terraform toolchain it provisions with (once; cached under ~/.cache/sentinel).",
      ...located.missing.map((problem) => `  - ${problem}`),
      "With no local mirror and no registry, hashicorp/aws is compiled from its Go module with only the services the stacks use",
      "(minutes, see docs/environments.md), then npm start continues.",
    ].join("\n"),
  );
  const build = spawnSync(
    join(PROJECT_ROOT, "node_modules", ".bin", "tsx"),
    [join(PROJECT_ROOT, "tools", "terraform", "build-binaries.ts")],
    { cwd: PROJECT_ROOT, stdio: "inherit" },
  );
  if (build.status !== 0) console.error(`npm run tf:build exited with ${build.status ?? build.signal}`);
  return locateToolchain();
}

async function main(): Promise<number> {
  if (options.synthOnly) return printSynthSummary(PROJECT_ROOT);
  const toolchain = ensureToolchain();
  if ("missing" in toolchain) {
    console.error(
      [
        "npm start provisions the local environment with Terraform and the hashicorp/aws provider (a local mirror, the registry, or the",
        "slim build from source on this machine), and getting that toolchain failed or left it incomplete:",
        ...toolchain.missing.map((problem) => `  - ${problem}`),
        "The build's own output is above; rerun it alone with  npm run tf:build  (see docs/environments.md).",
        "(npm start -- --synth-only shows what every environment would create without it.)",
      ].join("\n"),
    );
    return 1;
  }
  if (options.fresh) rmSync(options.stateDir, { recursive: true, force: true });
  // no credentials of the user's shell reach the run: the SDK's default chain sees the emulator's dummy ones (refused once
  // IAM is enforced; every component then has its own role's, local/emulator/role-sessions.ts)
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;

  console.log(
    `Sentinel local pipeline: ${options.profile}, ${options.input === undefined ? `${options.rows.toLocaleString("en-US")} generated rows (seed ${options.seed})` : options.input}`,
  );
  // a dead emulator, Spark driver or Lambda environment, or Ctrl-C, fails the step in flight at once
  const watch = new ComponentWatch();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => watch.interrupt(signal));
  const progress = new Progress(process.stdout, PLATFORM_STEPS + PIPELINE_RUN_STEPS, watch);
  let platform: LocalPlatform | undefined;
  try {
    platform = await startLocalPlatform({ projectRoot: PROJECT_ROOT, stateDir: options.stateDir, watch }, progress);
    const { summary, reportPath } = await runPipeline(
      platform,
      {
        profile: options.profile,
        input:
          options.input === undefined
            ? { kind: "generated", rows: options.rows, seed: options.seed, defectRate: options.defectRate }
            : { kind: "file", path: options.input },
        runDate: options.runDate,
      },
      progress,
    );
    console.log(summaryText(summary, relative(process.cwd(), reportPath) || reportPath));
    if (options.keepRunning) {
      console.log(explorationHints(platform, summary));
      // `npx cdktf diff/deploy/destroy local` against this emulator, on the state this run applied
      console.log(cdktfLocalHints(await prepareCdktfForNpmStart(platform.emulator, platform.deployer)));
      watch.during("--keep-running");
      // Ctrl-C ends the exploration; a component dying during it is still reported
      const ended = await watch.failure.catch((error: unknown) => error);
      if (!(ended instanceof RunInterrupted)) throw ended;
    }
    return summary.outcome === "succeeded" ? 0 : 1;
  } finally {
    await platform?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ComponentExited || error instanceof RunInterrupted) {
      console.error(
        `\nnpm start stopped: ${error.message}. Everything it started has been stopped; the next npm start begins from the last saved state.`,
      );
      process.exit(error instanceof RunInterrupted ? 130 : 1);
    }
    console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
