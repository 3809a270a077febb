/**
 * Identifiers derived, not generated: the same schedule event or job event always yields the same ids,
 * so at-least-once delivery cannot mint a second run.
 */
import { v5 as uuidv5 } from "uuid";

/** UUID namespace for every id Sentinel derives (UUIDv5 of a fixed URN). */
const SENTINEL_ID_NAMESPACE = uuidv5("urn:sentinel:run-identity", uuidv5.URL);

/** One scheduled (or hand-started) execution of the pipeline for a dataset profile and a day. */
export interface RunWindow {
  readonly environment: string;
  readonly profile: string;
  /** YYYY-MM-DD, the day of data the run processes. */
  readonly runDate: string;
  /** 1 for the scheduled run; a deliberate re-run of the same day uses 2, 3, ... */
  readonly attempt: number;
}

/** The pipeline run id: names the audit log stream and is the OpenLineage parent run of every job run. */
export function pipelineRunId(window: RunWindow): string {
  return uuidv5(`pipeline/${window.environment}/${window.profile}/${window.runDate}/${window.attempt}`, SENTINEL_ID_NAMESPACE);
}

/** OpenLineage run id (a UUID) for one run of a Glue or DataBrew job, whose own ids are not UUIDs. */
export function jobRunLineageId(jobName: string, jobRunId: string): string {
  return uuidv5(`job-run/${jobName}/${jobRunId}`, SENTINEL_ID_NAMESPACE);
}

/** Pipeline run id for a job run that no trigger started (e.g. started by hand in the console). */
export function orphanPipelineRunId(jobName: string, jobRunId: string): string {
  return uuidv5(`orphan-pipeline/${jobName}/${jobRunId}`, SENTINEL_ID_NAMESPACE);
}

/** The OpenLineage job name of the pipeline (the parent job of the Glue and DataBrew job runs). */
export function pipelineJobName(profile: string): string {
  return `pipeline.${profile}`;
}

/** OpenLineage job namespace: one per environment. */
export function lineageNamespace(environment: string): string {
  return `sentinel-${environment}`;
}

/** The Glue Catalog table of a profile's processed tier, e.g. `card-transactions` -> `card_transactions`. */
export function processedTableName(profile: string): string {
  return profile.replaceAll("-", "_");
}
