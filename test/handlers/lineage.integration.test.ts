/**
 * The lineage handler against the local emulator (moto 5.2.5): Glue GetJobRun/GetJob, Glue Catalog
 * GetTable/UpdateTable, S3 create-only writes with Object Lock (retention visible through HeadObject;
 * moto's GetObjectRetention response does not parse with this SDK, so it is not used), CloudWatch Logs.
 * Not in the emulator: DataBrew DescribeJobRun and StartJobRun (404 in moto 5.2.5), so DataBrew runs are
 * covered by lineage.unit.test.ts with aws-sdk-client-mock, and the trigger here uses a mocked DataBrew client.
 * moto's Glue runs are SUCCEEDED at once and carry no ErrorMessage, so a FAILED event is recorded
 * without an error message facet here (the unit tests cover the facet).
 */
import { DataBrewClient, StartJobRunCommand as StartDataBrewJobRun } from "@aws-sdk/client-databrew";
import { GetTableCommand, StartJobRunCommand } from "@aws-sdk/client-glue";
import { DeleteObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { readLogStream, verifyAuditTrail } from "../../handlers/audit/audit-trail";
import type { ChainedAuditEvent } from "../../handlers/audit/audit-event";
import { ChainIndex } from "../../handlers/audit/chain-index";
import { CATALOG_PARAMETERS } from "../../handlers/lineage/catalog-pointer";
import { LINEAGE_PREFIX } from "../../handlers/lineage/lineage-store";
import { OpenLineageValidator } from "../../handlers/lineage/openlineage-validator";
import { recordJobState, type LineageResult } from "../../handlers/lineage/record-job-state";
import type { OpenLineageRunEvent } from "../../handlers/lineage/run-event-builder";
import type { AuditRecorder } from "../../handlers/audit/audit-event";
import { registerJobRun } from "../../handlers/shared/job-run-registry";
import { readJson } from "../../handlers/shared/object-store";
import { pipelineRunId } from "../../contracts/run-identity";
import { parseS3Uri } from "../../handlers/shared/s3-uri";
import { glueJobArguments } from "../../handlers/trigger/glue-arguments";
import { startPipelineRun } from "../../handlers/trigger/start-pipeline-run";
import {
  AUDIT_LOG_GROUP,
  CATALOG_DATABASE,
  GLUE_JOB,
  LINEAGE_AUDIT_BUCKET,
  RAW_BUCKET,
  emulatedPlatformPerTest,
  emulatorAuditWriter,
} from "./support/emulated-platform";
import { triggerConfig } from "./support/handler-config";
import { lineageDeps, triggerDeps } from "./support/handler-deps";
import { glueStateChange, runMetricsDocument, startAndTerminalWritten } from "./support/lineage-fixtures";

const databrewMock = mockClient(DataBrewClient);
const validator = new OpenLineageValidator();
const window = { environment: "local", profile: "card-transactions", runDate: "2026-03-01", attempt: 1 };
const RUN_ID = pipelineRunId(window);

describe("lineage records on the emulator", () => {
  const platform = emulatedPlatformPerTest({ processedTables: ["card-transactions"] });

  beforeEach(() => {
    databrewMock.reset();
    databrewMock.on(StartDataBrewJobRun).resolves({ RunId: "db_run_1" });
  });

  const audit = () => emulatorAuditWriter(platform.clients);

  /** One invocation; pass a recorder to reuse a warm execution environment's audit writer. */
  function deliver(event: unknown, recorder: AuditRecorder = audit()): Promise<LineageResult> {
    return recordJobState(
      event,
      lineageDeps(platform.clients, recorder, {
        validator,
        handlerName: "arn:aws:lambda:eu-central-2:123456789012:function:sentinel-local-lineage",
      }),
    );
  }

  /** The trigger starts the run; the "Glue job" writes its raw inputs' metrics. */
  async function triggeredGlueRun(): Promise<string> {
    const started = await startPipelineRun(
      { source: "sentinel.manual", profile: "card-transactions", run_date: "2026-03-01" },
      triggerDeps(platform.clients, audit()),
    );
    if (started.decision !== "started") throw new Error("trigger did not start the run");
    await writeMetrics(glueJobArguments(triggerConfig, window, RUN_ID, undefined, false)["--metrics_location"] as string);
    return started.glue_job_run_id;
  }

  async function writeMetrics(metricsLocation: string): Promise<void> {
    const metrics = runMetricsDocument();
    for (const file of (metrics.input as { files: { path: string }[] }).files) {
      const { bucket, key } = parseS3Uri(file.path);
      await platform.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "customer_id,amount\n" }));
    }
    const { bucket, key } = parseS3Uri(`${metricsLocation}/run-metrics.json`);
    await platform.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(metrics) }));
  }

  async function lineageVersions(prefix = LINEAGE_PREFIX): Promise<string[]> {
    const listed = await platform.clients.s3.send(new ListObjectVersionsCommand({ Bucket: LINEAGE_AUDIT_BUCKET, Prefix: prefix }));
    return (listed.Versions ?? []).map((version) => `${version.Key}@${version.VersionId}`);
  }

  it("writes START and COMPLETE once, locked, and points the processed table at them", async () => {
    const jobRunId = await triggeredGlueRun();
    const result = await deliver(glueStateChange(GLUE_JOB, jobRunId, "SUCCEEDED"));
    expect(result).toMatchObject({
      decision: "recorded",
      pipeline_run_id: RUN_ID,
      records: startAndTerminalWritten("COMPLETE"),
    });
    if (result.decision !== "recorded") return;
    const complete = parseS3Uri(result.records[1]?.uri as string);
    const head = await platform.clients.s3.send(new HeadObjectCommand({ Bucket: complete.bucket, Key: complete.key }));
    expect(head.ObjectLockMode).toBe("COMPLIANCE");
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    await expect(
      platform.clients.s3.send(new DeleteObjectCommand({ Bucket: complete.bucket, Key: complete.key, VersionId: head.VersionId })),
    ).rejects.toThrow(/Access Denied|AccessDenied/);

    const rawVersion = (
      await platform.clients.s3.send(
        new HeadObjectCommand({ Bucket: RAW_BUCKET, Key: "card-transactions/run_date=2026-03-01/part-0000.csv" }),
      )
    ).VersionId;
    const record = (await readJson(platform.clients.s3, complete.bucket, complete.key))?.body as OpenLineageRunEvent;
    expect(validator.validate(record)).toEqual({ valid: true });
    expect(record.inputs[0]?.inputFacets?.sentinel_inputFiles?.files).toContainEqual(
      expect.objectContaining({ versionId: rawVersion, present: true }),
    );
    expect(record.job.facets.sourceCodeLocation).toMatchObject({
      url: "s3://sentinel-local-artifacts/glue-jobs/etl_job.py",
      version: expect.any(String),
    });

    const parameters = (
      await platform.clients.glue.send(new GetTableCommand({ DatabaseName: CATALOG_DATABASE, Name: "card_transactions" }))
    ).Table?.Parameters;
    expect(parameters).toMatchObject({
      classification: "parquet",
      [CATALOG_PARAMETERS.latestCompleteRecord]: result.records[1]?.uri,
      [CATALOG_PARAMETERS.pipelineRunId]: RUN_ID,
    });

    const trail = (await readLogStream(platform.clients.logs, AUDIT_LOG_GROUP, RUN_ID)).events as ChainedAuditEvent[];
    // the job run's START and COMPLETE, then the pipeline run's (the ETL job's terminal state closes it)
    expect(trail.map((event) => `${event.action}:${event.outcome}:${String(event.details.job_name)}`)).toEqual([
      "pipeline.start:success:undefined",
      `lineage.record:success:${GLUE_JOB}`,
      `lineage.record:success:${GLUE_JOB}`,
      "lineage.record:success:pipeline.card-transactions",
      "lineage.record:success:pipeline.card-transactions",
    ]);
    expect(result.pipeline_records.map((record) => record.uri)).toEqual([
      `s3://${LINEAGE_AUDIT_BUCKET}/lineage/sentinel-local/pipeline.card-transactions/${RUN_ID}/START.json`,
      `s3://${LINEAGE_AUDIT_BUCKET}/lineage/sentinel-local/pipeline.card-transactions/${RUN_ID}/COMPLETE.json`,
    ]);
  });

  it("writes no second record or object version when events are redelivered", async () => {
    const jobRunId = await triggeredGlueRun();
    await deliver(glueStateChange(GLUE_JOB, jobRunId, "RUNNING"));
    await deliver(glueStateChange(GLUE_JOB, jobRunId, "SUCCEEDED"));
    const before = await lineageVersions();
    const again = await Promise.all([
      deliver(glueStateChange(GLUE_JOB, jobRunId, "SUCCEEDED")),
      deliver(glueStateChange(GLUE_JOB, jobRunId, "STARTING")),
      deliver(glueStateChange(GLUE_JOB, jobRunId, "SUCCEEDED")),
    ]);
    expect(await lineageVersions()).toEqual(before);
    expect(before).toHaveLength(4);
    expect(again.flatMap((result) => (result.decision === "recorded" ? result.records.map((record) => record.written) : []))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    const report = await verifyAuditTrail({
      logs: platform.clients.logs,
      logGroupName: AUDIT_LOG_GROUP,
      runId: RUN_ID,
      index: new ChainIndex(platform.clients.s3, LINEAGE_AUDIT_BUCKET),
    });
    // trigger + (RUNNING: job and pipeline START) + (SUCCEEDED: both START and COMPLETE) + the redeliveries (4 + 2 + 4)
    expect(report.verification).toMatchObject({ ok: true, count: 1 + 2 + 4 + 10 });
  });

  it("property: any sequence of duplicated state events yields one record per (run, event type)", async () => {
    const states = ["STARTING", "RUNNING", "SUCCEEDED"] as const;
    const warm = audit();
    let succeededOnce = false;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...states), { minLength: 1, maxLength: 5 }), async (deliveries) => {
        // a fresh Glue run per case, registered as the trigger would
        const args = glueJobArguments(triggerConfig, window, RUN_ID, undefined, false);
        const { JobRunId: jobRunId } = await platform.clients.glue.send(new StartJobRunCommand({ JobName: GLUE_JOB, Arguments: args }));
        await registerJobRun(platform.clients.s3, LINEAGE_AUDIT_BUCKET, GLUE_JOB, jobRunId as string, {
          pipeline_run_id: RUN_ID,
          profile: "card-transactions",
          run_date: "2026-03-01",
          attempt: 1,
          service: "glue",
        });
        await writeMetrics(args["--metrics_location"] as string);
        const jobRecords = `${LINEAGE_PREFIX}sentinel-local/${GLUE_JOB}/`;
        const before = (await lineageVersions(jobRecords)).length;
        for (const state of deliveries) await deliver(glueStateChange(GLUE_JOB, jobRunId as string, state), warm);
        const expected = deliveries.includes("SUCCEEDED") ? 2 : 1;
        expect((await lineageVersions(jobRecords)).length - before).toBe(expected);
        // every case belongs to the same pipeline run: its records exist once, whatever the deliveries
        succeededOnce ||= deliveries.includes("SUCCEEDED");
        expect(await lineageVersions(`${LINEAGE_PREFIX}sentinel-local/pipeline.card-transactions/`)).toHaveLength(succeededOnce ? 2 : 1);
      }),
      { numRuns: 6 },
    );
  });
});
