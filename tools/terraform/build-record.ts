/**
 * What the build scripts write next to every binary they build (its sha256 and how long and how much memory the
 * build took), and the check that a cached binary is still the one that was built.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One binary built from a Go module at a pinned module version. */
export interface GoModuleBuild {
  /** Go module path, e.g. github.com/opentofu/opentofu. */
  readonly module: string;
  /** Module version as the Go module proxy serves it (a tag or a pseudo-version). */
  readonly moduleVersion: string;
  /** Package inside the module holding `main`, relative to the module root. */
  readonly mainPackage: string;
  /** Version label of the built binary. */
  readonly version: string;
  /** `-X importpath.name=value` linker assignment that stamps the version, as the project's own release does. */
  readonly versionStamp: string;
  /** File name of the built binary. */
  readonly binaryName: string;
}

export interface BinaryLocation {
  readonly path: string;
  readonly dir: string;
  /** The build record's path (not always next to the binary: a provider mirror directory must hold the binary alone). */
  readonly recordPath: string;
}

export interface BuildRecord {
  readonly module: string;
  readonly moduleVersion: string;
  /** go.sum hash of the module zip, from `go mod download -json`. */
  readonly moduleSum: string;
  readonly version: string;
  readonly goVersion: string;
  readonly sha256: string;
  readonly binaryBytes: number;
  readonly builtAt: string;
  readonly wallSeconds: number;
  /** Peak resident set size of the build in KiB, and its CPU time (GNU time); null when GNU time is not installed. */
  readonly maxRssKiB: number | null;
  readonly userSeconds: number | null;
  readonly systemSeconds: number | null;
  /** The go build command line, with the source directory and output shown symbolically. */
  readonly command: string;
  /** Service packages compiled in (the slim provider build only). */
  readonly services?: readonly string[];
}

export const BUILD_RECORD_FILE = "build-record.json";

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export function readBuildRecord(location: BinaryLocation): BuildRecord {
  return JSON.parse(readFileSync(location.recordPath, "utf8")) as BuildRecord;
}

/**
 * A cached binary is usable when its build record names the declared module version and its bytes still hash to what
 * the build wrote: a half-written or swapped file is treated as absent. Returns why not, or null.
 */
export function checkCachedBinary(build: GoModuleBuild, location: BinaryLocation): string | null {
  if (!existsSync(location.path) || !existsSync(location.recordPath)) return `${build.version} is not built (expected ${location.path})`;
  const record = readBuildRecord(location);
  if (record.moduleVersion !== build.moduleVersion)
    return `${location.path} was built from ${record.moduleVersion}, not the declared ${build.moduleVersion}`;
  if (record.version !== build.version) return `${location.path} is labelled ${record.version}, not the declared ${build.version}`;
  if (sha256File(location.path) !== record.sha256) return `${location.path} does not match the sha256 in its build record`;
  return null;
}

export function recordPathIn(dir: string): string {
  return join(dir, BUILD_RECORD_FILE);
}
