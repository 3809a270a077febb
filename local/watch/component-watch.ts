/**
 * What ends a local run at once: one of its components dying (the local AWS emulator, the Spark driver of a
 * Glue run, a Lambda execution environment) or the user pressing Ctrl-C. Without it a dead emulator surfaced
 * minutes later as SDK deserialization errors, and a killed driver as a timeout. Each component is watched
 * from start to its own stop(); an exit the platform did not ask for rejects `failure`, which every progress
 * step races against, so the step in flight fails naming what died, when, and during which step.
 */
import type { ChildProcess } from "node:child_process";

/** A watched component's exit that nobody asked for. */
export class ComponentExited extends Error {
  constructor(
    readonly component: string,
    readonly pid: number | undefined,
    readonly exit: string,
    readonly during: string,
    readonly at: Date,
  ) {
    super(`${component} (pid ${pid ?? "?"}) ${exit} during "${during}" at ${at.toISOString().slice(11, 19)} UTC`);
    this.name = "ComponentExited";
  }
}

/** Ctrl-C (SIGINT) or SIGTERM while a run was in progress. */
export class RunInterrupted extends Error {
  constructor(
    readonly signal: NodeJS.Signals,
    readonly during: string,
  ) {
    super(`interrupted by ${signal === "SIGINT" ? "Ctrl-C (SIGINT)" : signal} during "${during}"`);
    this.name = "RunInterrupted";
  }
}

export interface WatchedComponent {
  readonly component: string;
  readonly pid: number | undefined;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `was killed by ${signal}`;
  return `exited with code ${code ?? "?"}`;
}

export class ComponentWatch {
  /** Rejects with the first ComponentExited or RunInterrupted; never resolves. */
  readonly failure: Promise<never>;
  private rejectFailure!: (error: Error) => void;
  private ended: Error | undefined;
  private step = "start-up";
  private readonly live = new Map<ChildProcess, WatchedComponent>();

  constructor(private readonly now: () => Date = () => new Date()) {
    this.failure = new Promise<never>((_, reject) => {
      this.rejectFailure = reject;
    });
    // observed through guard(); an unobserved rejection must not crash the process
    this.failure.catch(() => undefined);
  }

  /** The error that ended the run, if one did. */
  get error(): Error | undefined {
    return this.ended;
  }

  /** Components running now. */
  get components(): readonly WatchedComponent[] {
    return [...this.live.values()];
  }

  /** Names the step in progress, for the message of a failure during it. */
  during(step: string): void {
    this.step = step;
  }

  /**
   * Watches `child` until it exits. `expected(code, signal)` tells whether the exit is one the platform expects:
   * it asked the component to stop (its own stop(), a timeout it enforces), or the component ends by itself when its
   * work is done; any other exit ends the run.
   */
  watch(component: string, child: ChildProcess, expected: (code: number | null, signal: NodeJS.Signals | null) => boolean): void {
    this.live.set(child, { component, pid: child.pid });
    child.once("exit", (code, signal) => {
      this.live.delete(child);
      if (expected(code, signal)) return;
      this.fail(new ComponentExited(component, child.pid, describeExit(code, signal), this.step, this.now()));
    });
  }

  interrupt(signal: NodeJS.Signals): void {
    this.fail(new RunInterrupted(signal, this.step));
  }

  /** `work`, unless a component dies or the run is interrupted first. */
  guard<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.failure]);
  }

  private fail(error: Error): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    this.rejectFailure(error);
  }
}
