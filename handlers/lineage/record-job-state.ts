/**
 * The lineage handler's job: for a Glue or DataBrew job state change, write the OpenLineage RunEvent(s)
 * for that run and state (a terminal state also ensures its START record exists), validated against the
 * OpenLineage schemas, once each; point the processed table at the latest record; audit every record.
 */
import type { DataBrewClient } from "@aws-sdk/client-databrew";
import type { GlueClient } from "@aws-sdk/client-glue";
import type { S3Client } from "@aws-sdk/client-s3";
import type { AuditSink } from "../audit/audit-event";
import { rejectMalformedEvent } from "../audit/rejection";
import type { Clock } from "../shared/clock";
import { schemaIssues } from "../shared/errors";
import { lookupJobRun } from "../shared/job-run-registry";
import type { Logger } from "../shared/logger";
import { readJson, type Retention } from "../shared/object-store";
import { lineageNamespace, orphanPipelineRunId, processedTableName } from "../../contracts/run-identity";
import { isS3Uri, joinS3Uri, parseS3Uri } from "../shared/s3-uri";
import { pointCatalogAtRecord } from "./catalog-pointer";
import { lineageProducer, type LineageConfig } from "./config";
import { describeInputFiles } from "./input-files";
import { jobStateChangeEvent, jobStateChangeOf, lineageEventTypeOf, type JobStateChange, type LineageEventType } from "./job-state-event";
import { writeLineageRecord } from "./lineage-store";
import { observeDataBrewJobRun, observeGlueJobRun, type ObservedJobRun } from "./observed-job-run";
import type { OpenLineageValidator } from "./openlineage-validator";
import { buildPipelineRunEvent, pipelineEventTypes } from "./pipeline-run-event";
import { readPiiFindings, resolveDatasetPath, type PiiFindings } from "./pii-findings";
import { buildRunEvent, type OpenLineageRunEvent, type PipelineLink } from "./run-event-builder";
import { RUN_METRICS_FILE, runMetricsSchema, type RunMetrics } from "./run-metrics";

export interface LineageDeps {
  readonly config: LineageConfig;
  readonly s3: S3Client;
  readonly glue: GlueClient;
  readonly databrew: DataBrewClient;
  readonly audit: AuditSink;
  readonly validator: OpenLineageValidator;
  readonly retention: (now: Date) => Retention;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly requestId: string;
  readonly handlerName: string;
}

export interface RecordedLineage {
  readonly eventType: LineageEventType;
  readonly uri: string;
  readonly written: boolean;
}

export type LineageResult =
  | {
      readonly decision: "recorded";
      readonly pipeline_run_id: string;
      readonly records: readonly RecordedLineage[];
      /** records of the parent pipeline run this event implied (see pipeline-run-event.ts) */
      readonly pipeline_records: readonly RecordedLineage[];
    }
  | { readonly decision: "ignored"; readonly reason: string };

/**
 * How long after a job run started the trigger may still be registering it. An event for an unregistered
 * run younger than this is retried (the trigger registers right after StartJobRun returns); an older one
 * is a run nobody triggered (e.g. started in the console) and gets a pipeline run of its own.
 */
export const REGISTRATION_GRACE_MS = 120_000;

export class JobRunNotRegisteredYetError extends Error {
  override readonly name = "JobRunNotRegisteredYetError";
}

