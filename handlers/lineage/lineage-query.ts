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
    const terminal = events.filter((event) => event.eventType !== "START").sort((a, b) => a.eventTime.localeCompare(b.eventTime)).at(-1);
    const latest = terminal ?? start ?? (events[0] as OpenLineageRunEvent);
    const counts = terminal === undefined ? undefined : sentinelFacet(terminal).rowCounts;
    summaries.push({
      runId,
      pipelineRunId: sentinelFacet(latest).pipelineRunId,
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
    .sort((a, b) => a.event.eventTime.localeCompare(b.event.eventTime) || lifecycleRank(a.event) - lifecycleRank(b.event) || a.location.localeCompare(b.location));
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
