/**
 * After the jobs: verify the run's audit chain with the auditor CLI (`sentinel audit verify`, the real
 * command), save the environment's state, and gather what the run produced (run metrics, PII profile,
 * lineage records and graph, the anomaly-score histogram of the processed rows) into a RunSummary.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { ChainVerification } from "../../handlers/audit/hash-chain";
import { S3LineageArchive } from "../../handlers/lineage/lineage-archive";
import { lineageGraph, recordsOfRun } from "../../handlers/lineage/lineage-query";
import { OpenLineageValidator } from "../../handlers/lineage/openlineage-validator";
import { readJson } from "../../handlers/shared/object-store";
import { lineageNamespace, type RunWindow } from "../../contracts/run-identity";
import { joinS3Uri, parseS3Uri } from "../../handlers/shared/s3-uri";
import type { TriggerResult } from "../../handlers/trigger/start-pipeline-run";
import type { LocalDeployment } from "../environment/local-deployment";
import type { ExecutedRun } from "./local-job-runner";
import type { DeliveredInput } from "./input-data";
import type { LocalPlatform } from "./local-platform";
import type { Progress } from "./progress";
import { consumerS3, processedFilesAsDataScientist, sentinelAs } from "./consumer-reads";
import type { AnomalyHistogram, AuditSummary, DeliverySummary, JobRunSummary, MetricsSummary, RunSummary } from "../report/run-summary";

export interface CollectedRun {
  readonly platform: LocalPlatform;
  readonly deployment: LocalDeployment;
  readonly window: RunWindow;
  readonly input: DeliveredInput;
  readonly trigger: TriggerResult;
  readonly executed: readonly ExecutedRun[];
  readonly deliveries: readonly DeliverySummary[];
  readonly startedAt: Date;
}

const HISTOGRAM_BINS = 24;

/**
 * `sentinel audit verify --json` against the local endpoint, trusting its loopback certificate (`caBundle`); also the
 * command a user can run.
 */
export function auditVerifyArguments(
  endpoint: string,
  caBundle: string,
  region: string,
  runId: string,
  logGroup: string,
  bucket: string,
): string[] {
  return [
    "--endpoint-url",
    endpoint,
    "--ca-bundle",
    caBundle,
    "--region",
    region,
    "audit",
    "verify",
    "--run-id",
    runId,
    "--log-group",
    logGroup,
    "--bucket",
    bucket,
  ];
}

async function verifyAudit(collected: CollectedRun, runId: string): Promise<AuditSummary> {
  const { platform, deployment } = collected;
  const config = deployment.triggerConfig;
  const args = auditVerifyArguments(
    platform.front.endpoint,
    platform.emulator.certificate,
    platform.scope.region,
    runId,
    config.AUDIT_LOG_GROUP_NAME,
    config.LINEAGE_AUDIT_BUCKET,
  );
  let text = "";
  let json = "";
  const io = { env: {}, stderr: (chunk: string) => (text += chunk) };
  // as the auditor: the consumer role Terraform created for auditors
  const auditor = await platform.consumerCredentials("auditor");
  await sentinelAs(auditor, args, { ...io, stdout: (chunk) => (text += chunk) });
  const code = await sentinelAs(auditor, [...args, "--json"], { ...io, stdout: (chunk) => (json += chunk) });
  const report = JSON.parse(json) as { logEventCount: number; verification: ChainVerification };
  const { verification } = report;
  return {
    runId,
    logGroup: config.AUDIT_LOG_GROUP_NAME,
    bucket: config.LINEAGE_AUDIT_BUCKET,
    ok: code === 0 && verification.ok,
    events: report.logEventCount,
    ...(verification.ok
      ? { headHash: verification.head?.hash }
      : { broken: `seq ${verification.broken.seq ?? "?"}: ${verification.broken.reason}` }),
    report: text.trim(),
  };
}

