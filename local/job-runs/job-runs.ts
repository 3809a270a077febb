/**
 * Job runs the local Glue and DataBrew services have accepted: their state, times and outcome, as the
 * services' GetJobRun / DescribeJobRun report them. Every state change is announced to the listener,
 * which turns it into the EventBridge event the real service would emit.
 */
import { randomBytes } from "node:crypto";

export type JobService = "glue" | "databrew";
export type JobRunState = "STARTING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMEOUT";

export interface JobRun {
  readonly service: JobService;
  readonly jobName: string;
  readonly runId: string;
  /** Arguments given to StartJobRun (Glue); empty for DataBrew. */
  readonly arguments: Readonly<Record<string, string>>;
  readonly startedOn: Date;
  state: JobRunState;
  completedOn?: Date;
  errorMessage?: string;
}

export type StateChangeListener = (run: Readonly<JobRun>) => Promise<void>;

const TERMINAL: ReadonlySet<JobRunState> = new Set(["SUCCEEDED", "FAILED", "TIMEOUT"]);

export function isTerminal(state: JobRunState): boolean {
  return TERMINAL.has(state);
}

/** Run ids in each service's format: Glue `jr_` + 64 hex digits, DataBrew `db_` + 64 hex digits. */
function newRunId(service: JobService): string {
  return `${service === "glue" ? "jr" : "db"}_${randomBytes(32).toString("hex")}`;
}

export class JobRuns {
  private readonly runs: JobRun[] = [];
  private readonly listeners: StateChangeListener[] = [];

  onStateChange(listener: StateChangeListener): void {
    this.listeners.push(listener);
  }

  start(service: JobService, jobName: string, args: Readonly<Record<string, string>>, now: Date = new Date()): JobRun {
    const run: JobRun = { service, jobName, runId: newRunId(service), arguments: { ...args }, startedOn: now, state: "STARTING" };
    this.runs.push(run);
    return run;
  }

  find(service: JobService, jobName: string, runId: string): JobRun | undefined {
    return this.runs.find((run) => run.service === service && run.jobName === jobName && run.runId === runId);
  }

  /** Runs of a job, newest first (GetJobRuns / ListJobRuns order). */
  ofJob(service: JobService, jobName: string): JobRun[] {
    return this.runs.filter((run) => run.service === service && run.jobName === jobName).reverse();
  }

  active(service: JobService, jobName: string): number {
    return this.runs.filter((run) => run.service === service && run.jobName === jobName && !isTerminal(run.state)).length;
  }

  /** Runs accepted but not executed yet, in start order. */
  waiting(): JobRun[] {
    return this.runs.filter((run) => run.state === "STARTING");
  }

  async transition(run: JobRun, state: JobRunState, errorMessage?: string, now: Date = new Date()): Promise<void> {
    run.state = state;
    if (isTerminal(state)) run.completedOn = now;
    if (errorMessage !== undefined) run.errorMessage = errorMessage;
    for (const listener of this.listeners) await listener(run);
  }
}

/** Seconds the run took (Glue's ExecutionTime), or so far. */
export function executionSeconds(run: Readonly<JobRun>, now: Date = new Date()): number {
  return Math.round(((run.completedOn ?? now).getTime() - run.startedOn.getTime()) / 1000);
}
