/**
 * Provisioning for the local pipeline (`npm start`): applies the `local` environment to an already running emulator
 * with Terraform and the real provider, and hands back the stack's outputs. The caller owns the emulator.
 */
import type { EmulatorAddress } from "./emulator-override";
import type { ExcludedResource } from "./local-exclusions";
import { applyToEmulator, destroyFromEmulator } from "./operations";
import { OUT_DIR, PROJECT_ROOT, WORK_ROOT, openTerraform } from "./session";
import { findStack, synthesize } from "./stacks";

export interface LocalEnvironment {
  /** `terraform output -json` of the applied stack, name -> value. */
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Resources left out (local-exclusions.ts: LOCAL_APPLY_EXCLUSIONS, empty today). */
  readonly excluded: readonly ExcludedResource[];
  /** `terraform destroy` of everything applied; resolves to the resources left in the state (0 when clean). */
  teardown(): Promise<number>;
}

export interface ProvisionOptions {
  /** Environment (stack) name; default "local". */
  readonly env?: string;
  /** Run the project's synth first; default true. */
  readonly synth?: boolean;
}

export async function provisionLocalEnvironment(emulator: EmulatorAddress, options: ProvisionOptions = {}): Promise<LocalEnvironment> {
  const terraform = openTerraform("provision-local");
  if (options.synth ?? true) synthesize(PROJECT_ROOT);
  const stack = findStack(OUT_DIR, options.env ?? "local");
  // the same scope as tf:apply-local (LOCAL_APPLY_EXCLUSIONS, empty): npm start's pipeline runs under every resource, bucket policies included
  const applied = await applyToEmulator(terraform, stack, WORK_ROOT, emulator);
  return {
    outputs: applied.outputs,
    excluded: applied.scope.excluded,
    teardown: async () => (await destroyFromEmulator(terraform, applied, emulator)).left,
  };
}