export async function recordJobState(event: unknown, deps: LineageDeps): Promise<LineageResult> {
  const parsed = jobStateChangeEvent.safeParse(event);
  if (!parsed.success) throw await rejectMalformedEvent(deps, "job state change event", schemaIssues(parsed.error));
  const change = jobStateChangeOf(parsed.data);
  const eventType = lineageEventTypeOf(change.state);
  if (eventType === undefined) {
    deps.logger.info("job state has no lineage event", { job_name: change.jobName, job_run_id: change.jobRunId, state: change.state });
    return { decision: "ignored", reason: `state ${change.state} has no OpenLineage event type` };
  }

  const observed =
    change.service === "glue"
      ? await observeGlueJobRun(deps.glue, deps.s3, change.jobName, change.jobRunId)
      : await observeDataBrewJobRun(deps.databrew, change.jobName, change.jobRunId);
  const pipeline = await pipelineLinkOf(observed, deps);
  // a DataBrew dataset names its input by a path template; the record names the day this run profiled
  const run: ObservedJobRun = { ...observed, inputUris: observed.inputUris.map((uri) => resolveDatasetPath(uri, pipeline.runDate)) };
  const metrics = run.service === "glue" ? await readRunMetrics(run, eventType, deps) : undefined;
  const findings = run.service === "databrew" && eventType === "COMPLETE" ? await readFindings(run, deps) : undefined;
  const inputFiles = metrics === undefined ? undefined : await describeInputFiles(deps.s3, metrics.input.files);
  const namespace = lineageNamespace(deps.config.SENTINEL_ENVIRONMENT);

  const records: RecordedLineage[] = [];
  for (const type of eventType === "START" ? (["START"] as const) : (["START", eventType] as const)) {
    const runEvent = buildRunEvent({
      eventType: type,
      eventTime: eventTimeOf(type, run, change),
      namespace,
      producer: lineageProducer(deps.config),
      run,
      pipeline,
      // a START record describes the run as it began: no outcome counts
      metrics: type === "START" ? undefined : metrics,
      inputFiles: type === "START" ? undefined : inputFiles,
      findings: type === "START" ? undefined : findings,
    });
    deps.validator.assertValid(runEvent);
    const stored = await writeLineageRecord(deps.s3, deps.config.LINEAGE_AUDIT_BUCKET, runEvent, deps.retention(deps.clock()));
    records.push({ eventType: type, ...stored });
    const profile = pipeline.profile;
    if (run.service === "glue" && run.jobName === deps.config.GLUE_JOB_NAME && profile !== undefined) {
      await pointCatalogAtRecord(deps.glue, {
        database: deps.config.CATALOG_DATABASE_NAME,
        table: processedTableName(profile),
        recordUri: stored.uri,
        eventType: type,
        eventTime: runEvent.eventTime,
        runId: runEvent.run.runId,
        pipelineRunId: pipeline.pipelineRunId,
      });
    }
    await auditLineageRecord(deps, pipeline.pipelineRunId, stored, change, {
      event_type: type,
      job_name: run.jobName,
      job_run_id: run.jobRunId,
      openlineage_run_id: runEvent.run.runId,
    });
    deps.logger.info(stored.written ? "lineage record written" : "lineage record already present", {
      record: stored.uri,
      event_type: type,
      pipeline_run_id: pipeline.pipelineRunId,
    });
  }
  const pipelineRecords = await recordPipelineRun(change, run, pipeline, metrics, records, deps);
  return { decision: "recorded", pipeline_run_id: pipeline.pipelineRunId, records, pipeline_records: pipelineRecords };
}

/** The parent pipeline run's START (and, for the ETL job's terminal state, its outcome), written once each. */
async function recordPipelineRun(
  change: JobStateChange,
  run: ObservedJobRun,
  pipeline: PipelineLink,
  metrics: RunMetrics | undefined,
  jobRecords: readonly RecordedLineage[],
  deps: LineageDeps,
): Promise<RecordedLineage[]> {
  // a run nobody triggered has no pipeline run to describe
  if (!pipeline.registered || pipeline.profile === undefined) return [];
  const errorMessage = run.errorMessage ?? (metrics?.error === undefined ? undefined : `${metrics.error.type}: ${metrics.error.message}`);
  const records: RecordedLineage[] = [];
  for (const type of pipelineEventTypes(
    jobRecords.map((record) => record.eventType),
    run.service === "glue" && run.jobName === deps.config.GLUE_JOB_NAME,
  )) {
    const event: OpenLineageRunEvent = buildPipelineRunEvent({
      eventType: type,
      eventTime: eventTimeOf(type, run, change),
      namespace: lineageNamespace(deps.config.SENTINEL_ENVIRONMENT),
      producer: lineageProducer(deps.config),
      pipelineRunId: pipeline.pipelineRunId,
      profile: pipeline.profile,
      runDate: metrics?.run_date ?? pipeline.runDate,
      errorMessage,
    });
    deps.validator.assertValid(event);
    const stored = await writeLineageRecord(deps.s3, deps.config.LINEAGE_AUDIT_BUCKET, event, deps.retention(deps.clock()));
    records.push({ eventType: type, ...stored });
    await auditLineageRecord(deps, pipeline.pipelineRunId, stored, change, {
      event_type: type,
      job_name: event.job.name,
      openlineage_run_id: event.run.runId,
      implied_by_job_run_id: run.jobRunId,
    });
  }
  return records;
}

