/**
 * Builds the OpenLineage RunEvent for one state of one job run. Pure: everything it needs is read
 * beforehand, so the same run and state always give the same record.
 */
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { jobRunLineageId, pipelineJobName } from "../../contracts/run-identity";
import { parseS3Uri } from "../shared/s3-uri";
import type { LineageEventType } from "./job-state-event";
import type { ObservedJobRun } from "./observed-job-run";
import { facetSchemaUrl } from "./openlineage-validator";
import { columnLineageFields, type DatasetName } from "./column-lineage-facet";
import type { PiiFindings } from "./pii-findings";
import type { RunMetrics } from "./run-metrics";

export const RUN_EVENT_SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

/** One raw object a run read, as S3 describes it when lineage is recorded. */
export interface InputFileVersion {
  readonly path: string;
  readonly bytes: number;
  readonly versionId: string | null;
  readonly etag: string | null;
  readonly present: boolean;
}

/** The pipeline run a job run belongs to; profile and run date are unknown for runs nobody registered. */
export interface PipelineLink {
  readonly pipelineRunId: string;
  readonly registered: boolean;
  readonly profile: string | undefined;
  readonly runDate: string | undefined;
}

export interface RunEventInput {
  readonly eventType: LineageEventType;
  readonly eventTime: string;
  readonly namespace: string;
  readonly producer: string;
  readonly run: ObservedJobRun;
  readonly pipeline: PipelineLink;
  readonly metrics: RunMetrics | undefined;
  readonly inputFiles: readonly InputFileVersion[] | undefined;
  /** DataBrew: what the profile found per column of its input */
  readonly findings?: PiiFindings | undefined;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Facets = Record<string, Record<string, Json>>;

export interface OpenLineageDataset {
  namespace: string;
  name: string;
  facets?: Facets;
  inputFacets?: Facets;
  outputFacets?: Facets;
}

export interface OpenLineageRunEvent {
  eventType: LineageEventType;
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets: Facets };
  job: { namespace: string; name: string; facets: Facets };
  inputs: OpenLineageDataset[];
  outputs: OpenLineageDataset[];
}

/** OpenLineage's S3 dataset naming: namespace `s3://<bucket>`, name the key path without slashes around it. */
export function s3Dataset(uri: string): OpenLineageDataset {
  const { bucket, key } = parseS3Uri(uri);
  return { namespace: `s3://${bucket}`, name: key.replace(/^\/+|\/+$/g, "") || "/" };
}

