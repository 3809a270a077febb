/**
 * The frame of the Terraform commands that run against the AWS emulator (`tf:plan`, `tf:apply-local`):
 * synthesize unless told not to, find the environment's stack, start the emulator, run the work, and
 * stop the emulator whatever happens; a failure exits non-zero through `runCommand`.
 */
import { startEmulator, type Emulator } from "../../local/emulator/emulator";
import { OUT_DIR, PROJECT_ROOT, WORK_ROOT, openTerraform, runCommand } from "./session";
import { findStack, synthesize, type SynthesizedStack } from "./stacks";
import type { Terraform } from "./terraform";

export interface EmulatorCommandOptions {
  /** Environment (stack) name. */
  readonly env: string;
  /** Use cdktf.out as it is. */
  readonly skipSynth: boolean;
}

export interface EmulatorSession {
  readonly terraform: Terraform;
  readonly stack: SynthesizedStack;
  readonly emulator: Emulator;
  /** Where Terraform's working copies go. */
  readonly workRoot: string;
}

export function runEmulatorCommand(
  command: string,
  options: EmulatorCommandOptions,
  work: (session: EmulatorSession) => Promise<void>,
): void {
  runCommand(command, async () => {
    const terraform = openTerraform(command);
    if (!options.skipSynth) synthesize(PROJECT_ROOT);
    const stack = findStack(OUT_DIR, options.env);
    const emulator = await startEmulator({ projectRoot: PROJECT_ROOT });
    try {
      await work({ terraform, stack, emulator, workRoot: WORK_ROOT });
    } finally {
      await emulator.stop();
    }
  });
}
