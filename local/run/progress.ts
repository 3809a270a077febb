/**
 * Step-by-step progress of a pipeline run on the terminal: each step's number and title while it runs,
 * with its elapsed time (a live counter on a terminal, a line every 30 s otherwise), notes under it, and
 * its duration when it ends. The durations are kept for the summary and the report.
 */
import type { StepTiming } from "../report/run-summary";
import type { ComponentWatch } from "../watch/component-watch";

export interface ProgressOutput {
  write(text: string): void;
  readonly isTTY?: boolean;
}

const HEARTBEAT_MS = 30_000;

export class Progress {
  private readonly started = performance.now();
  private readonly steps: StepTiming[] = [];
  private current = 0;
  private live: { title: string; started: number } | undefined;

  /** `watch`: a component dying or Ctrl-C fails the step in flight at once (component-watch.ts). */
  constructor(
    private readonly out: ProgressOutput,
    private readonly total: number,
    private readonly watch?: ComponentWatch,
  ) {}

  get timings(): readonly StepTiming[] {
    return this.steps;
  }

  get elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** A line under the running step. */
  note(text: string): void {
    this.clearLive();
    this.out.write(`      ${text}\n`);
    this.drawLive();
  }

  async step<T>(title: string, work: () => Promise<T>, describe?: (result: T) => string): Promise<T> {
    this.current++;
    const label = `[${this.current}/${this.total}] ${title}`;
    const started = performance.now();
    this.live = { title: label, started };
    const ticker =
      this.out.isTTY === true
        ? setInterval(() => this.drawLive(), 1000)
        : setInterval(() => this.out.write(`    … ${label}: still running (${seconds(started)} s)\n`), HEARTBEAT_MS);
    if (this.out.isTTY === true) this.drawLive();
    else this.out.write(`  ▸ ${label}\n`);
    this.watch?.during(title);
    try {
      const result = await (this.watch === undefined ? work() : this.watch.guard(work()));
      this.finish(label, started, true, describe?.(result));
      return result;
    } catch (error) {
      this.finish(label, started, false, error instanceof Error ? error.message.split("\n")[0] : String(error));
      throw error;
    } finally {
      clearInterval(ticker);
    }
  }

  private finish(label: string, started: number, ok: boolean, detail: string | undefined): void {
    this.clearLive();
    this.live = undefined;
    const duration = (performance.now() - started) / 1000;
    this.steps.push({ title: label.replace(/^\[\d+\/\d+\] /, ""), seconds: duration, ok });
    const suffix = detail === undefined || detail === "" ? "" : `: ${detail}`;
    this.out.write(`  ${ok ? "✓" : "✗"} ${label}${suffix} (${duration.toFixed(1)} s, total ${this.elapsedSeconds.toFixed(1)} s)\n`);
  }

  private drawLive(): void {
    if (this.out.isTTY !== true || this.live === undefined) return;
    this.out.write(`\r\x1b[2K  … ${this.live.title} (${seconds(this.live.started)} s)`);
  }

  private clearLive(): void {
    if (this.out.isTTY === true && this.live !== undefined) this.out.write("\r\x1b[2K");
  }
}

function seconds(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(0);
}