function metricsSummary(body: Record<string, unknown>): MetricsSummary {
  const input = (body.input ?? {}) as { files?: Array<{ path: string }>; files_skipped_by_bookmark?: number };
  const output = (body.output ?? {}) as { partitions?: string[] };
  const bins = body.bin_edges as {
    version: unknown;
    column: string;
    method: string;
    edges: number[];
    group_by?: string | null;
    groups?: Record<string, { edges: number[] }>;
  } | null;
  const mapping = body.merchant_mapping as { version: unknown; codes_version: unknown } | null;
  const error = body.error as { type?: string; message?: string } | undefined;
  return {
    status: String(body.status),
    rowsIn: Number(body.rows_in ?? 0),
    rowsOut: Number(body.rows_out ?? 0),
    rowsQuarantined: Number(body.rows_quarantined ?? 0),
    quarantineReasons: (body.quarantine_reasons ?? {}) as Record<string, number>,
    anomaliesFlagged: Number(body.anomalies_flagged ?? 0),
    tokenizedColumns: (body.tokenized_columns ?? {}) as Record<string, string>,
    keyVersion: body.key_version === null || body.key_version === undefined ? undefined : String(body.key_version),
    binEdges: bins
      ? {
          version: String(bins.version),
          column: bins.column,
          method: bins.method,
          edges: bins.edges,
          ...(bins.group_by && bins.groups
            ? {
                groupBy: bins.group_by,
                groups: Object.fromEntries(Object.entries(bins.groups).map(([group, fitted]) => [group, fitted.edges])),
              }
            : {}),
        }
      : undefined,
    merchantMapping: mapping ? { version: String(mapping.version), codesVersion: String(mapping.codes_version) } : undefined,
    modelHash: (body.model as { hash?: string } | null)?.hash,
    filesProcessed: (input.files ?? []).map((file) => file.path),
    filesSkippedByBookmark: input.files_skipped_by_bookmark ?? 0,
    partitions: Array.isArray(output.partitions) ? output.partitions : [],
    timings: (body.timings_seconds ?? {}) as Record<string, number>,
    ...(body.cloudwatch === undefined ? {} : { cloudwatch: body.cloudwatch as NonNullable<MetricsSummary["cloudwatch"]> }),
    ...(error === undefined ? {} : { error: `${error.type ?? "Error"}: ${error.message ?? ""}` }),
  };
}

function localCopyOf(platform: LocalPlatform, uri: string): string {
  const { bucket, key } = parseS3Uri(uri);
  const tier = Object.entries(platform.buckets).find(([, name]) => name === bucket)?.[0] ?? bucket;
  return join(platform.store.root, "s3", tier, ...key.split("/").filter(Boolean));
}

function filesOfRun(directory: string, runId: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.startsWith(`${runId}-`) && entry.name.endsWith(".parquet"))
    .map((entry) => join(entry.parentPath, entry.name));
}

function anomalyHistogram(projectRoot: string, files: readonly string[]): AnomalyHistogram | undefined {
  if (files.length === 0) return undefined;
  const python = join(projectRoot, ".venv", "bin", "python");
  const result = spawnSync(python, [join(import.meta.dirname, "..", "report", "processed_profile.py"), String(HISTOGRAM_BINS), ...files], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`could not read the processed Parquet for the report: ${result.stderr.trim()}`);
  const profile = JSON.parse(result.stdout) as { edges: number[]; counts: number[]; threshold: number | null };
  return { edges: profile.edges, counts: profile.counts, threshold: profile.threshold ?? undefined };
}