/** The audit event of one lineage record: written, or skipped because the record was already there. */
async function auditLineageRecord(
  deps: LineageDeps,
  pipelineRunId: string,
  stored: Omit<RecordedLineage, "eventType">,
  change: JobStateChange,
  record: Readonly<Record<string, string>>,
): Promise<void> {
  await deps.audit.record({
    run_id: pipelineRunId,
    action: "lineage.record",
    resource: stored.uri,
    outcome: stored.written ? "success" : "skipped",
    request_id: deps.requestId,
    details: { ...record, source_event_id: change.eventId, ...(stored.written ? {} : { reason: "already_recorded" }) },
  });
}

/**
 * The profile's findings. A COMPLETE profile run whose result cannot be found, or may not be read, is
 * recorded without them (logged): the result lies under pii-profiles/ in the raw bucket, the one raw
 * prefix the lineage role may read, so a denial means a misconfigured grant, not a missing record.
 */
async function readFindings(run: ObservedJobRun, deps: LineageDeps): Promise<PiiFindings | undefined> {
  const output = run.outputs.find((candidate) => candidate.role === "profile");
  if (output === undefined) return undefined;
  let findings: PiiFindings | undefined;
  try {
    findings = await readPiiFindings(deps.s3, output.uri, run.jobRunId);
  } catch (error) {
    const name = (error as { name?: string }).name ?? "";
    if (!/AccessDenied|KMS\.|Forbidden/.test(name)) throw error;
    deps.logger.warn("PII profile result not readable; recording the profile run without its findings", {
      job_name: run.jobName,
      job_run_id: run.jobRunId,
      output: output.uri,
      error: name,
    });
    return undefined;
  }
  if (findings === undefined)
    deps.logger.warn("no PII profile result for the run under its output location", {
      job_name: run.jobName,
      job_run_id: run.jobRunId,
      output: output.uri,
    });
  return findings;
}

function eventTimeOf(type: LineageEventType, run: ObservedJobRun, change: JobStateChange): string {
  const serviceTime = type === "START" ? run.startedOn : run.completedOn;
  return (serviceTime ?? new Date(change.eventTime)).toISOString();
}

async function pipelineLinkOf(run: ObservedJobRun, deps: LineageDeps): Promise<PipelineLink> {
  const registration = await lookupJobRun(deps.s3, deps.config.LINEAGE_AUDIT_BUCKET, run.jobName, run.jobRunId);
  if (registration !== undefined) {
    return { pipelineRunId: registration.pipeline_run_id, registered: true, profile: registration.profile, runDate: registration.run_date };
  }
  const startedOn = run.startedOn?.getTime();
  if (startedOn !== undefined && deps.clock().getTime() - startedOn < REGISTRATION_GRACE_MS) {
    throw new JobRunNotRegisteredYetError(`job run ${run.jobName}/${run.jobRunId} is not registered by the trigger yet; retry`);
  }
  deps.logger.warn("job run was not started by the trigger", { job_name: run.jobName, job_run_id: run.jobRunId });
  return {
    pipelineRunId: orphanPipelineRunId(run.jobName, run.jobRunId),
    registered: false,
    profile: run.arguments["--profile"],
    runDate: run.arguments["--run_date"],
  };
}

/**
 * The Glue job's run metrics. Required for COMPLETE (a completed run's record must carry its counts and
 * versions); optional for START, FAIL and ABORT, where the job may not have written them.
 */
async function readRunMetrics(run: ObservedJobRun, eventType: LineageEventType, deps: LineageDeps): Promise<RunMetrics | undefined> {
  const required = eventType === "COMPLETE";
  if (eventType === "START") return undefined;
  const metricsLocation = run.arguments["--metrics_location"];
  if (metricsLocation === undefined || !isS3Uri(metricsLocation)) {
    if (required)
      throw new Error(`Glue run ${run.jobName}/${run.jobRunId} has no s3:// --metrics_location argument; cannot record its completion`);
    return undefined;
  }
  const uri = joinS3Uri(metricsLocation, RUN_METRICS_FILE);
  const { bucket, key } = parseS3Uri(uri);
  const stored = await readJson(deps.s3, bucket, key);
  if (stored === undefined) {
    if (required) throw new Error(`${uri} does not exist: the Glue job must write its run metrics before it succeeds`);
    return undefined;
  }
  const parsed = runMetricsSchema.safeParse(stored.body);
  if (parsed.success) return parsed.data;
  const problems = schemaIssues(parsed.error)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join("; ");
  if (required) throw new Error(`${uri} does not match the run metrics contract: ${problems}`);
  deps.logger.warn("run metrics unreadable; recording without them", { metrics: uri, problems });
  return undefined;
}
