/**
 * Where the Glue job's sources are read from at synth. Paths are resolved from the directory holding
 * cdktf.json (the repository root), the same base TerraformAsset uses, so synth works from the cdktf
 * CLI, the npm scripts and the bundled synth alike.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

let root: string | undefined;

/** The repository root: the nearest directory at or above the working directory with a cdktf.json. */
export function repositoryRoot(): string {
  if (root !== undefined) return root;
  let directory = process.cwd();
  while (!existsSync(join(directory, "cdktf.json"))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no cdktf.json at or above ${process.cwd()}: run synth from the Sentinel repository`);
    directory = parent;
  }
  root = directory;
  return root;
}

/** glue-jobs/ of this repository: job scripts, the sentinel_etl package, profiles, reference data. */
export function defaultGlueJobsDir(): string {
  return resolve(repositoryRoot(), "glue-jobs");
}

/** The file name of the JVM tokenization library tools/build/jvm.sh builds (glue-jobs/jvm's artifact). */
export const TOKENIZATION_JAR = "sentinel-tokenization.jar";

/** The JVM tokenization library tools/build/jvm.sh builds (git-ignored), with its SHA-256 beside it. */
export function defaultTokenizationJar(): string {
  return resolve(repositoryRoot(), "build", "jvm", TOKENIZATION_JAR);
}

/** Git-ignored folder where `npm run glue:wheels` keeps the dependency wheels it downloaded. */
export function defaultWheelCacheDir(): string {
  return resolve(repositoryRoot(), "build", "glue-wheels");
}
