/**
 * The three Lambda bundles, as `npm run build:handlers` (esbuild, see handlers/) writes them to
 * `dist/handlers/<name>/`, each packed into a deployment archive `dist/handlers/<name>.zip`.
 * Synth must not depend on someone having run the build: the bundles are rebuilt, once per process,
 * whenever the handler sources, the build script or the lockfile differ from the ones the last
 * build saw (a content hash recorded next to the bundles). Concurrent synths (parallel test
 * workers) take turns through a lock directory instead of writing the same files.
 *
 * The archives are zipped here, reproducibly (sorted entries, fixed timestamps and modes), rather
 * than by a TerraformAsset of type ARCHIVE: cdktf zips those by re-running `node <its own module>`,
 * which inside the bundled synth (stacks/synth.mjs) re-runs the whole synth, and costs a process per
 * function per stack even where it works. Identical code gives an identical archive, so a rebuild
 * without changes deploys nothing.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { zipSync, type Zippable } from "fflate";

import { HANDLER_NAMES, type HandlerName } from "../../contracts/handler-names";

export { HANDLER_NAMES, type HandlerName };

export interface HandlerBundle {
  readonly name: HandlerName;
  /** Absolute path of the bundle directory. */
  readonly directory: string;
  /** Absolute path of the deployment archive (the directory's files, zipped reproducibly). */
  readonly archive: string;
  /** Lambda's handler setting, e.g. index.handler. */
  readonly handler: string;
}

export type HandlerBundles = Readonly<Record<HandlerName, HandlerBundle>>;

/** What the build reads besides handlers/: a change to any of these changes the bundles. */
const BUILD_INPUTS = ["package-lock.json", "tsconfig.json", "tools/build/build-handlers.ts"];
const SOURCE_DIRECTORY = "handlers";
const OUTPUT_DIRECTORY = join("dist", "handlers");
const STAMP_FILE = ".sources.sha256";
const ENTRY_FILES = ["index.mjs", "index.js", "index.cjs"];
/** A lock older than this is left over from a killed build. */
const STALE_LOCK_MS = 180_000;
/** Zip's earliest representable time: entries carry no build time. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const UNIX = 3;
const READABLE_FILE = 0o644 << 16;

const verified = new Map<string, HandlerBundles>();

/** The bundles, built first if missing or out of date; checked once per process. */
export function handlerBundles(root: string = projectRoot()): HandlerBundles {
  const known = verified.get(root);
  if (known !== undefined) return known;
  const { bundles } = ensureHandlerBundles(root);
  verified.set(root, bundles);
  return bundles;
}

/** Builds the bundles when the sources differ from those of the last build; says whether it did. */
export function ensureHandlerBundles(root: string): { readonly bundles: HandlerBundles; readonly rebuilt: boolean } {
  const sourceHash = hashSources(root);
  const rebuilt = !isBuiltFrom(root, sourceHash) && buildUnderLock(root, sourceHash);
  return { bundles: locateBundles(join(root, OUTPUT_DIRECTORY)), rebuilt };
}

/**
 * Bundles already built in `outputDirectory`, archived if their archive is missing (no freshness
 * check of the sources: tests use it with fixture bundles).
 */
export function locateBundles(outputDirectory: string): HandlerBundles {
  const bundle = (name: HandlerName): HandlerBundle => {
    const directory = join(outputDirectory, name);
    const entry = ENTRY_FILES.find((file) => existsSync(join(directory, file)));
    if (entry === undefined) {
      throw new Error(`handler bundle ${directory} has none of ${ENTRY_FILES.join(", ")}; run npm run build:handlers and read its errors`);
    }
    const archive = `${directory}.zip`;
    if (!existsSync(archive)) writeFileSync(archive, archiveOf(directory));
    return { name, directory, archive, handler: `${entry.replace(/\.[cm]?js$/, "")}.handler` };
  };
  return { trigger: bundle("trigger"), lineage: bundle("lineage"), audit: bundle("audit") };
}

/** The directory holding cdktf.json, found from the working directory as cdktf itself does. */
export function projectRoot(start: string = process.cwd()): string {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, "cdktf.json"))) return directory;
    if (dirname(directory) === directory) throw new Error(`no cdktf.json in ${start} or above: run synth from the repository`);
  }
}

function hashSources(root: string): string {
  const hash = createHash("sha256");
  const files = [...listFiles(root, SOURCE_DIRECTORY), ...BUILD_INPUTS.filter((file) => existsSync(join(root, file)))];
  for (const file of files.sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
  }
  return hash.digest("hex");
}

function listFiles(root: string, directory: string): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? listFiles(root, path) : [relative(root, join(root, path))];
  });
}

function isBuiltFrom(root: string, sourceHash: string): boolean {
  const stamp = join(root, OUTPUT_DIRECTORY, STAMP_FILE);
  return existsSync(stamp) && readFileSync(stamp, "utf8").trim() === sourceHash;
}

/** false when another process finished the same build while this one waited for the lock. */
function buildUnderLock(root: string, sourceHash: string): boolean {
  const lock = join(root, "node_modules", ".cache", "sentinel-handler-build.lock");
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (isBuiltFrom(root, sourceHash)) return false;
    process.stderr.write("[synth] handler bundles are missing or out of date: npm run build:handlers\n");
    execFileSync("npm", ["run", "--silent", "build:handlers"], { cwd: root, stdio: ["ignore", process.stderr, process.stderr] });
    for (const name of HANDLER_NAMES) {
      const directory = join(root, OUTPUT_DIRECTORY, name);
      writeFileSync(`${directory}.zip`, archiveOf(directory));
    }
    writeFileSync(join(root, OUTPUT_DIRECTORY, STAMP_FILE), `${sourceHash}\n`);
    return true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The files under `directory`, zipped with sorted entries, a fixed time and fixed modes. */
export function archiveOf(directory: string): Uint8Array {
  const zippable: Zippable = {};
  for (const file of listFiles(directory, ".").sort()) {
    zippable[file] = [new Uint8Array(readFileSync(join(directory, file))), { mtime: FIXED_MTIME, os: UNIX, attrs: READABLE_FILE, level: 9 }];
  }
  return zipSync(zippable);
}
