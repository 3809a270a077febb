/**
 * The EventBridge events the lineage handler receives: Glue "Job State Change" and DataBrew
 * "DataBrew Job State Change", and how each job state maps to an OpenLineage run event type.
 */
import { z } from "zod";
import { JOB_EVENT_SOURCES } from "../../contracts/job-events";

const jobRunState = z.enum(["STARTING", "RUNNING", "STOPPING", "STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT", "ERROR", "WAITING", "EXPIRED"]);
export type JobRunState = z.infer<typeof jobRunState>;

const envelope = {
  version: z.string(),
  id: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  account: z.string(),
  region: z.string(),
};

export const glueJobStateChange = z.object({
  ...envelope,
  source: z.literal(JOB_EVENT_SOURCES.glue.source),
  "detail-type": z.literal(JOB_EVENT_SOURCES.glue.detailType),
  detail: z.looseObject({ jobName: z.string().min(1), jobRunId: z.string().min(1), state: jobRunState, message: z.string().optional() }),
});

/** DataBrew names the run `jobRunId` like Glue; `runId` (its API's name) is accepted too. */
export const databrewJobStateChange = z.object({
  ...envelope,
  source: z.literal(JOB_EVENT_SOURCES.databrew.source),
  "detail-type": z.literal(JOB_EVENT_SOURCES.databrew.detailType),
  detail: z
    .looseObject({
      jobName: z.string().min(1),
      jobRunId: z.string().min(1).optional(),
      runId: z.string().min(1).optional(),
      state: jobRunState,
      message: z.string().optional(),
    })
    .refine((detail) => detail.jobRunId !== undefined || detail.runId !== undefined, {
      message: "must carry jobRunId (or runId)",
      path: ["jobRunId"],
    }),
});

export const jobStateChangeEvent = z.discriminatedUnion("source", [glueJobStateChange, databrewJobStateChange]);

/** The event reduced to what lineage needs. */
export interface JobStateChange {
  readonly service: "glue" | "databrew";
  readonly jobName: string;
  readonly jobRunId: string;
  readonly state: JobRunState;
  readonly eventId: string;
  readonly eventTime: string;
}

export function jobStateChangeOf(event: z.infer<typeof jobStateChangeEvent>): JobStateChange {
  const { detail } = event;
  const jobRunId = event.source === "aws.glue" ? event.detail.jobRunId : (event.detail.jobRunId ?? event.detail.runId);
  if (jobRunId === undefined) throw new Error("unreachable: the schema requires a job run id");
  return {
    service: event.source === "aws.glue" ? "glue" : "databrew",
    jobName: detail.jobName,
    jobRunId,
    state: detail.state,
    eventId: event.id,
    eventTime: event.time,
  };
}

export type LineageEventType = "START" | "COMPLETE" | "FAIL" | "ABORT";

/** undefined: a transitional state (STOPPING, WAITING) that OpenLineage has no event for. */
export function lineageEventTypeOf(state: JobRunState): LineageEventType | undefined {
  switch (state) {
    case "STARTING":
    case "RUNNING":
      return "START";
    case "SUCCEEDED":
      return "COMPLETE";
    case "FAILED":
    case "TIMEOUT":
    case "ERROR":
      return "FAIL";
    case "STOPPED":
    case "EXPIRED":
      return "ABORT";
    case "STOPPING":
    case "WAITING":
      return undefined;
  }
}
