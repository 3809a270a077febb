/** Questions auditors ask of lineage records: which runs touched a dataset, one run's records, the graph. */
import type { ArchivedRecord } from "./lineage-archive";
import type { OpenLineageDataset, OpenLineageRunEvent } from "./run-event-builder";

/** `s3://bucket/path` form of a dataset, as users type it. */
export function datasetUri(dataset: Pick<OpenLineageDataset, "namespace" | "name">): string {
  return dataset.namespace.startsWith("s3://") ? `${dataset.namespace}/${dataset.name}` : `${dataset.namespace}:${dataset.name}`;
}

/** A dataset matches a filter when its URI starts with it, so a table prefix also matches its partitions. */
export function matchesDataset(dataset: Pick<OpenLineageDataset, "namespace" | "name">, filter: string): boolean {
  return datasetUri(dataset).startsWith(filter.replace(/\/+$/, ""));
}

function touches(event: OpenLineageRunEvent, filter: string): boolean {
  return [...(event.inputs ?? []), ...(event.outputs ?? [])].some((dataset) => matchesDataset(dataset, filter));
}

export interface RunSummary {
  readonly runId: string;
  readonly pipelineRunId: string | undefined;
  readonly job: string;
  /** the latest state recorded: COMPLETE, FAIL, ABORT, or START while it runs */
  readonly state: string;
  readonly startedAt: string | undefined;
  readonly endedAt: string | undefined;
  readonly rowsIn: number | undefined;
  readonly rowsOut: number | undefined;
  readonly rowsQuarantined: number | undefined;
  readonly invalidRecords: number;
}

interface SentinelRunFacetView {
  pipelineRunId?: string;
  rowCounts?: { rowsIn: number; rowsOut: number; rowsQuarantined: number };
}

function sentinelFacet(event: OpenLineageRunEvent): SentinelRunFacetView {
  return (event.run?.facets?.sentinel_run ?? {}) as SentinelRunFacetView;
}

/** One line per job run (latest state first by time), optionally only runs that read or wrote a dataset. */
export function summarizeRuns(records: readonly ArchivedRecord[], datasetFilter?: string): RunSummary[] {
  const byRun = new Map<string, ArchivedRecord[]>();
  for (const record of records) {
    const runId = record.event.run?.runId;
    if (runId === undefined) continue;
    byRun.set(runId, [...(byRun.get(runId) ?? []), record]);
  }
  const summaries: RunSummary[] = [];
  for (const [runId, runRecords] of byRun) {
    const events = runRecords.map((record) => record.event);
    if (datasetFilter !== undefined && !events.some((event) => touches(event, datasetFilter))) continue;
    const start = events.find((event) => event.eventType === "START");
    const terminal = events
      .filter((event) => event.eventType !== "START")
      .sort((a, b) => a.eventTime.localeCompare(b.eventTime))
      .at(-1);
    const latest = terminal ?? start ?? (events[0] as OpenLineageRunEvent);
    const counts = terminal === undefined ? undefined : sentinelFacet(terminal).rowCounts;
    summaries.push({
      runId,
      // a pipeline run's own records are named by the pipeline run id
      pipelineRunId: sentinelFacet(latest).pipelineRunId ?? (latest.job?.name?.startsWith("pipeline.") === true ? runId : undefined),
      job: `${latest.job?.namespace}/${latest.job?.name}`,
      state: latest.eventType,
      startedAt: start?.eventTime,
      endedAt: terminal?.eventTime,
      rowsIn: counts?.rowsIn,
      rowsOut: counts?.rowsOut,
      rowsQuarantined: counts?.rowsQuarantined,
      invalidRecords: runRecords.filter((record) => record.problems.length > 0).length,
    });
  }
  return summaries.sort((a, b) => (b.startedAt ?? b.endedAt ?? "").localeCompare(a.startedAt ?? a.endedAt ?? ""));
}

/** A run's START precedes its other events even when they carry the same time. */
function lifecycleRank(event: OpenLineageRunEvent): number {
  return event.eventType === "START" ? 0 : 1;
}

