/**
 * Fast synth: `npm run synth` and cdktf.json's app. Bundles the cdktf app itself (stacks/main.ts and
 * its imports) with esbuild into one CommonJS file and runs it with plain Node; the bundle is rebuilt
 * only when one of its input files changed (size or modification time). It bundles the app only: the
 * deployed artifacts (handler archives, job wheels) are built before, by `npm run build` (which
 * `npm run synth` runs first), and synth fails naming any that is missing or stale.
 *
 * Why not `tsx stacks/main.ts` (which still works): under tsx every module goes through loader
 * hooks, and tsx turns on source-mapped stack traces while cdktf captures a full stack trace for
 * every token it creates; together that made synthesizing the four environments ~3x slower.
 * For mapped stack traces while debugging a synth error: NODE_OPTIONS=--enable-source-maps.
 */
import { buildSync } from "esbuild";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const cacheDir = join(root, "node_modules", ".cache", "sentinel-synth");
const bundle = join(cacheDir, "synth.cjs");
const inputsFile = join(cacheDir, "inputs.json");

function fingerprint(file) {
  try {
    const stat = statSync(join(root, file));
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return "missing";
  }
}

/** Write-then-rename, so a synth running at the same time never reads a half-written bundle. */
function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

function bundleIsFresh() {
  if (!existsSync(bundle) || !existsSync(inputsFile)) return false;
  const recorded = JSON.parse(readFileSync(inputsFile, "utf8"));
  return Object.entries(recorded).every(([file, print]) => fingerprint(file) === print);
}

if (!bundleIsFresh()) {
  mkdirSync(cacheDir, { recursive: true });
  const result = buildSync({
    absWorkingDir: root,
    entryPoints: ["stacks/main.ts"],
    outfile: bundle,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "linked",
    // Maps point at the files on disk; embedding their text would triple the map for nothing.
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: "error",
  });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  // Settings that change the bundle without being one of its inputs.
  const inputs = [...Object.keys(result.metafile.inputs), "tsconfig.json", "package-lock.json", "stacks/synth.mjs"];
  writeAtomically(inputsFile, JSON.stringify(Object.fromEntries(inputs.map((file) => [file, fingerprint(file)]))));
}
createRequire(import.meta.url)(bundle);
