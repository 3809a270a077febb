/**
 * The Glue and DataBrew job state-change events the pipeline reacts to, as EventBridge patterns,
 * and how each state reads as an audit outcome. The lineage handler takes the events as they come;
 * the audit handler takes an audit entry (handlers/audit/record-audit-event.ts), which an input
 * transformer builds from the event. A transformer cannot branch on the state, so each outcome has
 * its own rule: the rule's pattern decides the outcome.
 */

export type JobService = "glue" | "databrew";

export interface JobEventSource {
  readonly service: JobService;
  readonly source: string;
  readonly detailType: string;
}

export const JOB_EVENT_SOURCES = {
  glue: { service: "glue", source: "aws.glue", detailType: "Glue Job State Change" },
  databrew: { service: "databrew", source: "aws.databrew", detailType: "DataBrew Job State Change" },
} as const satisfies Readonly<Record<JobService, JobEventSource>>;

/** audit outcome (handlers/audit/audit-event.ts) -> the job run states that mean it. */
export const STATE_OUTCOMES = [
  { outcome: "success", label: "progressed", states: ["STARTING", "RUNNING", "WAITING", "SUCCEEDED"] },
  { outcome: "failure", label: "failed", states: ["FAILED", "TIMEOUT", "ERROR"] },
  { outcome: "skipped", label: "stopped", states: ["STOPPING", "STOPPED", "EXPIRED"] },
] as const;

/** States that end a run without its output: the job-failure alarm's pattern. */
export const FAILED_STATES: readonly string[] = STATE_OUTCOMES[1].states;

export function jobStatePattern(source: JobEventSource, jobNames: readonly string[], states: readonly string[]): string {
  return JSON.stringify({
    source: [source.source],
    "detail-type": [source.detailType],
    detail: { jobName: [...jobNames], state: [...states] },
  });
}

/**
 * Input transformer turning a job state change into an audit entry. The chain (`run_id`) is the job
 * run's own id: the audit handler cannot look up the pipeline run, and the lineage handler already
 * records each job run under its pipeline run.
 */
export function auditEntryTransformer(source: JobEventSource, outcome: string, partition: string) {
  return {
    inputPaths: {
      jobName: "$.detail.jobName",
      jobRunId: "$.detail.jobRunId",
      state: "$.detail.state",
      eventId: "$.id",
      eventTime: "$.time",
      region: "$.region",
      account: "$.account",
    },
    inputTemplate: `{"run_id":"<jobRunId>","action":"job.state_change","resource":"arn:${partition}:${source.service}:<region>:<account>:job/<jobName>","outcome":"${outcome}","details":{"service":"${source.service}","job_name":"<jobName>","job_run_id":"<jobRunId>","state":"<state>","source_event_id":"<eventId>","source_event_time":"<eventTime>"}}`,
  };
}
