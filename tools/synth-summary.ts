/**
 * `npm start -- --synth-only`: synthesizes every environment and prints what each would create, without
 * running the pipeline (the foundation's first `npm start`, kept for a quick look at the stacks).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatSummary, summarizeStack, type SynthesizedStackJson } from "./stack-summary";

const ORDER = ["dev", "staging", "prod", "local"];

/** Returns the process exit code. */
export function printSynthSummary(root: string): number {
  const outdir = join(root, "cdktf.out");
  const started = performance.now();
  const synth = spawnSync(process.execPath, [join(root, "stacks", "synth.mjs")], { cwd: root, stdio: "inherit" });
  if (synth.status !== 0) {
    console.error(`[sentinel] synth failed (exit ${synth.status ?? synth.signal}); see the errors above`);
    return 1;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const names = Object.keys(manifest.stacks).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
  console.log(
    `Sentinel: synthesized ${names.length} environments (${names.join(", ")}) in ${seconds} s into cdktf.out/stacks/<env>/cdk.tf.json\n`,
  );
  for (const name of names) {
    const stack = manifest.stacks[name] as { synthesizedStackPath: string };
    const json = JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8")) as SynthesizedStackJson;
    console.log(`${formatSummary(summarizeStack(name, json))}\n`);
  }
  console.log("Plan one with `cdktf diff <env>` or plain Terraform/OpenTofu (docs/environments.md).");
  return 0;
}
