/**
 * `npm run glue:wheels`: downloads the wheel of every requirement in glue-jobs/requirements-glue.txt
 * for the Glue 5.0 runtime (CPython 3.11, manylinux x86_64 up to glibc 2.34) into the git-ignored cache that synth
 * reads (build/glue-wheels/), and records each file's sha256 in the cache's manifest.json.
 *
 * Idempotent: a requirement whose wheel is already cached with its recorded digest is not fetched
 * again; wheels no longer required are removed. Binary wheels only and no dependency resolution
 * (`--only-binary=:all: --no-deps`): requirements-glue.txt must pin every package the job needs that
 * Glue does not provide, transitive ones included, so what ships is exactly what is listed.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command } from "commander";
import {
  GLUE_PLATFORMS,
  GLUE_PYTHON_VERSION,
  REQUIREMENTS_FILE,
  WHEEL_MANIFEST,
  readPinnedRequirements,
  type PinnedRequirement,
  type WheelManifestEntry,
} from "./dependency-wheels";
import { defaultGlueJobsDir, defaultWheelCacheDir } from "./source-tree";

const options = new Command("glue:wheels")
  .option("--requirements <file>", "requirements file", join(defaultGlueJobsDir(), REQUIREMENTS_FILE))
  .option("--cache <dir>", "wheel cache folder", defaultWheelCacheDir())
  .option("--pip <path>", "pip to run (the project's Python 3.11)", resolve(".venv", "bin", "pip"))
  .parse()
  .opts<{ requirements: string; cache: string; pip: string }>();

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

function cachedEntry(manifest: readonly WheelManifestEntry[], requirement: PinnedRequirement): WheelManifestEntry | undefined {
  const entry = manifest.find((candidate) => candidate.requirement === requirement.spec);
  if (entry === undefined) return undefined;
  const path = join(options.cache, entry.fileName);
  return existsSync(path) && entry.bytes === statSync(path).size && sha256(path) === entry.sha256 ? entry : undefined;
}

function download(requirement: PinnedRequirement): WheelManifestEntry {
  const staging = mkdtempSync(join(tmpdir(), "sentinel-wheel-"));
  try {
    const args = ["download", "--only-binary=:all:", ...GLUE_PLATFORMS.flatMap((platform) => ["--platform", platform]), "--python-version", GLUE_PYTHON_VERSION];
    args.push("--implementation", "cp", "--no-deps", "--disable-pip-version-check", "--dest", staging, requirement.spec);
    const result = spawnSync(options.pip, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (result.error !== undefined) throw new Error(`could not run ${options.pip}: ${result.error.message} (run npm run bootstrap first)`);
    if (result.status !== 0) throw new Error(`pip download ${requirement.spec} failed:\n${result.stderr.trim()}`);
    const wheels = readdirSync(staging).filter((file) => file.endsWith(".whl"));
    if (wheels.length !== 1) throw new Error(`pip download ${requirement.spec} gave ${wheels.length} wheels (${wheels.join(", ")}); expected exactly one`);
    const fileName = wheels[0] as string;
    renameSync(join(staging, fileName), join(options.cache, fileName));
    const path = join(options.cache, fileName);
    return { requirement: requirement.spec, fileName, sha256: sha256(path), bytes: statSync(path).size };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

const requirements = readPinnedRequirements(options.requirements);
mkdirSync(options.cache, { recursive: true });
const manifestPath = join(options.cache, WHEEL_MANIFEST);
const previous: WheelManifestEntry[] = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, "utf8")) as WheelManifestEntry[]) : [];

let fetched = 0;
const manifest = requirements.map((requirement) => {
  const cached = cachedEntry(previous, requirement);
  if (cached !== undefined) return cached;
  fetched += 1;
  console.log(`[glue:wheels] downloading ${requirement.spec} (CPython ${GLUE_PYTHON_VERSION}, manylinux x86_64 up to glibc 2.34)`);
  return download(requirement);
});
const kept = new Set([...manifest.map((entry) => entry.fileName), WHEEL_MANIFEST]);
for (const file of readdirSync(options.cache)) {
  // Hidden files are not wheels (bootstrap keeps its stamp here).
  if (!kept.has(file) && !file.startsWith(".")) rmSync(join(options.cache, file), { force: true });
}
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`[glue:wheels] ${manifest.length} wheels in ${options.cache} (${fetched} downloaded)`);
