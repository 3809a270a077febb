/**
 * Zip archives that are a pure function of their entries: sorted names, one fixed timestamp and mode,
 * no build-machine details. The same files therefore give the same bytes and the same sha256, so an
 * unchanged artifact never redeploys and a changed one always does. Used for the Lambda deployment
 * archives and the job's wheel.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { zipSync, type Zippable } from "fflate";

/** Zip's earliest representable time: entries carry no build time (local time, as zip stores it). */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const UNIX = 3;
const READABLE_FILE = 0o644 << 16;

export interface ZipEntry {
  /** Path inside the archive, `/`-separated. */
  readonly archivePath: string;
  readonly content: Uint8Array;
}

/** The entries zipped in name order with the fixed time and mode. */
export function reproducibleZip(entries: readonly ZipEntry[]): Uint8Array {
  const zippable: Zippable = {};
  for (const entry of [...entries].sort((left, right) => (left.archivePath < right.archivePath ? -1 : left.archivePath > right.archivePath ? 1 : 0))) {
    zippable[entry.archivePath] = [entry.content, { mtime: FIXED_MTIME, os: UNIX, attrs: READABLE_FILE, level: 9 }];
  }
  return zipSync(zippable);
}

/** Every file under `directory`, relative to it. */
export function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)).split(sep).join("/"));
}

/** The files under `directory`, zipped reproducibly. */
export function archiveOf(directory: string): Uint8Array {
  return reproducibleZip(filesUnder(directory).map((file) => ({ archivePath: file, content: new Uint8Array(readFileSync(join(directory, file))) })));
}
