/**
 * Plays the compute side of Glue and DataBrew: executes the runs the local services accepted, one at a
 * time (a laptop has no spare capacity for two Spark drivers), moving each through RUNNING to its
 * outcome. Each transition is announced by JobRuns, which is where the state-change
 * events come from.
 */
import type { DataBrewApi } from "../services/databrew-api";
import { effectiveArguments, type GlueRunApi } from "../services/glue-api";
import type { JobRun, JobRuns } from "../job-runs/job-runs";
import type { GlueRunOutcome } from "../glue/glue-job-execution";
import type { ProfileRunOutcome } from "../databrew/profile-job-execution";
import type { DatasetDefinition, JobDefinition } from "../databrew/databrew-definitions";
import type { Job } from "@aws-sdk/client-glue";

export interface JobExecutors {
  glue(run: Readonly<JobRun>, job: Job, effective: Readonly<Record<string, string>>): Promise<GlueRunOutcome>;
  databrew(run: Readonly<JobRun>, job: JobDefinition, dataset: DatasetDefinition): Promise<ProfileRunOutcome>;
}

export interface ExecutedRun {
  readonly run: Readonly<JobRun>;
  readonly glue?: GlueRunOutcome;
  readonly databrew?: ProfileRunOutcome;
}

export class LocalJobRunner {
  constructor(
    private readonly runs: JobRuns,
    private readonly glueApi: GlueRunApi,
    private readonly databrewApi: DataBrewApi,
    private readonly executors: JobExecutors,
  ) {}

  /** Executes one waiting run: RUNNING, then its outcome. */
  async run(run: JobRun): Promise<ExecutedRun> {
    await this.runs.transition(run, "RUNNING");
    return this.execute(run);
  }

  private async execute(run: JobRun): Promise<ExecutedRun> {
    try {
      if (run.service === "glue") {
        const job = this.glueApi.jobOf(run);
        const outcome = await this.executors.glue(run, job, effectiveArguments(job, run));
        await this.runs.transition(run, outcome.state, outcome.errorMessage);
        return { run, glue: outcome };
      }
      const { jobs, datasets } = await this.databrewApi.loadDefinitions();
      const job = jobs.get(run.jobName);
      const dataset = job?.DatasetName === undefined ? undefined : datasets.get(job.DatasetName);
      if (job === undefined || dataset === undefined) throw new Error(`DataBrew job ${run.jobName} or its dataset is no longer deployed`);
      const outcome = await this.executors.databrew(run, job, dataset);
      if (outcome.output !== undefined) this.databrewApi.recordOutput(run.runId, outcome.output);
      await this.runs.transition(run, outcome.state, outcome.errorMessage);
      return { run, databrew: outcome };
    } catch (error) {
      // a failure of the local runtime itself (not of the job): the run fails, as a service-side error would
      await this.runs.transition(run, "FAILED", `local job runner: ${error instanceof Error ? error.message : String(error)}`);
      return { run };
    }
  }
}