export async function collectRunSummary(collected: CollectedRun, progress: Progress): Promise<RunSummary> {
  const { platform, deployment, window, input, trigger, executed } = collected;
  const config = deployment.triggerConfig;
  const runId = trigger.decision === "refused" ? undefined : trigger.pipeline_run_id;

  // the trigger and lineage handler write to the pipeline run's chain; job state changes reach the audit handler per job run
  const chains = runId === undefined ? [] : [runId, ...executed.map((run) => run.run.runId)];
  const audit = await progress.step(
    "Verify the audit chains (sentinel audit verify)",
    async () =>
      (await Promise.all(chains.map((chain) => verifyAudit(collected, chain)))).filter(
        (result) => result.events > 0 || result.runId === runId,
      ),
    (results) =>
      results
        .map(
          (result) => `${result.runId.slice(0, 12)}… ${result.ok ? `intact (${result.events} events)` : `BROKEN: ${result.broken ?? ""}`}`,
        )
        .join("; ") || "no chain",
  );

  const glue = executed.find((run) => run.run.service === "glue");
  const metricsLocation = glue?.run.arguments["--metrics_location"];
  let metrics: MetricsSummary | undefined;
  if (metricsLocation !== undefined) {
    const { bucket, key } = parseS3Uri(joinS3Uri(metricsLocation, "run-metrics.json"));
    const stored = await readJson(platform.clients.s3, bucket, key);
    if (stored !== undefined) metrics = metricsSummary(stored.body as Record<string, unknown>);
  }
  const archive = new S3LineageArchive(
    await consumerS3(platform, "auditor"),
    config.LINEAGE_AUDIT_BUCKET,
    new OpenLineageValidator(),
    lineageNamespace(config.SENTINEL_ENVIRONMENT),
  );
  const records = runId === undefined ? [] : recordsOfRun(await archive.records(), runId);
  const graph = lineageGraph(records);

  await progress.step(
    "Save the environment's state (.sentinel/local)",
    () =>
      platform.store.save(
        platform.stateReader,
        platform.clients.logs,
        platform.buckets,
        platform.managedObjects,
        config.AUDIT_LOG_GROUP_NAME,
      ),
    (transfer) =>
      `${transfer.objects} new or changed objects (${(transfer.bytes / 1e6).toFixed(1)} MB), ${transfer.logEvents} audit events`,
  );

  const outputLocation = glue?.run.arguments["--output_location"];
  const processedFiles =
    outputLocation === undefined || glue === undefined ? [] : filesOfRun(localCopyOf(platform, outputLocation), glue.run.runId);
  // the report's histogram is drawn from what a data scientist reads of the run's output
  const readByDataScientist =
    outputLocation === undefined || glue === undefined || processedFiles.length === 0
      ? []
      : await processedFilesAsDataScientist(
          platform,
          outputLocation,
          glue.run.runId,
          join(platform.workDir, "data-scientist", glue.run.runId),
        );
  const profileRun = executed.find((run) => run.run.service === "databrew")?.databrew;
  const jobs: JobRunSummary[] = executed.map(({ run, glue: outcome }) => ({
    service: run.service,
    jobName: run.jobName,
    runId: run.runId,
    state: run.state,
    seconds: ((run.completedOn ?? new Date()).getTime() - run.startedOn.getTime()) / 1000,
    ...(run.errorMessage === undefined ? {} : { errorMessage: run.errorMessage }),
    ...(outcome === undefined ? {} : { log: outcome.driverLog }),
  }));
  const failed = jobs.find((job) => job.state !== "SUCCEEDED");
  const undelivered = collected.deliveries.find((delivery) => delivery.error !== undefined);
  const failure =
    trigger.decision !== "started"
      ? `the trigger did not start a run (${trigger.decision}${"reason" in trigger ? `: ${trigger.reason}` : ""})`
      : failed !== undefined
        ? `${failed.service} job ${failed.jobName} ${failed.state}${failed.errorMessage ? `: ${failed.errorMessage}` : ""}`
        : undelivered !== undefined
          ? `an event was not delivered to ${undelivered.functionName}: ${undelivered.error ?? ""}`
          : audit.some((chain) => !chain.ok)
            ? `an audit chain did not verify: ${audit
                .filter((chain) => !chain.ok)
                .map((chain) => `${chain.runId} ${chain.broken ?? ""}`)
                .join("; ")}`
            : undefined;

  return {
    environment: config.SENTINEL_ENVIRONMENT,
    profile: window.profile,
    runDate: window.runDate,
    attempt: window.attempt,
    pipelineRunId: runId ?? "",
    startedAt: collected.startedAt.toISOString(),
    totalSeconds: progress.elapsedSeconds,
    outcome: failure === undefined ? "succeeded" : "failed",
    ...(failure === undefined ? {} : { failure }),
    steps: progress.timings,
    input: { file: input.file, uri: input.uri, bytes: input.bytes, generated: input.generated },
    trigger: trigger as unknown as Record<string, unknown>,
    jobs,
    ...(profileRun?.profile === undefined || profileRun.output === undefined
      ? {}
      : {
          piiProfile: {
            uri: `s3://${profileRun.output.Bucket}/${profileRun.output.Key ?? ""}`,
            rowsProfiled: profileRun.profile.rowsProfiled,
            columns: profileRun.profile.columns.map((column) => ({ name: column.name, detected: column.detectedEntityTypes })),
            notEvaluated: profileRun.profile.entityTypes.notEvaluated,
          },
        }),
    ...(metrics === undefined ? {} : { metrics }),
    ...(readByDataScientist.length === 0 ? {} : { anomalyHistogram: anomalyHistogram(platform.projectRoot, readByDataScientist) }),
    ...(outputLocation === undefined
      ? {}
      : { processed: { uri: outputLocation, localCopy: localCopyOf(platform, outputLocation), files: processedFiles.length } }),
    lineage: {
      records: records.map((record) => ({
        eventType: record.event.eventType,
        job: record.event.job?.name ?? "?",
        uri: record.location,
        valid: record.problems.length === 0,
      })),
      graph: { nodes: [...graph.nodes].map(([id, kind]) => ({ id, kind })), edges: graph.edges },
    },
    audit,
    deliveries: collected.deliveries,
    stateDir: platform.store.root,
  };
}
