/**
 * The three Lambda deployment archives as PipelineHandlers takes them: built before synth by
 * `npm run build` (tools/build/build-artifacts.ts: esbuild bundles zipped reproducibly, so identical
 * code gives an identical archive and a rebuild without changes deploys nothing), passed in with
 * their digests, as the CDK's asset pattern does. Nothing here builds or reads the archives.
 */
import type { HandlerName } from "../../contracts/handler-names";

export interface HandlerBundle {
  readonly name: HandlerName;
  /** Absolute path of the deployment archive (a zip holding the bundle's entry file). */
  readonly archive: string;
  /** Hex sha256 of the archive, as the build recorded it. */
  readonly sha256: string;
  /** Lambda's handler setting, e.g. index.handler. */
  readonly handler: string;
}

export type HandlerBundles = Readonly<Record<HandlerName, HandlerBundle>>;
