/**
 * `npm run build`: builds every artifact synth deploys into build/ (git-ignored) and records each with
 * its sha256 in build/manifest.json (artifact-manifest.ts):
 *  - the three Lambda handler bundles (esbuild) and their reproducible deployment archives,
 *    build/handlers/<name>.zip;
 *  - the job's transformation package as a reproducible wheel, build/glue/sentinel_etl-<version>-py3-none-any.whl;
 *  - the job's dependency wheels, as `npm run glue:wheels` downloaded them into build/glue-wheels/
 *    (checked against requirements-glue.txt; they are recorded, not rebuilt);
 *  - the JVM tokenization library, build/jvm/sentinel-tokenization.jar (tools/build/jvm.sh: Maven, run
 *    only when glue-jobs/jvm changed since the jar was built).
 * `npm start`, `npm test` and `npm run synth` run it first; constructs only take the paths and digests.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ARTIFACT_NAMES, BUILD_DIRECTORY, MANIFEST_PATH, hashInputs, sha256Of, writeManifest, type ArtifactRecord } from "./artifact-manifest";
import { buildHandlers } from "./build-handlers";
import { REQUIREMENTS_FILE, resolveDependencyWheels } from "./dependency-wheels";
import { buildPythonWheel } from "./python-wheel";
import { archiveOf } from "./reproducible-zip";
import { defaultGlueJobsDir, defaultTokenizationJar, defaultWheelCacheDir, repositoryRoot } from "./source-tree";

/** The job's import package, shipped as the wheel. */
export const JOB_PACKAGE = "sentinel_etl";
/** Besides their own sources, every handler bundle depends on these. */
const HANDLER_BUILD_INPUTS = ["package-lock.json", "tsconfig.json", "tools/build/build-handlers.ts"];

/** The JVM library's build script and its sources: every file of glue-jobs/jvm but Maven's target/. */
export function tokenizationLibraryInputs(root: string): string[] {
  const files: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory() && path !== join("glue-jobs", "jvm", "target")) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk(join("glue-jobs", "jvm"));
  return [...files, join("tools", "build", "jvm.sh")];
}

/** The jar, rebuilt first when its sources changed (tools/build/jvm.sh --if-stale), and the SHA-256 its build recorded. */
function tokenizationLibrary(root: string): { readonly path: string; readonly sha256: string } {
  const built = spawnSync("bash", [join(root, "tools", "build", "jvm.sh"), "--if-stale"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) throw new Error(`tools/build/jvm.sh failed (exit ${String(built.status ?? built.signal)}): the JVM tokenization library was not built`);
  const path = defaultTokenizationJar();
  return { path, sha256: readFileSync(`${path}.sha256`, "utf8").split(/\s+/)[0] ?? "" };
}

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

  const jar = tokenizationLibrary(root);
  artifacts[ARTIFACT_NAMES.tokenizationLibrary] = record(jar.path, tokenizationLibraryInputs(root), jar.sha256);

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
