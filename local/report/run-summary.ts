/**
 * Everything a person wants to know after a local pipeline run, collected once and rendered twice: as
 * text on the terminal (summary-text.ts) and as the HTML report (html-report.ts); local/run/collect-summary.ts
 * collects it. Also written as JSON next to the report, for scripts and tests.
 */
import type { RunWindow } from "../../contracts/run-identity";

/** How long one step of the run took, and whether it succeeded (local/run/progress.ts measures it). */
export interface StepTiming {
  readonly title: string;
  readonly seconds: number;
  readonly ok: boolean;
}

export interface JobRunSummary {
  readonly service: "glue" | "databrew";
  readonly jobName: string;
  readonly runId: string;
  readonly state: string;
  readonly seconds: number;
  readonly errorMessage?: string;
  /** local log of the run (driver log for Glue) */
  readonly log?: string;
}

export interface PiiColumnSummary {
  readonly name: string;
  readonly detected: readonly string[];
}

export interface BinEdgesSummary {
  readonly version: string;
  readonly column: string;
  readonly method: string;
  readonly edges: readonly number[];
  /** Binned within each value of this column (e.g. currency): `groups` holds each value's edges. */
  readonly groupBy?: string;
  readonly groups?: Readonly<Record<string, readonly number[]>>;
}

export interface MetricsSummary {
  readonly status: string;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly rowsQuarantined: number;
  readonly quarantineReasons: Readonly<Record<string, number>>;
  readonly anomaliesFlagged: number;
  readonly tokenizedColumns: Readonly<Record<string, string>>;
  readonly keyVersion: string | undefined;
  readonly binEdges: BinEdgesSummary | undefined;
  readonly merchantMapping: { readonly version: string; readonly codesVersion: string } | undefined;
  readonly modelHash: string | undefined;
  readonly filesProcessed: readonly string[];
  readonly filesSkippedByBookmark: number;
  readonly partitions: readonly string[];
  readonly timings: Readonly<Record<string, number>>;
  /** what the job recorded about publishing its Sentinel/Pipeline CloudWatch metrics */
  readonly cloudwatch?: {
    readonly namespace: string;
    readonly environment: string;
    readonly metrics: readonly string[];
    readonly published: boolean;
    readonly error?: string;
  };
  readonly error?: string;
}

export interface AnomalyHistogram {
  /** bin edges, one more than counts */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  readonly threshold: number | undefined;
}

export interface LineageRecordSummary {
  readonly eventType: string;
  readonly job: string;
  readonly uri: string;
  readonly valid: boolean;
}

export interface LineageGraphSummary {
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly kind: "dataset" | "job" }>;
  readonly edges: ReadonlyArray<readonly [string, string]>;
}

/** One audit chain (log stream) the run wrote to, as `sentinel audit verify` found it. */
export interface AuditSummary {
  /** the chain's run id: the pipeline run id, or a job run id (job state changes are audited per job run) */
  readonly runId: string;
  readonly logGroup: string;
  readonly bucket: string;
  readonly ok: boolean;
  readonly events: number;
  readonly headHash?: string;
  readonly broken?: string;
  /** what `sentinel audit verify` printed */
  readonly report: string;
}

export interface DeliverySummary {
  readonly event: string;
  readonly rule: string;
  readonly functionName: string;
  readonly attempts: number;
  readonly error?: string;
}

/** One pipeline run: its window (environment, profile, day, attempt) and what the run did in it. */
export interface RunSummary extends RunWindow {
  readonly pipelineRunId: string;
  readonly startedAt: string;
  readonly totalSeconds: number;
  readonly outcome: "succeeded" | "failed";
  readonly failure?: string;
  readonly steps: readonly StepTiming[];
  readonly input: { readonly file: string; readonly uri: string; readonly bytes: number; readonly generated: boolean };
  readonly trigger: Readonly<Record<string, unknown>>;
  readonly jobs: readonly JobRunSummary[];
  readonly piiProfile?: {
    readonly uri: string;
    readonly rowsProfiled: number;
    readonly columns: readonly PiiColumnSummary[];
    readonly notEvaluated: readonly string[];
  };
  readonly metrics?: MetricsSummary;
  readonly anomalyHistogram?: AnomalyHistogram;
  readonly processed?: { readonly uri: string; readonly localCopy: string; readonly files: number };
  readonly lineage: { readonly records: readonly LineageRecordSummary[]; readonly graph: LineageGraphSummary };
  /** every audit chain of the run: the pipeline run's and each job run's */
  readonly audit: readonly AuditSummary[];
  readonly deliveries: readonly DeliverySummary[];
  readonly stateDir: string;
}
