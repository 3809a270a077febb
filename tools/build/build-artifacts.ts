/**
 * `npm run build`: builds every artifact synth deploys into build/ (git-ignored) and records each with
 * its sha256 in build/manifest.json (artifact-manifest.ts):
 *  - the three Lambda handler bundles (esbuild) and their reproducible deployment archives,
 *    build/handlers/<name>.zip;
 *  - the job's transformation package as a reproducible wheel, build/glue/sentinel_etl-<version>-py3-none-any.whl;
 *  - the job's dependency wheels, as `npm run glue:wheels` downloaded them into build/glue-wheels/
 *    (checked against requirements-glue.txt; they are recorded, not rebuilt).
 * `npm start`, `npm test` and `npm run synth` run it first; constructs only take the paths and digests.
 */
import { statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ARTIFACT_NAMES, BUILD_DIRECTORY, MANIFEST_PATH, hashInputs, sha256Of, writeManifest, type ArtifactRecord } from "./artifact-manifest";
import { buildHandlers } from "./build-handlers";
import { REQUIREMENTS_FILE, resolveDependencyWheels } from "./dependency-wheels";
import { buildPythonWheel } from "./python-wheel";
import { archiveOf } from "./reproducible-zip";
import { defaultGlueJobsDir, defaultWheelCacheDir, repositoryRoot } from "./source-tree";

/** The job's import package, shipped as the wheel. */
export const JOB_PACKAGE = "sentinel_etl";
/** Besides their own sources, every handler bundle depends on these. */
const HANDLER_BUILD_INPUTS = ["package-lock.json", "tsconfig.json", "tools/build/build-handlers.ts"];

export interface BuildSummary {
  readonly artifacts: Readonly<Record<string, ArtifactRecord>>;
  readonly seconds: number;
}

export async function buildArtifacts(root: string = repositoryRoot()): Promise<BuildSummary> {
  const started = performance.now();
  const out = join(root, BUILD_DIRECTORY);
  const record = (path: string, inputs: readonly string[], sha256 = sha256Of(path)): ArtifactRecord => ({
    path: relative(root, path),
    sha256,
    bytes: statSync(path).size,
    inputs: hashInputs(root, inputs.map((input) => relative(root, resolve(root, input)))),
  });
  const artifacts: Record<string, ArtifactRecord> = {};

  const previousDirectory = process.cwd();
  process.chdir(root);
  try {
    const bundles = await buildHandlers(join(out, "handlers"));
    for (const bundle of bundles) {
      const archive = join(out, "handlers", `${bundle.name}.zip`);
      writeFileSync(archive, archiveOf(join(out, "handlers", bundle.name)));
      artifacts[ARTIFACT_NAMES.handler(bundle.name)] = record(archive, [...bundle.inputs, ...HANDLER_BUILD_INPUTS]);
    }
  } finally {
    process.chdir(previousDirectory);
  }

  const glueJobsDir = defaultGlueJobsDir();
  const wheel = buildPythonWheel({ projectDir: glueJobsDir, packageName: JOB_PACKAGE, outputDir: join(out, "glue") });
  artifacts[ARTIFACT_NAMES.jobPackage] = record(wheel.path, [...wheel.inputs, "tools/build/python-wheel.ts", "tools/build/reproducible-zip.ts"], wheel.sha256);

  const requirements = join(glueJobsDir, REQUIREMENTS_FILE);
  for (const dependency of resolveDependencyWheels(requirements, defaultWheelCacheDir())) {
    artifacts[`${ARTIFACT_NAMES.dependencyWheelPrefix}${dependency.requirement.name}`] = record(dependency.path, [requirements], dependency.sha256);
  }
  writeManifest(root, artifacts);
  return { artifacts, seconds: (performance.now() - started) / 1000 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const summary = await buildArtifacts();
  for (const [name, artifact] of Object.entries(summary.artifacts)) {
    console.log(`[build] ${name.padEnd(34)} ${`${(artifact.bytes / 1024).toFixed(1)} KiB`.padStart(11)}  ${artifact.sha256.slice(0, 12)}  ${artifact.path}`);
  }
  console.log(`[build] ${Object.keys(summary.artifacts).length} artifacts in ${summary.seconds.toFixed(1)} s, recorded in ${MANIFEST_PATH}`);
}
