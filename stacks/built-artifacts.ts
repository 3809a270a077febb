/**
 * The artifacts `npm run build` made, read from build/manifest.json for the constructs that deploy
 * them: the handler archives for PipelineHandlers, the job's wheels and tokenization jar for GlueEtl. Each one is checked
 * (present, the size the build recorded, built from today's sources; tools/build/artifact-manifest.ts),
 * so a synth without a build, or after a source changed, fails naming the artifact and `npm run build`.
 * Read once per process: the four environments share them.
 */
import { join } from "node:path";
import { HANDLER_NAMES, type HandlerName } from "../contracts/handler-names";
import type { GlueJobArtifacts } from "../modules/glue/glue-job-assets";
import type { HandlerBundle, HandlerBundles } from "../modules/handlers/handler-bundles";
import { ARTIFACT_NAMES, readManifest, verifiedArtifact } from "../tools/build/artifact-manifest";
import { HANDLER_ENTRY } from "../tools/build/build-handlers";
import { repositoryRoot } from "../tools/build/source-tree";

export interface BuiltArtifacts {
  readonly handlers: HandlerBundles;
  readonly glueJob: GlueJobArtifacts;
}

const read = new Map<string, BuiltArtifacts>();

export function builtArtifacts(root: string = repositoryRoot()): BuiltArtifacts {
  const known = read.get(root);
  if (known !== undefined) return known;
  const manifest = readManifest(root);
  const bundle = (name: HandlerName): HandlerBundle => {
    const artifact = verifiedArtifact(root, manifest, ARTIFACT_NAMES.handler(name));
    return { name, archive: artifact.absolutePath, sha256: artifact.sha256, handler: HANDLER_ENTRY };
  };
  const handlers = Object.fromEntries(HANDLER_NAMES.map((name) => [name, bundle(name)])) as Record<HandlerName, HandlerBundle>;
  const jobPackage = verifiedArtifact(root, manifest, ARTIFACT_NAMES.jobPackage);
  const tokenizationLibrary = verifiedArtifact(root, manifest, ARTIFACT_NAMES.tokenizationLibrary);
  const dependencyWheels = Object.keys(manifest.artifacts)
    .filter((name) => name.startsWith(ARTIFACT_NAMES.dependencyWheelPrefix))
    .map((name) => {
      const wheel = verifiedArtifact(root, manifest, name);
      return { path: wheel.absolutePath, sha256: wheel.sha256, requirement: name.slice(ARTIFACT_NAMES.dependencyWheelPrefix.length) };
    });
  const artifacts: BuiltArtifacts = {
    handlers,
    glueJob: {
      glueJobsDir: join(root, "glue-jobs"),
      jobPackage: { path: jobPackage.absolutePath, sha256: jobPackage.sha256 },
      dependencyWheels,
      tokenizationLibrary: { path: tokenizationLibrary.absolutePath, sha256: tokenizationLibrary.sha256 },
    },
  };
  read.set(root, artifacts);
  return artifacts;
}
