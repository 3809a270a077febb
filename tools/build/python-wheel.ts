/**
 * Builds the transformation package (glue-jobs/sentinel_etl) into a pure-Python wheel, as part of
 * `npm run build` (never at synth), byte for byte reproducible (reproducible-zip.ts): the same sources
 * give the same wheel and the same content hash, so an unchanged package never redeploys, and a
 * changed one always does.
 *
 * The wheel follows the binary distribution format (PEP 427/PEP 376): the package files, and a
 * `.dist-info` with METADATA, WHEEL, top_level.txt and a RECORD of sha256 digests.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { reproducibleZip } from "./reproducible-zip";

export interface PythonWheel {
  /** Absolute path of the built wheel. */
  readonly path: string;
  /** e.g. sentinel_etl-0.1.0-py3-none-any.whl. */
  readonly fileName: string;
  /** Hex sha256 of the wheel file. */
  readonly sha256: string;
  /** The files the wheel was built from (pyproject.toml and the package's files). */
  readonly inputs: readonly string[];
}

export interface WheelSource {
  /** Folder holding pyproject.toml and the package folder, e.g. glue-jobs/. */
  readonly projectDir: string;
  /** The import package to ship, e.g. sentinel_etl. */
  readonly packageName: string;
  /** Where the wheel is written (as `<outputDir>/<fileName>`). */
  readonly outputDir: string;
}

export function buildPythonWheel(source: WheelSource): PythonWheel {
  const project = readProject(source.projectDir);
  const files = packageFiles(join(source.projectDir, source.packageName)).map((absolute) => ({
    absolute,
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
  const entries = [...files.map(({ archivePath, content }) => ({ archivePath, content })), ...metadataFiles.map(([archivePath, text]) => ({ archivePath, content: Buffer.from(text, "utf8") }))];
  const record = [...entries.map(({ archivePath, content }) => `${archivePath},sha256=${recordDigest(content)},${content.length}`), `${distInfo}/RECORD,,`]
    .join("\n")
    .concat("\n");
  entries.push({ archivePath: `${distInfo}/RECORD`, content: Buffer.from(record, "utf8") });

  const path = join(source.outputDir, fileName);
  mkdirSync(source.outputDir, { recursive: true });
  // Write aside, then rename: a synth reading the previous wheel never sees a half-written one.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, reproducibleZip(entries.map(({ archivePath, content }) => ({ archivePath, content: new Uint8Array(content) }))));
  renameSync(partial, path);
  const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex");
  return { path, fileName, sha256, inputs: [join(source.projectDir, "pyproject.toml"), ...files.map((file) => file.absolute)] };
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
