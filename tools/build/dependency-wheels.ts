/**
 * The third-party Python dependencies the Glue job needs beyond what Glue 5.0 provides, as listed in
 * glue-jobs/requirements-glue.txt, resolved to the wheels `npm run glue:wheels` downloaded into a
 * git-ignored cache. The job's VPC has no package index, so each wheel ships as an artifact and pip
 * installs them with --no-index.
 *
 * Every requirement must be pinned (`name==version`) and have its wheel in the cache as recorded at
 * download; otherwise `npm run build` (tools/build/build-artifacts.ts) fails and says which command fixes it.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const REQUIREMENTS_FILE = "requirements-glue.txt";
export const WHEEL_MANIFEST = "manifest.json";
/** Glue 5.0: CPython 3.11 on x86_64 Amazon Linux 2023. */
export const GLUE_PYTHON_VERSION = "3.11";
/**
 * Glue 5.0's glibc is 2.34 (AWS Glue developer guide, "Using Python libraries with AWS Glue"), so a
 * manylinux wheel for any glibc from 2.17 (manylinux2014) to 2.34 runs there. pip does not widen a
 * --platform tag to older glibc versions by itself, so every one is listed (scipy 1.17, for one,
 * ships only manylinux_2_27/2_28 wheels).
 */
export const GLUE_PLATFORMS: readonly string[] = [
  "manylinux2014_x86_64",
  ...Array.from({ length: 34 - 17 + 1 }, (_, index) => `manylinux_2_${17 + index}_x86_64`),
];

export interface PinnedRequirement {
  /** As written, e.g. ff3==1.0.3. */
  readonly spec: string;
  readonly name: string;
  readonly version: string;
}

export interface DependencyWheel {
  readonly requirement: PinnedRequirement;
  readonly fileName: string;
  readonly path: string;
  readonly sha256: string;
}

/** What the download script records for each requirement it fetched. */
export interface WheelManifestEntry {
  readonly requirement: string;
  readonly fileName: string;
  readonly sha256: string;
  readonly bytes: number;
}

const PINNED = /^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)$/;

/** Pinned requirements of a requirements file (comments and blank lines ignored). */
export function readPinnedRequirements(path: string): PinnedRequirement[] {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: it lists the job's Python dependencies that Glue 5.0 does not provide (an empty file means none)`);
  }
  return readFileSync(path, "utf8")
    .split("\n")
    .map((line, index) => ({ text: line.replace(/#.*$/, "").trim(), lineNumber: index + 1 }))
    .filter(({ text }) => text !== "")
    .map(({ text, lineNumber }) => {
      const match = PINNED.exec(text);
      if (match === null) {
        throw new Error(`${path}:${lineNumber}: "${text}" must be pinned as name==version, so every deploy ships the same wheels`);
      }
      return { spec: text, name: match[1] as string, version: match[2] as string };
    });
}

/** The cached wheel of every requirement in `requirementsPath`; throws naming the first one missing. */
export function resolveDependencyWheels(requirementsPath: string, cacheDir: string): DependencyWheel[] {
  const requirements = readPinnedRequirements(requirementsPath);
  if (requirements.length === 0) return [];
  const fix = "run `npm run glue:wheels` (it downloads them with pip into the git-ignored cache)";
  const manifestPath = join(cacheDir, WHEEL_MANIFEST);
  if (!existsSync(manifestPath)) throw new Error(`no Glue dependency wheels in ${cacheDir}: ${fix}`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as WheelManifestEntry[];
  return requirements.map((requirement) => {
    const entry = manifest.find((candidate) => candidate.requirement === requirement.spec);
    if (entry === undefined) throw new Error(`the wheel of ${requirement.spec} is not in ${cacheDir}: ${fix}`);
    const path = join(cacheDir, entry.fileName);
    if (!existsSync(path)) throw new Error(`${path} (${requirement.spec}) is missing: ${fix}`);
    // The digest was computed when the wheel was downloaded (and is re-checked by every glue:wheels
    // run); synth checks the size only, so it does not read tens of megabytes on every run.
    if (statSync(path).size !== entry.bytes) {
      throw new Error(`${path} is not the file downloaded for ${requirement.spec} (size differs from the ${entry.bytes} bytes recorded); delete it and ${fix}`);
    }
    return { requirement, fileName: entry.fileName, path, sha256: entry.sha256 };
  });
}
