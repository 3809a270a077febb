/**
 * The records of the parent pipeline run (`pipeline.<profile>`, run id = the pipeline run id) that every
 * job run's `parent` facet names. The lineage handler writes them as it records the job runs:
 * - START when it records the START of any job run of the pipeline (DataBrew profile or Glue ETL,
 *   whichever it sees first: create-only, so the first one's start time stays);
 * - COMPLETE, FAIL or ABORT when it records the Glue ETL job's terminal state: the ETL job is what the
 *   pipeline run delivers, so its outcome is the pipeline's (a failed PII profile shows in its own record).
 * The pipeline reads and writes nothing itself, so its records have no inputs or outputs.
 */
import { pipelineJobName } from "../../contracts/run-identity";
import type { LineageEventType } from "./job-state-event";
import { facetSchemaUrl } from "./openlineage-validator";
import { RUN_EVENT_SCHEMA_URL, type OpenLineageRunEvent } from "./run-event-builder";

export interface PipelineRunEventInput {
  readonly eventType: LineageEventType;
  readonly eventTime: string;
  readonly namespace: string;
  readonly producer: string;
  readonly pipelineRunId: string;
  readonly profile: string;
  readonly runDate: string | undefined;
  /** the ETL job's error, on FAIL/ABORT */
  readonly errorMessage: string | undefined;
}

function nextDay(runDate: string): string {
  const day = new Date(`${runDate}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString();
}

export function buildPipelineRunEvent(input: PipelineRunEventInput): OpenLineageRunEvent {
  const base = (key: string) => ({ _producer: input.producer, _schemaURL: facetSchemaUrl(key) });
  const runFacets: OpenLineageRunEvent["run"]["facets"] = {};
  if (input.runDate !== undefined)
    runFacets.nominalTime = {
      ...base("nominalTime"),
      nominalStartTime: `${input.runDate}T00:00:00.000Z`,
      nominalEndTime: nextDay(input.runDate),
    };
  if ((input.eventType === "FAIL" || input.eventType === "ABORT") && input.errorMessage !== undefined) {
    runFacets.errorMessage = { ...base("errorMessage"), message: input.errorMessage, programmingLanguage: "PYTHON" };
  }
  return {
    eventType: input.eventType,
    eventTime: input.eventTime,
    producer: input.producer,
    schemaURL: RUN_EVENT_SCHEMA_URL,
    run: { runId: input.pipelineRunId, facets: runFacets },
    job: {
      namespace: input.namespace,
      name: pipelineJobName(input.profile),
      facets: { jobType: { ...base("jobType"), processingType: "BATCH", integration: "SENTINEL", jobType: "PIPELINE" } },
    },
    inputs: [],
    outputs: [],
  };
}

/** Which pipeline records a job run's record implies: START always; the terminal one only for the ETL job. */
export function pipelineEventTypes(jobEventTypes: readonly LineageEventType[], isEtlJob: boolean): LineageEventType[] {
  return jobEventTypes.filter((type) => type === "START" || isEtlJob);
}
