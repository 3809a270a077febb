/**
 * The EventBridge events Glue and DataBrew emit when a job run changes state ("Glue Job State Change",
 * "DataBrew Job State Change"), built from a local job run with the fields and severities the services
 * use.
 */
import { randomUUID } from "node:crypto";
import type { EventBridgeEvent as AwsEventBridgeEvent } from "aws-lambda";
import { JOB_EVENT_SOURCES } from "../../contracts/job-events";
import type { JobRun } from "../job-runs/job-runs";

/** An EventBridge event as @types/aws-lambda defines it, with any detail type. */
export type EventBridgeEvent = AwsEventBridgeEvent<string, Record<string, unknown>>;

function severityOf(state: JobRun["state"]): "INFO" | "ERROR" | "WARN" {
  if (state === "FAILED") return "ERROR";
  return state === "TIMEOUT" ? "WARN" : "INFO";
}

function messageOf(run: Readonly<JobRun>): string {
  switch (run.state) {
    case "SUCCEEDED":
      return "Job run succeeded";
    case "FAILED":
      return run.errorMessage ?? "Job run failed";
    case "TIMEOUT":
      return "Job run timed out";
    default:
      return `Job run is ${run.state.toLowerCase()}`;
  }
}

export function jobStateChangeEvent(
  run: Readonly<JobRun>,
  scope: { readonly account: string; readonly region: string },
  now: Date = new Date(),
): EventBridgeEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": JOB_EVENT_SOURCES[run.service].detailType,
    source: JOB_EVENT_SOURCES[run.service].source,
    account: scope.account,
    // EventBridge writes times to the second
    time: `${now.toISOString().slice(0, 19)}Z`,
    region: scope.region,
    resources: [],
    detail: { jobName: run.jobName, severity: severityOf(run.state), state: run.state, jobRunId: run.runId, message: messageOf(run) },
  };
}
