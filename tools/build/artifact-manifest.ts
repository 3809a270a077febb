/**
 * build/manifest.json: every artifact `npm run build` made (handler archives, the job's wheel, the
 * dependency wheels it ships, the JVM tokenization jar), each with its path, sha256 and size, and the source files it was built
 * from with their sha256. The build writes it (build-artifacts.ts); synth reads it (stacks/built-artifacts.ts)
 * and refuses an artifact that is missing, altered or built from sources that changed since, naming the
 * artifact and the command that rebuilds it. Synth never builds anything itself.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HandlerName } from "../../contracts/handler-names";

export const BUILD_COMMAND = "npm run build";
/** Relative to the repository root. */
export const BUILD_DIRECTORY = "build";
export const MANIFEST_PATH = join(BUILD_DIRECTORY, "manifest.json");
const FORMAT = 1;

export interface ArtifactRecord {
  /** Relative to the repository root. */
  readonly path: string;
  /** Hex sha256 of the artifact file. */
  readonly sha256: string;
  readonly bytes: number;
  /** Each source file it was built from (relative to the repository root) with its hex sha256. */
  readonly inputs: Readonly<Record<string, string>>;
}

export interface ArtifactManifest {
  readonly format: typeof FORMAT;
  /** By artifact name (see ARTIFACT_NAMES). */
  readonly artifacts: Readonly<Record<string, ArtifactRecord>>;
}

/** How artifacts are named in the manifest. */
export const ARTIFACT_NAMES = {
  handler: (name: HandlerName) => `handler/${name}`,
  jobPackage: "glue/package",
  tokenizationLibrary: "glue/tokenization-jar",
  dependencyWheelPrefix: "glue/dependency/",
} as const;

export function sha256Of(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** `files` (relative to `root`) with their sha256. */
export function hashInputs(root: string, files: readonly string[]): Record<string, string> {
  return Object.fromEntries([...new Set(files)].sort().map((file) => [file, sha256Of(join(root, file))]));
}

export function writeManifest(root: string, artifacts: Readonly<Record<string, ArtifactRecord>>): void {
  const path = join(root, MANIFEST_PATH);
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, `${JSON.stringify({ format: FORMAT, artifacts } satisfies ArtifactManifest, null, 2)}\n`);
  renameSync(partial, path);
}

export class MissingArtifactError extends Error {}

/** The manifest under `root`; throws naming the command when there is none. */
export function readManifest(root: string): ArtifactManifest {
  const path = join(root, MANIFEST_PATH);
  if (!existsSync(path)) throw new MissingArtifactError(`${path} is missing: nothing was built yet. Run \`${BUILD_COMMAND}\` before synth.`);
  const manifest = JSON.parse(readFileSync(path, "utf8")) as ArtifactManifest;
  if (manifest.format !== FORMAT) throw new MissingArtifactError(`${path} has format ${String(manifest.format)}, synth reads ${FORMAT}: run \`${BUILD_COMMAND}\`.`);
  return manifest;
}

/**
 * The artifact named `name`, checked: its file is there with the recorded size, and every source it was
 * built from still has the recorded digest. (The artifact's own digest was taken at build time; checking
 * the size instead keeps synth from reading tens of megabytes of wheels on every run.)
 */
export function verifiedArtifact(root: string, manifest: ArtifactManifest, name: string): ArtifactRecord & { readonly absolutePath: string } {
  const record = manifest.artifacts[name];
  const rebuild = `run \`${BUILD_COMMAND}\``;
  if (record === undefined) throw new MissingArtifactError(`the artifact ${name} is not in ${MANIFEST_PATH}: ${rebuild}`);
  const absolutePath = join(root, record.path);
  if (!existsSync(absolutePath)) throw new MissingArtifactError(`the artifact ${name} (${record.path}) is missing: ${rebuild}`);
  if (statSync(absolutePath).size !== record.bytes) throw new MissingArtifactError(`the artifact ${name} (${record.path}) is not the file the build recorded: ${rebuild}`);
  const changed = Object.entries(record.inputs)
    .filter(([file, digest]) => !existsSync(join(root, file)) || sha256Of(join(root, file)) !== digest)
    .map(([file]) => file);
  if (changed.length > 0) {
    const shown = changed.slice(0, 5).join(", ") + (changed.length > 5 ? ` and ${changed.length - 5} more` : "");
    throw new MissingArtifactError(`the artifact ${name} (${record.path}) is out of date: ${shown} changed since it was built; ${rebuild}`);
  }
  return { ...record, absolutePath };
}