/** Every record of a job run (by OpenLineage run id) or of a pipeline run (by pipeline run id), in time order. */
export function recordsOfRun(records: readonly ArchivedRecord[], runId: string): ArchivedRecord[] {
  return records
    .filter((record) => record.event.run?.runId === runId || sentinelFacet(record.event).pipelineRunId === runId)
    .sort(
      (a, b) =>
        a.event.eventTime.localeCompare(b.event.eventTime) ||
        lifecycleRank(a.event) - lifecycleRank(b.event) ||
        a.location.localeCompare(b.location),
    );
}

export interface LineageGraph {
  /** dataset URIs and job names, each with a kind */
  readonly nodes: ReadonlyMap<string, "dataset" | "job">;
  /** from -> to: dataset -> job (read) and job -> dataset (wrote) */
  readonly edges: readonly (readonly [string, string])[];
}

export type GraphDirection = "upstream" | "downstream" | "both";

function jobNode(event: OpenLineageRunEvent): string {
  return `${event.job.namespace}/${event.job.name}`;
}

/** The dataset/job graph of all records, or the part upstream and/or downstream of datasets matching `focus`. */
export function lineageGraph(records: readonly ArchivedRecord[], focus?: string, direction: GraphDirection = "both"): LineageGraph {
  const nodes = new Map<string, "dataset" | "job">();
  const edges = new Map<string, readonly [string, string]>();
  for (const { event } of records) {
    // a pipeline run's own records read and write nothing: they are not part of the dataset graph
    if (event.job === undefined || (event.inputs ?? []).length + (event.outputs ?? []).length === 0) continue;
    const job = jobNode(event);
    nodes.set(job, "job");
    for (const input of event.inputs ?? []) {
      nodes.set(datasetUri(input), "dataset");
      edges.set(`${datasetUri(input)}>${job}`, [datasetUri(input), job]);
    }
    for (const output of event.outputs ?? []) {
      nodes.set(datasetUri(output), "dataset");
      edges.set(`${job}>${datasetUri(output)}`, [job, datasetUri(output)]);
    }
  }
  if (focus === undefined) return { nodes, edges: [...edges.values()] };

  const start = [...nodes].filter(([node, kind]) => kind === "dataset" && node.startsWith(focus.replace(/\/+$/, ""))).map(([node]) => node);
  const keep = new Set(start);
  const walk = (forward: boolean) => {
    const visited = new Set(start);
    const queue = [...start];
    while (queue.length > 0) {
      const node = queue.shift() as string;
      for (const [from, to] of edges.values()) {
        const next = forward ? (from === node ? to : undefined) : to === node ? from : undefined;
        if (next === undefined || visited.has(next)) continue;
        visited.add(next);
        keep.add(next);
        queue.push(next);
      }
    }
  };
  if (direction !== "upstream") walk(true);
  if (direction !== "downstream") walk(false);
  const keptEdges = [...edges.values()].filter(([from, to]) => keep.has(from) && keep.has(to));
  return { nodes: new Map([...nodes].filter(([node]) => keep.has(node))), edges: keptEdges };
}

/** `7d`, `24h`, `30m` before `now`, or an ISO date/time; the instant records must be at or after. */
export function sinceInstant(since: string, now: Date): string {
  const relative = /^(\d+)([dhm])$/.exec(since);
  if (relative !== null) {
    const unitMs = { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as "d" | "h" | "m"];
    return new Date(now.getTime() - Number(relative[1]) * unitMs).toISOString();
  }
  const absolute = new Date(since);
  if (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(absolute.getTime()))
    throw new Error(`--since must be like 7d, 24h, 30m or an ISO date, got "${since}"`);
  return absolute.toISOString();
}

/** Runs whose latest record is at or after `since` (an instant from sinceInstant). */
export function runsSince(runs: readonly RunSummary[], since: string): RunSummary[] {
  return runs.filter((run) => (run.endedAt ?? run.startedAt ?? "") >= since);
}

