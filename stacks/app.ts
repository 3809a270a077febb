/**
 * The cdktf app: one SentinelStack per environment, named after it, so `cdktf diff dev` and
 * `cdktf.out/stacks/dev/cdk.tf.json` refer to the same thing.
 */
import { App } from "cdktf";
import { loadEnvironments } from "./config/environments";
import type { EnvironmentConfig } from "./config/schema";
import { SentinelStack } from "./sentinel-stack";

export interface SentinelAppOptions {
  /**
   * Where synth writes.
   * @default cdktf.out (or CDKTF_OUTDIR, which the cdktf CLI sets)
   */
  readonly outdir?: string;
  /**
   * The environments to build a stack for.
   * @default every environment in stacks/config/environments.ts
   */
  readonly environments?: readonly EnvironmentConfig[];
}

export interface SentinelApp {
  readonly app: App;
  readonly stacks: readonly SentinelStack[];
}

export function buildApp(options: SentinelAppOptions = {}): SentinelApp {
  // Stack traces in construct metadata only slow synth down and make the JSON machine-specific.
  const app = new App({ outdir: options.outdir, stackTraces: false });
  const stacks = (options.environments ?? loadEnvironments()).map((config) => new SentinelStack(app, config.name, { config }));
  return { app, stacks };
}
