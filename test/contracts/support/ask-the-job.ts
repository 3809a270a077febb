/**
 * The contract tests' way of asking the Glue job's own modules what they define: runs a few lines in the
 * project's Python (glue-jobs importable) and parses the JSON they print.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..", "..");

/** `statements` run after `import json`; the last one prints the answer as JSON. `what` names it in errors. */
export function askTheJob<Answer>(what: string, statements: readonly string[]): Answer {
  const result = spawnSync(join(ROOT, ".venv", "bin", "python"), ["-c", ["import json", ...statements].join("\n")], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: join(ROOT, "glue-jobs") },
  });
  if (result.status !== 0) throw new Error(`python could not describe ${what}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Answer;
}
