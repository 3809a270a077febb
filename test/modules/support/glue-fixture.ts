/**
 * A module-test stack with the foundation constructs, the Glue half and the DataBrew half, built from
 * a private copy of glue-jobs/ plus a stand-in dependency wheel, so tests can change a source file,
 * build (as `npm run build` does: the package wheel) and synthesize again without touching the
 * repository or downloading anything.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TerraformStack } from "cdktf";
import { PiiProfiling, piiProfileNames } from "../../../modules/databrew/pii-profiling";
import type { PlatformKeys } from "../../../modules/encryption/platform-keys";
import { loadDatasetProfiles } from "../../../contracts/dataset-profiles";
import { GlueEtl } from "../../../modules/glue/glue-etl";
import type { GlueJobArtifacts } from "../../../modules/glue/glue-job-assets";
import { JOB_PACKAGE } from "../../../tools/build/build-artifacts";
import { REQUIREMENTS_FILE, WHEEL_MANIFEST, resolveDependencyWheels } from "../../../tools/build/dependency-wheels";
import { buildPythonWheel } from "../../../tools/build/python-wheel";
import { TOKENIZATION_JAR, defaultGlueJobsDir } from "../../../tools/build/source-tree";
import type { PlatformBuckets } from "../../../modules/storage/platform-buckets";
import { foundation } from "./foundation-fixture";
import { TEST_ACCOUNT, testStack } from "./test-stack";

export const FIXTURE_PREFIX = "sentinel-test";
/** The stand-in dependency the fixture's requirements-glue.txt lists. */
export const FIXTURE_REQUIREMENT = "example-dependency==1.0.0";
export const FIXTURE_WHEEL = "example_dependency-1.0.0-py3-none-any.whl";
/** Stands in for the monitoring module's alarm topic. */
export const FIXTURE_TOPIC = "arn:aws:sns:eu-central-2:111122223333:sentinel-test-alarms";

export interface GlueSources {
  readonly glueJobsDir: string;
  /** Stands in for build/glue-wheels. */
  readonly wheelCacheDir: string;
  /** Stands in for build/. */
  readonly buildDir: string;
}

/** A copy of glue-jobs/ (sources only) with its own requirements file and wheel cache. */
export function glueSourcesFixture(): GlueSources {
  const root = mkdtempSync(join(tmpdir(), "sentinel-glue-sources-"));
  const glueJobsDir = join(root, "glue-jobs");
  const skip = (path: string) => /(__pycache__|\.pyc$|\.egg-info|\.pytest_cache|\/tests(\/|$)|\/benchmarks(\/|$)|\/jvm(\/|$))/.test(path);
  cpSync(defaultGlueJobsDir(), glueJobsDir, { recursive: true, filter: (source) => !skip(source) });
  writeFileSync(join(glueJobsDir, REQUIREMENTS_FILE), `# stand-in for the job's real dependencies\n${FIXTURE_REQUIREMENT}\n`);
  const wheelCacheDir = join(root, "wheels");
  mkdirSync(wheelCacheDir);
  const wheel = Buffer.from("stand-in wheel content");
  writeFileSync(join(wheelCacheDir, FIXTURE_WHEEL), wheel);
  const manifest = [
    {
      requirement: FIXTURE_REQUIREMENT,
      fileName: FIXTURE_WHEEL,
      sha256: createHash("sha256").update(wheel).digest("hex"),
      bytes: wheel.length,
    },
  ];
  writeFileSync(join(wheelCacheDir, WHEEL_MANIFEST), JSON.stringify(manifest));
  return { glueJobsDir, wheelCacheDir, buildDir: join(root, "build") };
}

export interface GlueFixture {
  readonly stack: TerraformStack;
  readonly buckets: PlatformBuckets;
  readonly keys: PlatformKeys;
  readonly glue: GlueEtl;
  readonly databrew: PiiProfiling;
}

export const FIXTURE_SETTINGS = {
  glue: { workerType: "G.1X", numberOfWorkers: 3, timeoutMinutes: 45, maxRetries: 1, defaultProfile: "card-transactions" },
  databrew: { nodeCount: 2, timeoutMinutes: 30, maxRetries: 0, sampleRows: 20_000, maxFiles: 10 },
} as const;

/** The fixture's artifacts as `npm run build` makes them: the package wheel built from the sources as they are now,
 * and a stand-in tokenization jar. */
export function builtFixtureArtifacts(sources: GlueSources): GlueJobArtifacts {
  const wheel = buildPythonWheel({ projectDir: sources.glueJobsDir, packageName: JOB_PACKAGE, outputDir: join(sources.buildDir, "glue") });
  const jar = join(sources.buildDir, "jvm", TOKENIZATION_JAR);
  mkdirSync(join(sources.buildDir, "jvm"), { recursive: true });
  writeFileSync(jar, "stand-in jar content");
  return {
    tokenizationLibrary: { path: jar, sha256: createHash("sha256").update("stand-in jar content").digest("hex") },
    glueJobsDir: sources.glueJobsDir,
    jobPackage: { path: wheel.path, sha256: wheel.sha256 },
    dependencyWheels: resolveDependencyWheels(join(sources.glueJobsDir, REQUIREMENTS_FILE), sources.wheelCacheDir).map((dependency) => ({
      path: dependency.path,
      sha256: dependency.sha256,
      requirement: dependency.requirement.name,
    })),
  };
}

export function glueFixture(sources: GlueSources = glueSourcesFixture()): GlueFixture {
  const stack = testStack();
  const account = TEST_ACCOUNT;
  const { keys, logGroups, buckets, network } = foundation(stack, FIXTURE_PREFIX, 1);
  const profiles = loadDatasetProfiles(sources.glueJobsDir);
  const databrewJobNames = profiles.map((profile) => piiProfileNames(FIXTURE_PREFIX, profile.name).jobName);
  const glue = new GlueEtl(stack, "glue", {
    namePrefix: FIXTURE_PREFIX,
    environment: "test",
    account,
    settings: FIXTURE_SETTINGS.glue,
    buckets,
    keys,
    logGroups,
    network,
    profiles,
    lineageNamespace: "sentinel-test",
    otherLineageJobNames: databrewJobNames,
    artifacts: builtFixtureArtifacts(sources),
  });
  const databrew = new PiiProfiling(stack, "databrew", {
    namePrefix: FIXTURE_PREFIX,
    account,
    profiles,
    layout: glue.layout,
    rawBucket: buckets.raw,
    dataKey: keys.data,
    logGroups,
    logsKey: keys.logs,
    settings: FIXTURE_SETTINGS.databrew,
    stackEventsTopicArn: FIXTURE_TOPIC,
  });
  return { stack, buckets, keys, glue, databrew };
}
