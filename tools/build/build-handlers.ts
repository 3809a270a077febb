/**
 * The Lambda handler bundles: each handler bundled with esbuild into <outDir>/<name>/index.mjs (ESM,
 * tree-shaken, minified, target Node.js 22, the Lambda runtime), the AWS SDK included so the deployed
 * code runs the SDK versions it was tested with. Run by `npm run build` (build-artifacts.ts), which
 * also zips each bundle into its deployment archive.
 */
import { rm, stat, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { HANDLER_NAMES, type HandlerName } from "../../contracts/handler-names";

/** Lambda's handler setting for every bundle: the `handler` export of index.mjs. */
export const HANDLER_ENTRY = "index.handler";

export interface BundleReport {
  readonly name: HandlerName;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The project files bundled into it (relative to the working directory; node_modules left out: package-lock.json pins them). */
  readonly inputs: readonly string[];
}

export async function buildHandlers(outDir = resolve("build/handlers")): Promise<BundleReport[]> {
  const reports: BundleReport[] = [];
  for (const name of HANDLER_NAMES) {
    const file = resolve(outDir, name, "index.mjs");
    await rm(resolve(outDir, name), { recursive: true, force: true });
    const result = await build({
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
      metafile: true,
      logLevel: "warning",
    });
    const bytes = (await stat(file)).size;
    const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.includes("node_modules/"));
    reports.push({ name, file, bytes, gzipBytes: gzipSync(await readFile(file)).length, inputs });
  }
  return reports;
}
