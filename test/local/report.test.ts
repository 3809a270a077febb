import { describe, expect, it } from "vitest";
import { PIPELINE_METRICS } from "../../contracts/pipeline-metrics";
import { explorationHints } from "../../local/report/exploration-hints";
import { renderReport } from "../../local/report/html-report";
import { summaryText } from "../../local/report/summary-text";
import type { RunSummary } from "../../local/report/run-summary";

const base: RunSummary = {
  environment: "local",
  profile: "card-transactions",
  runDate: "2026-01-02",
  attempt: 1,
  pipelineRunId: "0b6f3c1e-2f55-5d7e-8a41-6c9d0e1f2a3b",
  startedAt: "2026-01-02T03:04:05.000Z",
  totalSeconds: 61.2,
  outcome: "succeeded",
  steps: [{ title: "Glue ETL job (deployed script on local Spark)", seconds: 40.5, ok: true }],
  input: { file: "/tmp/in.csv", uri: "s3://raw/landing/card-transactions/run_date=2026-01-02/in.csv", bytes: 400_000, generated: true },
  trigger: { decision: "started" },
  jobs: [{ service: "glue", jobName: "sentinel-local-etl", runId: "jr_1", state: "SUCCEEDED", seconds: 40 }],
  metrics: {
    status: "SUCCEEDED",
    rowsIn: 2000,
    rowsOut: 1990,
    rowsQuarantined: 10,
    quarantineReasons: { INVALID_TYPE: 6, "MISSING_VALUE<script>": 4 },
    anomaliesFlagged: 20,
    tokenizedColumns: { email: "encrypt" },
    keyVersion: "dev-1",
    binEdges: { version: "sha256:ab", column: "amount", method: "quantile", edges: [0, 10.5, 99] },
    merchantMapping: { version: "1.0.0", codesVersion: "sha256:cd" },
    modelHash: "sha256:ef",
    filesProcessed: ["s3://raw/in.csv"],
    filesSkippedByBookmark: 0,
    partitions: ["ingestion_date=2026-01-02"],
    timings: {},
  },
  anomalyHistogram: { edges: [0.3, 0.5, 0.7], counts: [1900, 90], threshold: 0.6 },
  lineage: {
    records: [{ eventType: "COMPLETE", job: "sentinel-local-etl", uri: "s3://lineage/x/COMPLETE.json", valid: true }],
    graph: {
      nodes: [
        { id: "s3://raw/landing/card-transactions/run_date=2026-01-02", kind: "dataset" },
        { id: "sentinel-local/sentinel-local-etl", kind: "job" },
        { id: "s3://processed/processed/card-transactions", kind: "dataset" },
      ],
      edges: [
        ["s3://raw/landing/card-transactions/run_date=2026-01-02", "sentinel-local/sentinel-local-etl"],
        ["sentinel-local/sentinel-local-etl", "s3://processed/processed/card-transactions"],
      ],
    },
  },
  audit: [
    {
      runId: "0b6f3c1e-2f55-5d7e-8a41-6c9d0e1f2a3b",
      logGroup: "/sentinel/local/audit",
      bucket: "lineage",
      ok: true,
      events: 7,
      headHash: "aa",
      report: "OK: hash chain intact",
    },
  ],
  deliveries: [{ event: "Glue Job State Change SUCCEEDED", rule: "r", functionName: "sentinel-local-lineage", attempts: 1 }],
  stateDir: "/tmp/state",
};

describe("run report", () => {
  it("is one self-contained page: inline SVG charts, no scripts, no external assets", () => {
    const html = renderReport(base);
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\((?!#)/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain("MISSING_VALUE&lt;script&gt;");
    expect(html).toContain("flagged from here");
    expect(html).toContain("sentinel-local-etl");
  });

  it("summarises counts, versions, lineage and audit in the terminal", () => {
    const text = summaryText(base, "/tmp/report.html");
    expect(text).toContain("Sentinel local pipeline: SUCCEEDED");
    expect(text).toContain("2,000 in = 1,990 out + 10 quarantined (counts add up)");
    expect(text).toContain("INVALID_TYPE: 6");
    expect(text).toContain("amount (quantile, version sha256:ab): 0 | 10.5 | 99");
    expect(text).toContain("hash chain intact, 7 events");
    expect(text).toContain("/tmp/report.html");
  });

  it("says whether the job published its CloudWatch metrics, and warns when it could not", () => {
    const metricNames = Object.values(PIPELINE_METRICS).map((metric) => metric.name);
    const published: RunSummary = {
      ...base,
      metrics: {
        ...base.metrics!,
        cloudwatch: { namespace: "Sentinel/Pipeline", environment: "local", metrics: metricNames, published: true },
      },
    };
    expect(summaryText(published, "r.html")).toContain("7 published to CloudWatch Sentinel/Pipeline (Environment=local): RowsIn, RowsOut");
    const failed: RunSummary = {
      ...base,
      metrics: {
        ...base.metrics!,
        cloudwatch: {
          namespace: "Sentinel/Pipeline",
          environment: "local",
          metrics: metricNames,
          published: false,
          error: "EndpointConnectionError: no route",
        },
      },
    };
    expect(summaryText(failed, "r.html")).toMatch(
      /Metrics\s+! NOT published to CloudWatch Sentinel\/Pipeline: EndpointConnectionError: no route/,
    );
    expect(summaryText(base, "r.html")).not.toContain("CloudWatch");
  });

  it("says when a run found no new input", () => {
    const again: RunSummary = {
      ...base,
      metrics: {
        ...base.metrics!,
        rowsIn: 0,
        rowsOut: 0,
        rowsQuarantined: 0,
        quarantineReasons: {},
        filesProcessed: [],
        filesSkippedByBookmark: 1,
      },
    };
    expect(summaryText(again, "r.html")).toContain(
      "0 processed: no new input since the last run (job bookmark: 1 landing file already processed)",
    );
  });
});

describe("exploration hints (--keep-running)", () => {
  it("point every aws and sentinel command at the HTTPS front, trusting its loopback certificate", () => {
    const hints = explorationHints(
      {
        front: { endpoint: "https://127.0.0.1:40123" },
        emulator: { certificate: "/home/user/.cache/sentinel/tls/loopback.pem" },
        buckets: { "lineage-audit": "sentinel-local-lineage-audit-123456789012" },
        deployer: { accessKeyId: "AKIALOCAL", secretAccessKey: "local-secret" },
      },
      base,
    );
    const commands = hints.split("\n").filter((line) => /^\s+(aws|npx sentinel) /.test(line));
    expect(commands.length).toBeGreaterThan(2);
    for (const command of commands)
      expect(command).toContain("--endpoint-url https://127.0.0.1:40123 --ca-bundle /home/user/.cache/sentinel/tls/loopback.pem ");
  });
});
