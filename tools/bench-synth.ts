/**
 * `npm run bench:synth [-- --runs 5]`: wall time, CPU time and peak RSS of synthesizing every
 * environment exactly as `npm run synth` does (a fresh `node stacks/synth.mjs` per run). The first
 * run rebuilds the synth bundle (cold); the others reuse it (warm). Fails when the warm median
 * misses the targets: <= 2 s wall and <= 300 MB peak RSS.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Command } from "commander";

const TARGET_WALL_SECONDS = 2;
const TARGET_PEAK_RSS_MB = 300;

interface Run {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

const options = new Command("bench:synth")
  .option("--runs <n>", "synth runs after the cold one", (value) => Number.parseInt(value, 10), 5)
  .parse()
  .opts<{ runs: number }>();

const root = join(import.meta.dirname, "..");
// The child reports its own peak RSS and CPU time on exit; the parent times it from spawn to exit.
const REPORTER = `process.on("exit", () => { const u = process.resourceUsage();
  process.stderr.write("\\nSENTINEL_BENCH " + JSON.stringify({ maxRssKb: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime }) + "\\n"); });
import(${JSON.stringify(join(root, "stacks", "synth.mjs"))});`;

function synthOnce(): Run {
  const started = performance.now();
  const child = spawnSync(process.execPath, ["-e", REPORTER], { cwd: root, encoding: "utf8" });
  const wallSeconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`synth failed (exit ${child.status ?? child.signal}):\n${child.stderr}`);
  const line = child.stderr.split("\n").find((text) => text.startsWith("SENTINEL_BENCH "));
  if (line === undefined) throw new Error(`synth did not report its resource usage:\n${child.stderr}`);
  const usage = JSON.parse(line.slice("SENTINEL_BENCH ".length)) as { maxRssKb: number; cpuUs: number };
  return { wallSeconds, cpuSeconds: usage.cpuUs / 1e6, peakRssMb: usage.maxRssKb / 1024 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const format = (run: Run) =>
  `${run.wallSeconds.toFixed(2)} s wall, ${run.cpuSeconds.toFixed(2)} s CPU, ${run.peakRssMb.toFixed(0)} MB peak RSS`;

const loadBefore = loadavg()[0] ?? 0;
rmSync(join(root, "node_modules", ".cache", "sentinel-synth"), { recursive: true, force: true });
const cold = synthOnce();
const warm = Array.from({ length: options.runs }, () => synthOnce());
const loadAfter = loadavg()[0] ?? 0;

const summary: Run = {
  wallSeconds: median(warm.map((run) => run.wallSeconds)),
  cpuSeconds: median(warm.map((run) => run.cpuSeconds)),
  peakRssMb: Math.max(cold.peakRssMb, ...warm.map((run) => run.peakRssMb)),
};
console.log(
  `synth of all environments (dev, staging, prod, local) on ${cpus().length} CPUs, 1-min load ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}`,
);
console.log(`  cold (bundle rebuilt): ${format(cold)}`);
warm.forEach((run, index) => console.log(`  warm run ${index + 1}: ${format(run)}`));
console.log(`  warm median: ${format(summary)} (peak RSS is the maximum over all runs)`);

const misses = [
  ...(summary.wallSeconds > TARGET_WALL_SECONDS ? [`median wall ${summary.wallSeconds.toFixed(2)} s > ${TARGET_WALL_SECONDS} s`] : []),
  ...(summary.peakRssMb > TARGET_PEAK_RSS_MB ? [`peak RSS ${summary.peakRssMb.toFixed(0)} MB > ${TARGET_PEAK_RSS_MB} MB`] : []),
];
if (misses.length > 0) {
  console.error(`[bench:synth] target missed: ${misses.join("; ")}`);
  process.exit(1);
}
console.log(`[bench:synth] targets met: <= ${TARGET_WALL_SECONDS} s wall, <= ${TARGET_PEAK_RSS_MB} MB peak RSS`);
