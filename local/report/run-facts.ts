/**
 * The run summary as labelled facts, in reading order: the one wording both the terminal summary and the
 * HTML report use.
 */
import type { RunSummary } from "./run-summary";

export interface Fact {
  readonly label: string;
  readonly lines: readonly string[];
  /** a fact that signals a problem */
  readonly warning?: boolean;
}

const count = (value: number) => value.toLocaleString("en-US");
const percent = (part: number, whole: number) => (whole === 0 ? "0 %" : `${((100 * part) / whole).toFixed(1)} %`);

function rowFacts(summary: RunSummary): Fact[] {
  const metrics = summary.metrics;
  if (metrics === undefined) return [];
  if (metrics.rowsIn === 0 && metrics.filesProcessed.length === 0) {
    const skipped = metrics.filesSkippedByBookmark;
    return [
      {
        label: "Rows",
        lines: [
          `0 processed: no new input since the last run (job bookmark: ${skipped} landing file${skipped === 1 ? "" : "s"} already processed)`,
        ],
      },
    ];
  }
  const adds = metrics.rowsIn === metrics.rowsOut + metrics.rowsQuarantined;
  const reasons = Object.entries(metrics.quarantineReasons).sort((a, b) => b[1] - a[1]);
  const facts: Fact[] = [
    {
      label: "Rows",
      lines: [
        `${count(metrics.rowsIn)} in = ${count(metrics.rowsOut)} out + ${count(metrics.rowsQuarantined)} quarantined (${adds ? "counts add up" : "COUNTS DO NOT ADD UP"})`,
      ],
      warning: !adds,
    },
  ];
  if (metrics.filesSkippedByBookmark > 0) {
    facts.push({
      label: "Bookmark",
      lines: [
        `${metrics.filesProcessed.length} new file(s) processed, ${metrics.filesSkippedByBookmark} already processed by earlier runs skipped`,
      ],
    });
  }
  facts.push({ label: "Quarantined", lines: reasons.length === 0 ? ["none"] : reasons.map(([reason, n]) => `${reason}: ${count(n)}`) });
  facts.push({
    label: "Anomalies",
    lines: [`${count(metrics.anomaliesFlagged)} flagged (${percent(metrics.anomaliesFlagged, metrics.rowsOut)} of rows out)`],
  });
  facts.push({
    label: "Tokenized",
    lines: [
      ...Object.entries(metrics.tokenizedColumns).map(([column, method]) => `${column}: ${method}`),
      `key version ${metrics.keyVersion ?? "-"}`,
    ],
  });
  if (metrics.binEdges !== undefined) {
    const { column, method, version, edges, groupBy, groups } = metrics.binEdges;
    const joined = (values: readonly number[]) =>
      values.map((edge) => edge.toLocaleString("en-US", { maximumFractionDigits: 2 })).join(" | ");
    const lines =
      groupBy !== undefined && groups !== undefined
        ? [
            `${column} within each ${groupBy} (${method}, version ${version}):`,
            ...Object.entries(groups).map(([group, groupEdges]) => `  ${group}: ${joined(groupEdges)}`),
          ]
        : [`${column} (${method}, version ${version}): ${joined(edges)}`];
    facts.push({ label: "Bin edges", lines });
  }
  if (metrics.cloudwatch !== undefined) {
    const { namespace, environment, published, error } = metrics.cloudwatch;
    facts.push({
      label: "Metrics",
      lines: [
        published
          ? `${metrics.cloudwatch.metrics.length} published to CloudWatch ${namespace} (Environment=${environment}): ${metrics.cloudwatch.metrics.join(", ")}`
          : `NOT published to CloudWatch ${namespace}: ${error ?? "unknown error"}`,
      ],
      warning: !published,
    });
  }
  if (metrics.merchantMapping !== undefined) {
    facts.push({
      label: "Mappings",
      lines: [
        `merchant categories version ${metrics.merchantMapping.version}, category codes version ${metrics.merchantMapping.codesVersion}`,
        `anomaly model sha256 ${metrics.modelHash ?? "-"}`,
      ],
    });
  }
  return facts;
}

export function runFacts(summary: RunSummary): Fact[] {
  const facts: Fact[] = [
    {
      label: "Run",
      lines: [
        `pipeline run ${summary.pipelineRunId || "-"} (environment ${summary.environment}, ${summary.profile}, ${summary.runDate} attempt ${summary.attempt})`,
      ],
    },
    {
      label: "Input",
      lines: [
        `${summary.input.uri} (${(summary.input.bytes / 1e6).toFixed(1)} MB, ${summary.input.generated ? "generated sample" : summary.input.file})`,
      ],
    },
  ];
  if (summary.failure !== undefined) facts.push({ label: "Failure", lines: [summary.failure], warning: true });
  for (const job of summary.jobs) {
    facts.push({
      label: job.service === "glue" ? "Glue job" : "DataBrew job",
      lines: [
        `${job.jobName} run ${job.runId.slice(0, 16)}… ${job.state} in ${job.seconds.toFixed(1)} s${job.errorMessage ? `: ${job.errorMessage}` : ""}`,
      ],
      warning: job.state !== "SUCCEEDED",
    });
  }
  if (summary.piiProfile !== undefined) {
    const detected = summary.piiProfile.columns.filter((column) => column.detected.length > 0);
    facts.push({
      label: "PII found",
      lines: [
        ...(detected.length === 0
          ? ["no entity type detected"]
          : detected.map((column) => `${column.name}: ${column.detected.join(", ")}`)),
        `profile of ${count(summary.piiProfile.rowsProfiled)} rows: ${summary.piiProfile.uri}`,
      ],
    });
  }
  facts.push(...rowFacts(summary));
  if (summary.metrics?.error !== undefined) facts.push({ label: "Job error", lines: [summary.metrics.error], warning: true });
  if (summary.processed !== undefined && summary.processed.files > 0) {
    facts.push({
      label: "Processed",
      lines: [
        `${summary.processed.uri} (${summary.processed.files} Parquet file(s) from this run)`,
        `local copy: ${summary.processed.localCopy}`,
      ],
    });
  }
  facts.push({
    label: "Lineage",
    lines:
      summary.lineage.records.length === 0
        ? ["no records"]
        : summary.lineage.records.map((record) => `${record.eventType} ${record.job}${record.valid ? "" : " (INVALID)"}: ${record.uri}`),
    warning: summary.lineage.records.some((record) => !record.valid),
  });
  if (summary.audit.length > 0) {
    facts.push({
      label: "Audit",
      lines: summary.audit.map((chain) =>
        chain.ok
          ? `sentinel audit verify --run-id ${chain.runId}: hash chain intact, ${chain.events} events, head ${chain.headHash ?? "-"}`
          : `sentinel audit verify --run-id ${chain.runId}: BROKEN at ${chain.broken ?? "?"}`,
      ),
      warning: summary.audit.some((chain) => !chain.ok),
    });
  }
  const undelivered = summary.deliveries.filter((delivery) => delivery.error !== undefined);
  facts.push({
    label: "Events",
    lines: [
      `${summary.deliveries.length} deliveries through the deployed EventBridge rules${undelivered.length === 0 ? "" : `, ${undelivered.length} FAILED`}`,
    ],
    warning: undelivered.length > 0,
  });
  return facts;
}
