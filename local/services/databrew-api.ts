/**
 * A local DataBrew API over the deployed definitions: DescribeJob, DescribeDataset, ListJobs,
 * ListDatasets, StartJobRun, DescribeJobRun, ListJobRuns. The emulator implements none of the job-run
 * operations and cannot create DataBrew resources from CloudFormation, so this serves them from the
 * deployed stacks' templates (databrew-definitions.ts) and queues runs for the local job runner.
 */
import { epochSeconds, restJson, restJsonError, type ApiResponse } from "./api-response";
import { executionSeconds, type JobRun, type JobRuns } from "../job-runs/job-runs";
import type { DataBrewDefinitions, JobDefinition, S3Location } from "../databrew/databrew-definitions";

export type DefinitionsSource = () => Promise<DataBrewDefinitions>;

type Route =
  | { readonly operation: "ListJobs" | "ListDatasets" }
  | { readonly operation: "DescribeJob" | "StartJobRun" | "ListJobRuns"; readonly job: string }
  | { readonly operation: "DescribeDataset"; readonly dataset: string }
  | { readonly operation: "DescribeJobRun"; readonly job: string; readonly runId: string };

/** The REST path of each supported operation (DataBrew API reference). */
export function routeOf(method: string, path: string): Route | undefined {
  const parts = path.split("?")[0]!.split("/").filter(Boolean).map(decodeURIComponent);
  const [collection, name, action, runId] = parts;
  if (method === "GET" && parts.length === 1 && collection === "jobs") return { operation: "ListJobs" };
  if (method === "GET" && parts.length === 1 && collection === "datasets") return { operation: "ListDatasets" };
  if (name === undefined) return undefined;
  if (collection === "datasets" && method === "GET" && parts.length === 2) return { operation: "DescribeDataset", dataset: name };
  if (collection !== "jobs") return undefined;
  if (method === "GET" && parts.length === 2) return { operation: "DescribeJob", job: name };
  if (method === "POST" && action === "startJobRun" && parts.length === 3) return { operation: "StartJobRun", job: name };
  if (method === "GET" && action === "jobRuns" && parts.length === 3) return { operation: "ListJobRuns", job: name };
  if (method === "GET" && action === "jobRun" && runId !== undefined && parts.length === 4)
    return { operation: "DescribeJobRun", job: name, runId };
  return undefined;
}

export class DataBrewApi {
  private readonly outputs = new Map<string, S3Location>();
  private definitions: Promise<DataBrewDefinitions> | undefined;

  constructor(
    private readonly runs: JobRuns,
    private readonly source: DefinitionsSource,
  ) {}

  loadDefinitions(): Promise<DataBrewDefinitions> {
    this.definitions ??= this.source();
    return this.definitions;
  }

  /** Where a run wrote its profile (reported as the run's output). */
  recordOutput(runId: string, location: S3Location): void {
    this.outputs.set(runId, location);
  }

  async handle(method: string, path: string): Promise<ApiResponse> {
    const route = routeOf(method, path);
    if (route === undefined) {
      return restJsonError(
        400,
        "ValidationException",
        `${method} ${path} is not an operation the local DataBrew service supports (jobs, datasets and job runs only)`,
      );
    }
    const { jobs, datasets } = await this.loadDefinitions();
    switch (route.operation) {
      case "ListJobs":
        return restJson(200, { Jobs: [...jobs.values()].map(published) });
      case "ListDatasets":
        return restJson(200, { Datasets: [...datasets.values()].map(published) });
      case "DescribeDataset": {
        const dataset = datasets.get(route.dataset);
        if (dataset === undefined) return restJsonError(404, "ResourceNotFoundException", `Dataset ${route.dataset} not found`);
        return restJson(200, published(dataset));
      }
      case "DescribeJob": {
        const job = jobs.get(route.job);
        return job === undefined
          ? restJsonError(404, "ResourceNotFoundException", `Job ${route.job} not found`)
          : restJson(200, published(job));
      }
      case "StartJobRun": {
        const job = jobs.get(route.job);
        if (job === undefined) return restJsonError(404, "ResourceNotFoundException", `Job ${route.job} not found`);
        if (this.runs.active("databrew", route.job) > 0)
          return restJsonError(409, "ConflictException", `Job ${route.job} already has a run in progress`);
        return restJson(200, { RunId: this.runs.start("databrew", route.job, {}).runId });
      }
      case "ListJobRuns":
        if (!jobs.has(route.job)) return restJsonError(404, "ResourceNotFoundException", `Job ${route.job} not found`);
        return restJson(200, { JobRuns: this.runs.ofJob("databrew", route.job).map((run) => this.describeRun(run, jobs.get(route.job)!)) });
      case "DescribeJobRun": {
        const job = jobs.get(route.job);
        const run = this.runs.find("databrew", route.job, route.runId);
        if (job === undefined || run === undefined)
          return restJsonError(404, "ResourceNotFoundException", `Job run ${route.runId} of job ${route.job} not found`);
        return restJson(200, this.describeRun(run, job));
      }
    }
  }

  private describeRun(run: Readonly<JobRun>, job: JobDefinition): Record<string, unknown> {
    const output = this.outputs.get(run.runId);
    return {
      Attempt: 0,
      RunId: run.runId,
      JobName: run.jobName,
      DatasetName: job.DatasetName,
      State: run.state,
      StartedOn: epochSeconds(run.startedOn),
      CompletedOn: epochSeconds(run.completedOn),
      ExecutionTime: executionSeconds(run),
      ErrorMessage: run.errorMessage,
      LogSubscription: job.LogSubscription ?? "ENABLE",
      LogGroupName: `/aws-glue-databrew/jobs/${run.jobName}`,
      Outputs: output === undefined ? [] : [{ Location: output }],
      JobSample: job.JobSample,
      ProfileConfiguration: job.ProfileConfiguration,
      ValidationConfigurations: job.ValidationConfigurations,
    };
  }
}

/** A definition as the DataBrew API describes it: without the local bookkeeping of which stack deployed it. */
function published<T extends { readonly stackName: string }>(definition: T): Omit<T, "stackName"> {
  return Object.fromEntries(Object.entries(definition).filter(([key]) => key !== "stackName")) as Omit<T, "stackName">;
}
