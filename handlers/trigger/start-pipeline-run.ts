/**
 * The trigger's job: turn a schedule (or hand-started) event into exactly one pipeline run per run
 * window: the DataBrew PII profile job on the raw input and the Glue ETL job with its arguments.
 * Every decision (started, skipped as duplicate, refused, failed) is an audit event.
 */
import { StartJobRunCommand as StartDataBrewJobRunCommand, type DataBrewClient } from "@aws-sdk/client-databrew";
import { GetJobRunsCommand, StartJobRunCommand as StartGlueJobRunCommand, type GlueClient } from "@aws-sdk/client-glue";
import type { S3Client } from "@aws-sdk/client-s3";
import type { AuditSink } from "../audit/audit-event";
import { auditRefusal, rejectMalformedEvent } from "../audit/rejection";
import type { Clock } from "../shared/clock";
import { schemaIssues } from "../shared/errors";
import { registerJobRun } from "../shared/job-run-registry";
import type { Logger } from "../shared/logger";
import { pipelineRunId, type RunWindow } from "../../contracts/run-identity";
import { formatS3Uri } from "../shared/s3-uri";
import type { TriggerConfig } from "./config";
import { databrewJobName, glueJobArguments } from "./glue-arguments";
import { RunWindowClaims, runWindowKey, type HeldClaim, type RunWindowClaim } from "./run-window-claim";
import { runRequestOf, triggerEvent, type RunRequest } from "./trigger-event";

export interface TriggerDeps {
  readonly config: TriggerConfig;
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly databrew: DataBrewClient;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly requestId: string;
  /** the handler's own name or ARN, the resource of rejection audit events */
  readonly handlerName: string;
}

export type TriggerResult =
  | { readonly decision: "started"; readonly pipeline_run_id: string; readonly glue_job_run_id: string; readonly databrew_run_id: string }
  | { readonly decision: "skipped"; readonly reason: "already_started" | "in_progress"; readonly pipeline_run_id: string }
  | { readonly decision: "refused"; readonly reason: string };

/** How many pages of recent Glue job runs a resumed start searches for a run its predecessor started. */
const GLUE_RUN_SEARCH_PAGES = 5;

export async function startPipelineRun(event: unknown, deps: TriggerDeps): Promise<TriggerResult> {
  const parsed = triggerEvent.safeParse(event);
  if (!parsed.success) {
    throw await rejectMalformedEvent(deps, "trigger event", schemaIssues(parsed.error));
  }
  const request = runRequestOf(parsed.data, deps.config.RUN_DATE_LAG_DAYS);
  const refusal = refusalReason(request, deps);
  if (refusal !== undefined) return refuse(request, refusal, deps);

  const window: RunWindow = {
    environment: deps.config.SENTINEL_ENVIRONMENT,
    profile: request.profile,
    runDate: request.runDate,
    attempt: request.attempt,
  };
  const runId = pipelineRunId(window);
  const now = deps.clock();
  const glueArguments = glueJobArguments(deps.config, window, runId, request.inputPrefix, request.refit);
  const fresh: RunWindowClaim = {
    schema_version: 1,
    pipeline_run_id: runId,
    profile: window.profile,
    run_date: window.runDate,
    attempt: window.attempt,
    status: "claimed",
    claimed_by: deps.requestId,
    lease_expires_at: new Date(now.getTime() + deps.config.RUN_WINDOW_LEASE_SECONDS * 1000).toISOString(),
    metrics_location: glueArguments["--metrics_location"] as string,
    updated_at: now.toISOString(),
  };
  const claims = new RunWindowClaims(deps.s3, deps.config.LINEAGE_AUDIT_BUCKET);
  const resource = formatS3Uri({ bucket: deps.config.LINEAGE_AUDIT_BUCKET, key: runWindowKey(window) });
  const attempt = await claims.acquire(window, fresh, now);

  if (attempt.kind !== "acquired") {
    const reason = attempt.kind;
    await deps.audit.record({
      run_id: runId,
      action: "pipeline.start",
      resource,
      outcome: "skipped",
      request_id: deps.requestId,
      details: { reason, claimed_by: attempt.claim.claimed_by, ...startedJobs(attempt.claim) },
    });
    deps.logger.info("pipeline run not started: duplicate delivery", { pipeline_run_id: runId, reason });
    return { decision: "skipped", reason, pipeline_run_id: runId };
  }

  const progress = { held: attempt.held };
  try {
    await startJobs(window, progress, glueArguments, claims, deps);
    progress.held = await claims.update(window, progress.held, { status: "started", updated_at: deps.clock().toISOString() });
  } catch (error) {
    await recordStartFailure(window, progress.held, claims, resource, error, deps);
    throw error;
  }
  const held = progress.held;
  const { databrew_run_id: databrewRunId, glue_job_run_id: glueJobRunId } = held.claim;
  if (databrewRunId === undefined || glueJobRunId === undefined) throw new Error("unreachable: claim marked started without both job runs");
  await deps.audit.record({
    run_id: runId,
    action: "pipeline.start",
    resource,
    outcome: "success",
    request_id: deps.requestId,
    details: {
      resumed: held.resumed,
      refit: request.refit,
      glue_job_name: deps.config.GLUE_JOB_NAME,
      databrew_job_name: databrewJobName(deps.config, window.profile),
      ...startedJobs(held.claim),
    },
  });
  deps.logger.info("pipeline run started", {
    pipeline_run_id: runId,
    glue_job_run_id: glueJobRunId,
    databrew_run_id: databrewRunId,
    resumed: held.resumed,
  });
  return { decision: "started", pipeline_run_id: runId, glue_job_run_id: glueJobRunId, databrew_run_id: databrewRunId };
}

