/**
 * The job-run half of the Glue API, served locally: StartJobRun, GetJobRun, GetJobRuns. The emulator
 * completes every Glue run the moment it starts, without running anything; here a run is queued for
 * the local job runner and reports its real state, times and error. Job definitions stay in the
 * emulator, where Terraform created them; everything else of the Glue API (catalog, jobs) goes there.
 */
import type { Job } from "@aws-sdk/client-glue";
import { epochSeconds, json11, json11Error, type ApiResponse } from "./api-response";
import { executionSeconds, type JobRun, type JobRuns } from "../job-runs/job-runs";

/** DPUs per worker of each Glue worker type (AWS Glue pricing and worker-type docs). */
export const DPU_PER_WORKER: Readonly<Record<string, number>> = { "G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8, Standard: 1 };

export const GLUE_RUN_OPERATIONS = ["StartJobRun", "GetJobRun", "GetJobRuns"] as const;
type GlueRunOperation = (typeof GLUE_RUN_OPERATIONS)[number];

export type JobLookup = (jobName: string) => Promise<Job | undefined>;

/** The arguments a run executes with: the job's defaults overridden by the run's own (Glue's merge). */
export function effectiveArguments(job: Job, run: Pick<JobRun, "arguments">): Record<string, string> {
  return { ...(job.DefaultArguments ?? {}), ...run.arguments, ...(job.NonOverridableArguments ?? {}) };
}

export class GlueRunApi {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly runs: JobRuns,
    private readonly lookupJob: JobLookup,
  ) {}

  static handles(operation: string): operation is GlueRunOperation {
    return (GLUE_RUN_OPERATIONS as readonly string[]).includes(operation);
  }

  /** The definition a run was started with (read from the emulator at StartJobRun). */
  jobOf(run: Pick<JobRun, "jobName">): Job {
    const job = this.jobs.get(run.jobName);
    if (job === undefined) throw new Error(`no Glue job definition recorded for ${run.jobName}`);
    return job;
  }

  async handle(operation: GlueRunOperation, input: Record<string, unknown>): Promise<ApiResponse> {
    const jobName = typeof input.JobName === "string" ? input.JobName : undefined;
    if (jobName === undefined) return json11Error(400, "InvalidInputException", "JobName is required");
    switch (operation) {
      case "StartJobRun":
        return this.startJobRun(jobName, (input.Arguments ?? {}) as Record<string, string>);
      case "GetJobRun": {
        const run = this.runs.find("glue", jobName, String(input.RunId));
        if (run === undefined)
          return json11Error(400, "EntityNotFoundException", `Job run ${String(input.RunId)} of job ${jobName} not found`);
        return json11(200, { JobRun: this.describe(run) });
      }
      case "GetJobRuns": {
        const all = this.runs.ofJob("glue", jobName);
        const start = Number(input.NextToken ?? 0);
        const size = Number(input.MaxResults ?? 100);
        const page = all.slice(start, start + size);
        return json11(200, {
          JobRuns: page.map((run) => this.describe(run)),
          ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
        });
      }
    }
  }

  private async startJobRun(jobName: string, args: Record<string, string>): Promise<ApiResponse> {
    const job = await this.lookupJob(jobName);
    if (job === undefined) return json11Error(400, "EntityNotFoundException", `Job ${jobName} not found`);
    const limit = job.ExecutionProperty?.MaxConcurrentRuns ?? 1;
    if (this.runs.active("glue", jobName) >= limit) {
      return json11Error(400, "ConcurrentRunsExceededException", `Concurrent runs exceeded for ${jobName} (MaxConcurrentRuns ${limit})`);
    }
    this.jobs.set(jobName, job);
    const run = this.runs.start("glue", jobName, args);
    return json11(200, { JobRunId: run.runId });
  }

  describe(run: Readonly<JobRun>): Record<string, unknown> {
    const job = this.jobs.get(run.jobName);
    const seconds = executionSeconds(run);
    const dpus = (DPU_PER_WORKER[job?.WorkerType ?? "G.1X"] ?? 1) * (job?.NumberOfWorkers ?? 1);
    return {
      Id: run.runId,
      Attempt: 0,
      JobName: run.jobName,
      JobMode: "SCRIPT",
      StartedOn: epochSeconds(run.startedOn),
      LastModifiedOn: epochSeconds(run.completedOn ?? new Date()),
      CompletedOn: epochSeconds(run.completedOn),
      JobRunState: run.state,
      Arguments: run.arguments,
      ErrorMessage: run.errorMessage,
      PredecessorRuns: [],
      ExecutionTime: seconds,
      // what the run would be billed for on Glue at the job's configured capacity
      DPUSeconds: seconds * dpus,
      Timeout: job?.Timeout,
      WorkerType: job?.WorkerType,
      NumberOfWorkers: job?.NumberOfWorkers,
      GlueVersion: job?.GlueVersion,
      SecurityConfiguration: job?.SecurityConfiguration,
      LogGroupName: "/aws-glue/jobs",
    };
  }
}
