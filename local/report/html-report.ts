/**
 * The run report: one self-contained HTML file (inline CSS and SVG, no scripts or external assets) with
 * the summary, the quarantine reasons, the anomaly-score histogram, the lineage graph, the PII profile,
 * the step timings and the event deliveries.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { RunSummary } from "./run-summary";
import { runFacts } from "./run-facts";
import { barChart, escapeXml, histogram, lineageGraph } from "./svg-charts";

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; color: #0f172a; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #e2e8f0; padding-bottom: .25rem; }
.outcome { display: inline-block; padding: .15rem .6rem; border-radius: 999px; font-weight: 600; font-size: .9rem; }
.succeeded { background: #dcfce7; color: #166534; } .failed { background: #fee2e2; color: #991b1b; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #f1f5f9; }
th { width: 9rem; color: #475569; font-weight: 600; }
td.warning { color: #b91c1c; font-weight: 600; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; word-break: break-all; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
.empty { color: #64748b; font-style: italic; }
svg { max-width: 100%; height: auto; }
.muted { color: #64748b; font-size: .85rem; }
`;

function factsTable(summary: RunSummary): string {
  const rows = runFacts(summary).map(
    (fact) =>
      `<tr><th>${escapeXml(fact.label)}</th><td class="${fact.warning ? "warning" : ""}">${fact.lines.map((line) => `<div class="mono">${escapeXml(line)}</div>`).join("")}</td></tr>`,
  );
  return `<table>${rows.join("")}</table>`;
}

function piiTable(summary: RunSummary): string {
  const profile = summary.piiProfile;
  if (profile === undefined) return `<p class="empty">no PII profile (the DataBrew job did not succeed)</p>`;
  const rows = profile.columns.map(
    (column) =>
      `<tr><td class="mono">${escapeXml(column.name)}</td><td>${column.detected.length === 0 ? "—" : escapeXml(column.detected.join(", "))}</td></tr>`,
  );
  const note =
    profile.notEvaluated.length === 0
      ? ""
      : `<p class="muted">Entity types the local profile cannot detect (reported, not guessed): ${escapeXml(profile.notEvaluated.join(", "))}</p>`;
  return `<table><tr><th>column</th><th>entity types detected</th></tr>${rows.join("")}</table>${note}`;
}

function deliveriesTable(summary: RunSummary): string {
  if (summary.deliveries.length === 0) return `<p class="empty">no events delivered</p>`;
  const rows = summary.deliveries.map(
    (delivery) =>
      `<tr><td>${escapeXml(delivery.event)}</td><td class="mono">${escapeXml(delivery.rule)}</td><td class="mono">${escapeXml(delivery.functionName)}</td><td class="${delivery.error ? "warning" : ""}">${delivery.error === undefined ? `delivered (attempt ${delivery.attempts})` : escapeXml(delivery.error)}</td></tr>`,
  );
  return `<table><tr><th>event</th><th>rule</th><th>function</th><th>result</th></tr>${rows.join("")}</table>`;
}

export function renderReport(summary: RunSummary): string {
  const metrics = summary.metrics;
  const reasons = Object.entries(metrics?.quarantineReasons ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([label, value]) => ({ label, value }));
  const anomaly = summary.anomalyHistogram;
  const steps = summary.steps.map((step) => ({
    label: step.title,
    value: step.seconds,
    caption: `${step.seconds.toFixed(1)} s${step.ok ? "" : " (failed)"}`,
  }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sentinel run ${escapeXml(summary.pipelineRunId)}</title><style>${STYLE}</style></head>
<body>
<h1>Sentinel local pipeline run <span class="outcome ${summary.outcome}">${summary.outcome}</span></h1>
<p class="muted">${escapeXml(summary.profile)} · run date ${escapeXml(summary.runDate)} (attempt ${summary.attempt}) · started ${escapeXml(summary.startedAt)} · ${summary.totalSeconds.toFixed(1)} s</p>
<h2>Summary</h2>
${factsTable(summary)}
<div class="grid">
<section><h2>Quarantine reasons</h2>${barChart(reasons, { title: "Rows quarantined by reason", width: 520 })}</section>
<section><h2>Anomaly scores</h2>${anomaly === undefined ? `<p class="empty">no rows scored in this run</p>` : histogram(anomaly.edges, anomaly.counts, { title: "Anomaly-score histogram", marker: anomaly.threshold, markerLabel: "flagged from here" })}</section>
</div>
<h2>Lineage of this run</h2>
${lineageGraph(summary.lineage.graph.nodes, summary.lineage.graph.edges, "Datasets and jobs of this pipeline run")}
<p class="muted">Datasets (rounded) read and written by jobs (square), from the run's OpenLineage records.</p>
<h2>PII found in the landing files (DataBrew profile)</h2>
${piiTable(summary)}
<h2>Steps</h2>
${barChart(steps, { title: "Step durations", color: "#0f766e", width: 900 })}
<h2>Job state-change events</h2>
${deliveriesTable(summary)}
<h2>Audit verification</h2>
${summary.audit.length === 0 ? `<p class="empty">not verified: no pipeline run was started</p>` : summary.audit.map((chain) => `<pre class="mono">$ npx sentinel audit verify --run-id ${escapeXml(chain.runId)} …\n${escapeXml(chain.report)}</pre>`).join("")}
</body></html>
`;
}

export function writeReport(summary: RunSummary, path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderReport(summary));
  return path;
}
