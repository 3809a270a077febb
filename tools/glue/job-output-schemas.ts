/**
 * The ETL job's real output schemas, per profile and tier, from a run of the job on local Spark
 * (tools/glue/describe_job_output.py). `npm run glue:output-schemas` records them in
 * contracts/job-output-schemas.json, which the catalog tables are declared from; the infra tests
 * compare a fresh run with that recording.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { RecordedOutputSchemas } from "../../contracts/job-output-schema";
import { defaultGlueJobsDir, repositoryRoot } from "../build/source-tree";

export const RECORDING = join(repositoryRoot(), "contracts", "job-output-schemas.json");

/** Runs the job for each profile (all shipped profiles by default) and returns what it wrote. */
export function describeJobOutput(profiles: readonly string[] = []): RecordedOutputSchemas {
  const root = repositoryRoot();
  const result = spawnSync(join(root, ".venv", "bin", "python"), [join(root, "tools", "glue", "describe_job_output.py"), ...profiles], {
    cwd: root,
    encoding: "utf8",
    // The job from this checkout, whatever is installed in the venv.
    env: { ...process.env, PYTHONPATH: defaultGlueJobsDir() },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`describing the job's output failed (status ${result.status}):\n${result.stderr.slice(-4000)}`);
  return JSON.parse(result.stdout) as RecordedOutputSchemas;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const described = describeJobOutput(process.argv.slice(2));
  // Naming some profiles re-records those and keeps the others.
  const previous = existsSync(RECORDING) ? (JSON.parse(readFileSync(RECORDING, "utf8")) as RecordedOutputSchemas) : {};
  const merged = Object.fromEntries(Object.entries({ ...previous, ...described }).sort(([left], [right]) => left.localeCompare(right)));
  writeFileSync(RECORDING, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(`[glue:output-schemas] recorded ${Object.keys(described).join(", ")} in ${RECORDING}`);
}