function refusalReason(request: RunRequest, deps: TriggerDeps): string | undefined {
  if (!deps.config.DATASET_PROFILES.includes(request.profile)) {
    return `unknown dataset profile ${request.profile} (configured: ${deps.config.DATASET_PROFILES.join(", ")})`;
  }
  const today = deps.clock().toISOString().slice(0, 10);
  if (request.runDate > today) return `run date ${request.runDate} is in the future (today is ${today} UTC)`;
  return undefined;
}

async function refuse(request: RunRequest, reason: string, deps: TriggerDeps): Promise<TriggerResult> {
  await auditRefusal(deps, "pipeline.start", { reason, profile: request.profile, run_date: request.runDate, attempt: request.attempt });
  deps.logger.warn("pipeline run refused", { reason });
  return { decision: "refused", reason };
}

function startedJobs(claim: RunWindowClaim): Record<string, string> {
  return {
    ...(claim.databrew_run_id === undefined ? {} : { databrew_run_id: claim.databrew_run_id }),
    ...(claim.glue_job_run_id === undefined ? {} : { glue_job_run_id: claim.glue_job_run_id }),
  };
}

/**
 * Starts whichever of the two jobs the claim does not record yet, recording each in the claim as soon as
 * it runs; `progress.held` always holds the latest claim, so a failure can still release it.
 */
async function startJobs(
  window: RunWindow,
  progress: { held: HeldClaim },
  glueArguments: Record<string, string>,
  claims: RunWindowClaims,
  deps: TriggerDeps,
): Promise<void> {
  const { config } = deps;
  const registration = {
    pipeline_run_id: progress.held.claim.pipeline_run_id,
    profile: window.profile,
    run_date: window.runDate,
    attempt: window.attempt,
  };
  if (progress.held.claim.databrew_run_id === undefined) {
    const jobName = databrewJobName(config, window.profile);
    const started = await deps.databrew.send(new StartDataBrewJobRunCommand({ Name: jobName }));
    if (started.RunId === undefined) throw new Error(`DataBrew StartJobRun for ${jobName} returned no RunId`);
    await registerJobRun(deps.s3, config.LINEAGE_AUDIT_BUCKET, jobName, started.RunId, { ...registration, service: "databrew" });
    progress.held = await claims.update(window, progress.held, { databrew_run_id: started.RunId, updated_at: deps.clock().toISOString() });
  }
  if (progress.held.claim.glue_job_run_id === undefined) {
    const jobName = config.GLUE_JOB_NAME;
    // a predecessor may have started the Glue run and died before recording it; its metrics location is unique to this pipeline run
    const { resumed, claim } = progress.held;
    const adopted = resumed ? await findGlueRunByMetricsLocation(deps.glue, jobName, claim.metrics_location) : undefined;
    const jobRunId = adopted ?? (await deps.glue.send(new StartGlueJobRunCommand({ JobName: jobName, Arguments: glueArguments }))).JobRunId;
    if (jobRunId === undefined) throw new Error(`Glue StartJobRun for ${jobName} returned no JobRunId`);
    await registerJobRun(deps.s3, config.LINEAGE_AUDIT_BUCKET, jobName, jobRunId, { ...registration, service: "glue" });
    progress.held = await claims.update(window, progress.held, { glue_job_run_id: jobRunId, updated_at: deps.clock().toISOString() });
  }
}

async function findGlueRunByMetricsLocation(glue: GlueClient, jobName: string, metricsLocation: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  for (let page = 0; page < GLUE_RUN_SEARCH_PAGES; page++) {
    const response = await glue.send(new GetJobRunsCommand({ JobName: jobName, NextToken: nextToken, MaxResults: 200 }));
    const match = response.JobRuns?.find((run) => run.Arguments?.["--metrics_location"] === metricsLocation);
    if (match?.Id !== undefined) return match.Id;
    nextToken = response.NextToken;
    if (nextToken === undefined) return undefined;
  }
  return undefined;
}

async function recordStartFailure(
  window: RunWindow,
  held: HeldClaim,
  claims: RunWindowClaims,
  resource: string,
  error: unknown,
  deps: TriggerDeps,
): Promise<void> {
  const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
  try {
    await claims.update(window, held, { status: "start_failed", updated_at: deps.clock().toISOString() });
  } catch (releaseError) {
    // the lease lets a retry take over anyway; the audit event below still records the failure
    deps.logger.warn("could not mark the run window start_failed", { error_name: (releaseError as Error).name });
  }
  await deps.audit.record({
    run_id: held.claim.pipeline_run_id,
    action: "pipeline.start",
    resource,
    outcome: "failure",
    request_id: deps.requestId,
    details: { error_name: name, error_message: message.slice(0, 500), ...startedJobs(held.claim) },
  });
}