interface Transformation {
  type: string;
  subtype?: string;
  description?: string;
  masking?: boolean;
}

interface InputFieldView {
  namespace: string;
  name: string;
  field: string;
  transformations?: Transformation[];
}

interface ColumnLineageView {
  fields?: Record<string, { inputFields?: InputFieldView[] }>;
}

interface PiiFindingsView {
  columns?: Record<string, { entityTypes?: string[] }>;
}

/** One way a run used an input column: an output column made from it, or (a profile run) the column profiled. */
export interface ColumnUse {
  readonly eventTime: string;
  readonly state: string;
  readonly job: string;
  readonly runId: string;
  readonly pipelineRunId: string | undefined;
  /** the input dataset the column was read from */
  readonly input: string;
  /** the output dataset and column derived from it; undefined for a run that only profiled it */
  readonly output: string | undefined;
  readonly outputColumn: string | undefined;
  /** e.g. DIRECT/TRANSFORMATION, INDIRECT/WINDOW; several when the value passes through several steps */
  readonly transformations: readonly string[];
  readonly masked: boolean;
  /** how: the tokenization method and key version of a masked derivation, the stage otherwise; a profile's findings */
  readonly description: string;
}

/**
 * Every use of input column `column` in terminal records (COMPLETE, FAIL, ABORT): each output column
 * derived from it (the outputs' `columnLineage` facets), masked or not and how, and the profile runs that
 * read it (their input `schema` facet) with what they found in it. Optionally only records at or after
 * `since` and touching datasets under `dataset` (input or output).
 */
export function columnUses(
  records: readonly ArchivedRecord[],
  column: string,
  options: { since?: string; dataset?: string } = {},
): ColumnUse[] {
  const uses: ColumnUse[] = [];
  for (const { event } of records) {
    if (event.eventType === "START" || event.job === undefined) continue;
    if (options.since !== undefined && event.eventTime < options.since) continue;
    if (options.dataset !== undefined && !touches(event, options.dataset)) continue;
    const base = {
      eventTime: event.eventTime,
      state: event.eventType,
      job: jobNode(event),
      runId: event.run.runId,
      pipelineRunId: sentinelFacet(event).pipelineRunId,
    };
    let derived = false;
    for (const output of event.outputs ?? []) {
      const lineage = output.facets?.columnLineage as ColumnLineageView | undefined;
      for (const [outputColumn, { inputFields = [] }] of Object.entries(lineage?.fields ?? {})) {
        for (const inputField of inputFields.filter((candidate) => candidate.field === column)) {
          const transformations = inputField.transformations ?? [];
          derived = true;
          uses.push({
            ...base,
            input: datasetUri(inputField),
            output: datasetUri(output),
            outputColumn,
            transformations: transformations.map((step) => [step.type, step.subtype].filter((part) => part !== undefined).join("/")),
            masked: transformations.some((step) => step.masking === true),
            description: transformations
              .map((step) => step.description ?? "")
              .filter((text) => text !== "")
              .join("; "),
          });
        }
      }
    }
    if (derived) continue;
    for (const input of event.inputs ?? []) {
      const fields = (input.facets?.schema as { fields?: { name: string }[] } | undefined)?.fields ?? [];
      if (!fields.some((field) => field.name === column)) continue;
      const found = (input.facets?.sentinel_piiFindings as PiiFindingsView | undefined)?.columns?.[column]?.entityTypes;
      uses.push({
        ...base,
        input: datasetUri(input),
        output: undefined,
        outputColumn: undefined,
        transformations: [],
        masked: false,
        description: found === undefined ? "read" : `profiled: ${found.length === 0 ? "no PII found" : `found ${found.join(", ")}`}`,
      });
    }
  }
  return uses.sort(
    (a, b) =>
      b.eventTime.localeCompare(a.eventTime) ||
      a.job.localeCompare(b.job) ||
      (a.output ?? "").localeCompare(b.output ?? "") ||
      (a.outputColumn ?? "").localeCompare(b.outputColumn ?? ""),
  );
}