function nextDay(runDate: string): string {
  const day = new Date(`${runDate}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString();
}

function sha256(value: unknown): string {
  return createHash("sha256")
    .update(canonicalize(value) ?? "", "utf8")
    .digest("hex");
}

function compact<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

export function buildRunEvent(input: RunEventInput): OpenLineageRunEvent {
  const facet = (key: string, fields: Record<string, Json | undefined>): Record<string, Json> =>
    compact({ _producer: input.producer, _schemaURL: facetSchemaUrl(key), ...fields }) as Record<string, Json>;
  const { run, pipeline, metrics } = input;
  const runDate = metrics?.run_date ?? pipeline.runDate;
  const profile = metrics?.profile ?? pipeline.profile;

  const runFacets: Facets = { processing_engine: facet("processing_engine", { name: run.engine.name, version: run.engine.version }) };
  if (runDate !== undefined)
    runFacets.nominalTime = facet("nominalTime", { nominalStartTime: `${runDate}T00:00:00.000Z`, nominalEndTime: nextDay(runDate) });
  if (pipeline.registered && profile !== undefined) {
    runFacets.parent = facet("parent", {
      run: { runId: pipeline.pipelineRunId },
      job: { namespace: input.namespace, name: pipelineJobName(profile) },
    });
  }
  // the service's message first; else the one the job wrote into its metrics before failing
  const errorMessage = run.errorMessage ?? (metrics?.error === undefined ? undefined : `${metrics.error.type}: ${metrics.error.message}`);
  if ((input.eventType === "FAIL" || input.eventType === "ABORT") && errorMessage !== undefined) {
    runFacets.errorMessage = facet("errorMessage", {
      message: errorMessage,
      programmingLanguage: run.service === "glue" ? "PYTHON" : "UNKNOWN",
    });
  }
  runFacets.sentinel_run = facet("sentinel_run", sentinelRunFields(input, profile, runDate));

  const jobFacets: Facets = {
    jobType: facet("jobType", {
      processingType: "BATCH",
      integration: run.service === "glue" ? "GLUE" : "DATABREW",
      jobType: run.service === "glue" ? "JOB" : "PROFILE",
    }),
  };
  if (run.sourceCode !== undefined)
    jobFacets.sourceCodeLocation = facet("sourceCodeLocation", { type: "s3", url: run.sourceCode.url, version: run.sourceCode.version });

  return {
    eventType: input.eventType,
    eventTime: input.eventTime,
    producer: input.producer,
    schemaURL: RUN_EVENT_SCHEMA_URL,
    run: { runId: jobRunLineageId(run.jobName, run.jobRunId), facets: runFacets },
    job: { namespace: input.namespace, name: run.jobName, facets: jobFacets },
    inputs: inputDatasets(input, facet),
    outputs: outputDatasets(input, facet),
  };
}

type FacetFactory = (key: string, fields: Record<string, Json | undefined>) => Record<string, Json>;

function sentinelRunFields(
  input: RunEventInput,
  profile: string | undefined,
  runDate: string | undefined,
): Record<string, Json | undefined> {
  const { run, pipeline, metrics } = input;
  const base = {
    pipelineRunId: pipeline.pipelineRunId,
    jobRunId: run.jobRunId,
    profile: profile ?? "unknown",
    runDate,
    parameters: run.service === "glue" ? { ...run.arguments } : undefined,
    datasetName: run.datasetName,
  };
  if (metrics === undefined) return base;
  const { bin_edges: binEdges, merchant_mapping: mapping, model } = metrics;
  return {
    ...base,
    keyVersion: metrics.key_version ?? undefined,
    binEdges: binEdges === null ? undefined : binEdgesFacet(binEdges),
    merchantMapping: mapping === null ? undefined : { version: mapping.version, codesVersion: mapping.codes_version },
    model: model === null ? undefined : { hash: model.hash, params: modelParams(model) },
    tokenizedColumns: { ...metrics.tokenized_columns },
    anomaliesFlagged: metrics.anomalies_flagged,
    rowCounts: {
      rowsIn: metrics.rows_in,
      rowsOut: metrics.rows_out,
      rowsQuarantined: metrics.rows_quarantined,
      conserved: metrics.rows_in === metrics.rows_out + metrics.rows_quarantined,
    },
    timingsSeconds: { ...metrics.timings_seconds },
  };
}

/** The model's parameters: its `params` object, or every field but the hash when the job lists them flat. */
function modelParams(model: NonNullable<RunMetrics["model"]>): Json {
  if (model.params !== undefined) return model.params as Json;
  return Object.fromEntries(Object.entries(model).filter(([field]) => field !== "hash" && field !== "params")) as Json;
}

/** The raw prefixes a run read: the job's own list when it wrote metrics, else what the service reports. */
function inputPaths(input: RunEventInput): readonly string[] {
  const { metrics } = input;
  return metrics?.input.paths.length ? metrics.input.paths : input.run.inputUris;
}

/** The columns of the input: the profile's declared columns (Glue plan), or the columns DataBrew profiled (read as text). */
function inputSchemaFields(input: RunEventInput): Json[] | undefined {
  const declared = input.metrics?.column_lineage?.input_fields;
  if (declared !== undefined) return declared.map((field) => ({ name: field.name, type: field.type }));
  if (input.findings !== undefined) return [...input.findings.columns.keys()].map((name) => ({ name, type: "string" }));
  return undefined;
}

function piiFindingsFields(findings: PiiFindings): Record<string, Json> {
  const columns: Record<string, Json> = {};
  for (const [name, found] of findings.columns) columns[name] = { entityTypes: [...found.entityTypes], matches: { ...found.matches } };
  return { profileLocation: findings.profileLocation, rowsProfiled: findings.rowsProfiled, columns };
}

function inputDatasets(input: RunEventInput, facet: FacetFactory): OpenLineageDataset[] {
  const { metrics, inputFiles, findings } = input;
  const paths = inputPaths(input);
  const schemaFields = inputSchemaFields(input);
  return paths.map((path) => {
    const dataset = s3Dataset(path);
    const facets: Facets = {};
    if (schemaFields !== undefined) facets.schema = facet("schema", { fields: schemaFields });
    if (findings !== undefined) facets.sentinel_piiFindings = facet("sentinel_piiFindings", piiFindingsFields(findings));
    const files = inputFiles?.filter((file) => file.path.startsWith(path.replace(/\/?$/, "/")) || file.path === path);
    if (metrics === undefined || files === undefined) return Object.keys(facets).length === 0 ? dataset : { ...dataset, facets };
    const inputFacets: Facets = {
      dataQualityMetrics: facet("dataQualityMetrics", {
        rowCount: paths.length === 1 ? metrics.rows_in : undefined,
        bytes: files.reduce((sum, file) => sum + file.bytes, 0),
        fileCount: files.length,
        columnMetrics: {},
      }),
      sentinel_inputFiles: facet("sentinel_inputFiles", { files: files.map((file) => ({ ...file })) }),
    };
    // the version of an input is the exact set of object versions read
    facets.version = facet("version", { datasetVersion: sha256(files.map((file) => [file.path, file.versionId ?? file.etag])) });
    return { ...dataset, facets, inputFacets };
  });
}

function outputDatasets(input: RunEventInput, facet: FacetFactory): OpenLineageDataset[] {
  const { metrics } = input;
  const inputs: DatasetName[] = inputPaths(input).map((path) => s3Dataset(path));
  const columnLineage = (role: "processed" | "quarantine"): Facets => {
    const fields = columnLineageFields(metrics?.column_lineage, role, inputs);
    return fields === undefined ? {} : { columnLineage: facet("columnLineage", fields as unknown as Record<string, Json>) };
  };
  return input.run.outputs.map(({ role, uri }) => {
    if (metrics === undefined || role === "profile") return s3Dataset(uri);
    if (role === "processed") {
      return {
        ...s3Dataset(metrics.output.processed_path),
        facets: {
          schema: facet("schema", { fields: metrics.processed_schema.map((field) => ({ name: field.name, type: field.type })) }),
          ...columnLineage("processed"),
        },
        outputFacets: { outputStatistics: facet("outputStatistics", { rowCount: metrics.rows_out }) },
      };
    }
    return {
      ...s3Dataset(metrics.output.quarantine_path),
      facets: {
        sentinel_quarantine: facet("sentinel_quarantine", { reasons: { ...metrics.quarantine_reasons } }),
        ...columnLineage("quarantine"),
      },
      outputFacets: { outputStatistics: facet("outputStatistics", { rowCount: metrics.rows_quarantined }) },
    };
  });
}

/** The fitted bin edges as the sentinel_run facet states them: one set, or one set per value of `groupBy`. */
function binEdgesFacet(bins: NonNullable<RunMetrics["bin_edges"]>): Json {
  const facet: { [key: string]: Json } = { version: bins.version, column: bins.column, method: bins.method, edges: bins.edges };
  if (bins.group_by && bins.groups) {
    facet.groupBy = bins.group_by;
    facet.groups = Object.fromEntries(
      Object.entries(bins.groups).map(([group, fitted]) => [group, { version: fitted.version, edges: fitted.edges }]),
    );
  }
  return facet;
}
