/**
 * `npm run build:handlers`: bundles each Lambda handler with esbuild into dist/handlers/<name>/index.mjs
 * (ESM, tree-shaken, minified, target Node.js 22, the Lambda runtime), the AWS SDK included so the
 * deployed code runs the SDK versions it was tested with. Prints each bundle's size.
 */
import { rm, stat, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { HANDLER_NAMES, type HandlerName } from "../../contracts/handler-names";


export interface BundleReport {
  readonly name: HandlerName;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export async function buildHandlers(outDir = resolve("dist/handlers")): Promise<BundleReport[]> {
  const reports: BundleReport[] = [];
  for (const name of HANDLER_NAMES) {
    const file = resolve(outDir, name, "index.mjs");
    await rm(resolve(outDir, name), { recursive: true, force: true });
    await build({
      entryPoints: [resolve("handlers", name, "handler.ts")],
      outfile: file,
      bundle: true,
      minify: true,
      treeShaking: true,
      platform: "node",
      target: "node22",
      format: "esm",
      // prefer the SDK's ES module builds, which tree-shake
      mainFields: ["module", "main"],
      legalComments: "none",
      // CommonJS dependencies inside an ES module bundle still call require() for Node built-ins
      banner: { js: 'import { createRequire as __sentinelCreateRequire } from "node:module"; const require = __sentinelCreateRequire(import.meta.url);' },
      logLevel: "warning",
    });
    const bytes = (await stat(file)).size;
    reports.push({ name, file, bytes, gzipBytes: gzipSync(await readFile(file)).length });
  }
  return reports;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const started = performance.now();
  const reports = await buildHandlers();
  for (const report of reports) {
    console.log(`${report.name.padEnd(8)} ${kib(report.bytes).padStart(11)} (gzip ${kib(report.gzipBytes)})  ${report.file}`);
  }
  console.log(`built ${reports.length} handlers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
