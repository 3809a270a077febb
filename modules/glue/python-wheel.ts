/**
 * Builds the transformation package (glue-jobs/sentinel_etl) into a pure-Python wheel at synth, byte
 * for byte reproducible: entries sorted, one fixed timestamp and mode, no build-machine details. The
 * same sources therefore give the same wheel and the same content hash, so an unchanged package never
 * redeploys, and a changed one always does.
 *
 * The wheel follows the binary distribution format (PEP 427/PEP 376): the package files, and a
 * `.dist-info` with METADATA, WHEEL, top_level.txt and a RECORD of sha256 digests.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { zipSync, type Zippable } from "fflate";

export interface PythonWheel {
  /** Absolute path of the built wheel. */
  readonly path: string;
  /** e.g. sentinel_etl-0.1.0-py3-none-any.whl. */
  readonly fileName: string;
  /** Hex sha256 of the wheel file. */
  readonly sha256: string;
}

export interface WheelSource {
  /** Folder holding pyproject.toml and the package folder, e.g. glue-jobs/. */
  readonly projectDir: string;
  /** The import package to ship, e.g. sentinel_etl. */
  readonly packageName: string;
  /** Where built wheels are kept (one sub-folder per content of the wheel). */
  readonly outputDir: string;
}

/** DOS timestamps start in 1980; every entry gets this one (local time, as zip stores it). */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o644 << 16;
const UNIX = 3;
/** Changes whenever the way entries become a zip changes, so cached wheels are not reused across it. */
const WHEEL_FORMAT = "sentinel-wheel-1:fflate-level-9";

const built = new Map<string, PythonWheel>();

export function buildPythonWheel(source: WheelSource): PythonWheel {
  const project = readProject(source.projectDir);
  const files = packageFiles(join(source.projectDir, source.packageName)).map((absolute) => ({
    archivePath: relative(source.projectDir, absolute).split(sep).join("/"),
    content: readFileSync(absolute),
  }));
  const distribution = project.name.replace(/[-_.]+/g, "_");
  const fileName = `${distribution}-${project.version}-py3-none-any.whl`;
  const distInfo = `${distribution}-${project.version}.dist-info`;
  const metadataFiles: Array<[string, string]> = [
    [`${distInfo}/METADATA`, metadata(project)],
    [`${distInfo}/WHEEL`, "Wheel-Version: 1.0\nGenerator: sentinel-synth\nRoot-Is-Purelib: true\nTag: py3-none-any\n"],
    [`${distInfo}/top_level.txt`, `${source.packageName}\n`],
  ];
  const entries = [...files, ...metadataFiles.map(([archivePath, text]) => ({ archivePath, content: Buffer.from(text, "utf8") }))];
  const record = [...entries.map(({ archivePath, content }) => `${archivePath},sha256=${recordDigest(content)},${content.length}`), `${distInfo}/RECORD,,`]
    .join("\n")
    .concat("\n");
  entries.push({ archivePath: `${distInfo}/RECORD`, content: Buffer.from(record, "utf8") });

  // The wheel is a pure function of its entries: a wheel built from the same entries before (by this
  // process or an earlier synth) is reused instead of compressed again.
  const key = createHash("sha256").update(WHEEL_FORMAT);
  for (const entry of entries) key.update(entry.archivePath).update("\0").update(entry.content).update("\0");
  const contentKey = key.digest("hex");
  const known = built.get(contentKey);
  if (known !== undefined && existsSync(known.path)) return known;

  const path = join(source.outputDir, contentKey.slice(0, 16), fileName);
  if (!existsSync(path)) {
    const zippable: Zippable = {};
    for (const entry of [...entries].sort((left, right) => (left.archivePath < right.archivePath ? -1 : 1))) {
      zippable[entry.archivePath] = [new Uint8Array(entry.content), { mtime: FIXED_MTIME, os: UNIX, attrs: FILE_MODE, level: 9 }];
    }
    mkdirSync(dirname(path), { recursive: true });
    // Parallel synths (test workers) may build the same wheel: write aside, then rename into place.
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, zipSync(zippable));
    renameSync(partial, path);
  }
  const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex");
  const result = { path, fileName, sha256 };
  built.set(contentKey, result);
  return result;
}

interface PythonProject {
  readonly name: string;
  readonly version: string;
  readonly summary: string;
  readonly requiresPython: string | undefined;
}

/** The [project] table's name, version, description and requires-python from pyproject.toml. */
function readProject(projectDir: string): PythonProject {
  const path = join(projectDir, "pyproject.toml");
  const text = readFileSync(path, "utf8");
  const section = /^\[project\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text)?.[1];
  if (section === undefined) throw new Error(`${path} has no [project] table`);
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*=\\s*"([^"]*)"\\s*$`, "m").exec(section)?.[1];
  const name = field("name");
  const version = field("version");
  if (name === undefined || version === undefined) throw new Error(`${path}: [project] needs a quoted name and version`);
  if (!/^[0-9]+(\.[0-9]+)*$/.test(version)) throw new Error(`${path}: version "${version}" must be a plain release number like 0.1.0`);
  return { name, version, summary: field("description") ?? "", requiresPython: field("requires-python") };
}

function metadata(project: PythonProject): string {
  const lines = ["Metadata-Version: 2.1", `Name: ${project.name}`, `Version: ${project.version}`, `Summary: ${project.summary}`];
  if (project.requiresPython !== undefined) lines.push(`Requires-Python: ${project.requiresPython}`);
  return `${lines.join("\n")}\n`;
}

/** Every file of the package except bytecode caches and hidden files, sorted. */
function packageFiles(folder: string): string[] {
  if (!statSync(folder).isDirectory()) throw new Error(`${folder} is not a package folder`);
  const found: string[] = [];
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory).sort()) {
      if (name.startsWith(".") || name === "__pycache__" || name.endsWith(".pyc")) continue;
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(path);
    }
  };
  walk(folder);
  if (!found.some((path) => path.endsWith("__init__.py"))) throw new Error(`${folder} has no __init__.py: not an importable package`);
  return found;
}

/** RECORD digests are urlsafe base64 without padding (PEP 376 as amended by PEP 427). */
function recordDigest(content: Buffer): string {
  return createHash("sha256").update(content).digest("base64url");
}
