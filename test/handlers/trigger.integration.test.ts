/**
 * The trigger's idempotency guard against the local emulator (moto 5.2.5): S3 conditional writes
 * (If-None-Match / If-Match), Glue StartJobRun/GetJobRuns, CloudWatch Logs.
 * Not in the emulator: DataBrew StartJobRun (moto 5.2.5 answers 404), so the DataBrew client is an
 * aws-sdk-client-mock instance; every other client talks to moto. moto also completes Glue runs at once
 * (no STARTING/RUNNING), so Glue's own MaxConcurrentRuns cannot act as a guard here; the S3 claim does.
 */
import { DataBrewClient, StartJobRunCommand as StartDataBrewJobRun } from "@aws-sdk/client-databrew";
import { CreateJobCommand, DeleteJobCommand, GetJobRunsCommand } from "@aws-sdk/client-glue";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { verifyAuditTrail, readLogStream } from "../../handlers/audit/audit-trail";
import { ChainIndex } from "../../handlers/audit/chain-index";
import type { ChainedAuditEvent } from "../../handlers/audit/audit-event";
import { systemClock, type Clock } from "../../handlers/shared/clock";
import { lookupJobRun } from "../../handlers/shared/job-run-registry";
import { readJson } from "../../handlers/shared/object-store";
import { pipelineRunId } from "../../contracts/run-identity";
import { glueJobArguments } from "../../handlers/trigger/glue-arguments";
import { runWindowKey, type RunWindowClaim } from "../../handlers/trigger/run-window-claim";
import { startPipelineRun, type TriggerResult } from "../../handlers/trigger/start-pipeline-run";
import { AUDIT_LOG_GROUP, GLUE_JOB, LINEAGE_AUDIT_BUCKET, emulatedPlatformPerTest, emulatorAuditWriter } from "./support/emulated-platform";
import { triggerConfig } from "./support/handler-config";
import { triggerDeps } from "./support/handler-deps";

const databrewMock = mockClient(DataBrewClient);
const window = { environment: "local", profile: "card-transactions", runDate: "2026-03-01", attempt: 1 };
const RUN_ID = pipelineRunId(window);
const scheduleEvent = { source: "sentinel.scheduler", profile: "card-transactions", scheduled_time: "2026-03-02T02:00:00Z" };

describe("trigger idempotency on the emulator", () => {
  const platform = emulatedPlatformPerTest();
  let databrewRuns: number;

  beforeEach(() => {
    databrewMock.reset();
    databrewRuns = 0;
    databrewMock.on(StartDataBrewJobRun).callsFake(() => ({ RunId: `db_run_${++databrewRuns}` }));
  });

  /** One Lambda invocation: its own audit writer (as a separate execution environment would have). */
  function invoke(event: unknown, requestId: string, clock: Clock = systemClock): Promise<TriggerResult> {
    const audit = emulatorAuditWriter(platform.clients);
    return startPipelineRun(
      event,
      triggerDeps(platform.clients, audit, {
        clock,
        requestId,
        handlerName: "arn:aws:lambda:eu-central-2:123456789012:function:sentinel-local-trigger",
      }),
    );
  }

  async function glueRuns() {
    return (await platform.clients.glue.send(new GetJobRunsCommand({ JobName: GLUE_JOB }))).JobRuns ?? [];
  }

  async function auditEvents(runId = RUN_ID): Promise<ChainedAuditEvent[]> {
    return (await readLogStream(platform.clients.logs, AUDIT_LOG_GROUP, runId)).events as ChainedAuditEvent[];
  }

  async function claim(): Promise<RunWindowClaim> {
    return (await readJson(platform.clients.s3, LINEAGE_AUDIT_BUCKET, runWindowKey(window)))?.body as RunWindowClaim;
  }

  it("starts one run for a schedule event delivered twice, and audits both decisions", async () => {
    const first = await invoke(scheduleEvent, "req-1");
    const second = await invoke(scheduleEvent, "req-2");
    expect(first).toMatchObject({ decision: "started", pipeline_run_id: RUN_ID, databrew_run_id: "db_run_1" });
    expect(second).toEqual({ decision: "skipped", reason: "already_started", pipeline_run_id: RUN_ID });
    const runs = await glueRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]?.Arguments).toMatchObject(glueJobArguments(triggerConfig, window, RUN_ID, undefined, false));
    expect(databrewRuns).toBe(1);
    expect((await auditEvents()).map((event) => `${event.outcome}:${event.request_id}`)).toEqual(["success:req-1", "skipped:req-2"]);
    expect(await claim()).toMatchObject({ status: "started", glue_job_run_id: runs[0]?.Id, databrew_run_id: "db_run_1" });
    expect(await lookupJobRun(platform.clients.s3, LINEAGE_AUDIT_BUCKET, GLUE_JOB, runs[0]?.Id as string)).toMatchObject({
      pipeline_run_id: RUN_ID,
      service: "glue",
    });
  });

  it("starts one run when 8 deliveries of the same event arrive concurrently", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => invoke(scheduleEvent, `req-${i}`)));
    expect(results.filter((result) => result.decision === "started")).toHaveLength(1);
    expect(results.filter((result) => result.decision === "skipped")).toHaveLength(7);
    expect(await glueRuns()).toHaveLength(1);
    expect(databrewRuns).toBe(1);
    const report = await verifyAuditTrail({
      logs: platform.clients.logs,
      logGroupName: AUDIT_LOG_GROUP,
      runId: RUN_ID,
      index: new ChainIndex(platform.clients.s3, LINEAGE_AUDIT_BUCKET),
    });
    expect(report.verification).toMatchObject({ ok: true, count: 8 });
  });

  it("lets a retry resume after a failed start without starting DataBrew twice", async () => {
    await platform.clients.glue.send(new DeleteJobCommand({ JobName: GLUE_JOB }));
    await expect(invoke(scheduleEvent, "req-1")).rejects.toThrow(/EntityNotFound|not found/i);
    expect(await claim()).toMatchObject({ status: "start_failed", databrew_run_id: "db_run_1" });
    await platform.clients.glue.send(
      new CreateJobCommand({
        Name: GLUE_JOB,
        Role: "arn:aws:iam::123456789012:role/sentinel-local-glue",
        Command: { Name: "glueetl", ScriptLocation: "s3://x/y.py" },
      }),
    );
    const retry = await invoke(scheduleEvent, "req-2");
    expect(retry).toMatchObject({ decision: "started", databrew_run_id: "db_run_1" });
    expect(databrewRuns).toBe(1);
    expect(await glueRuns()).toHaveLength(1);
    expect((await auditEvents()).map((event) => event.outcome)).toEqual(["failure", "success"]);
  });

  it("after a crash (lease expired) adopts the Glue run the crashed invocation started", async () => {
    // the crashed invocation: claimed the window and started Glue, then died before recording the run
    const crashed = await invoke(scheduleEvent, "req-crashed");
    expect(crashed.decision).toBe("started");
    const stored = await readJson(platform.clients.s3, LINEAGE_AUDIT_BUCKET, runWindowKey(window));
    const forgotten = { ...(stored?.body as RunWindowClaim), glue_job_run_id: undefined, status: "claimed" };
    await platform.clients.s3.send(
      new PutObjectCommand({ Bucket: LINEAGE_AUDIT_BUCKET, Key: runWindowKey(window), Body: JSON.stringify(forgotten) }),
    );
    const withinLease = await invoke(scheduleEvent, "req-early");
    expect(withinLease).toMatchObject({ decision: "skipped", reason: "in_progress" });
    const afterLease = await invoke(
      scheduleEvent,
      "req-late",
      () => new Date(Date.now() + (triggerConfig.RUN_WINDOW_LEASE_SECONDS + 60) * 1000),
    );
    expect(afterLease).toMatchObject({
      decision: "started",
      glue_job_run_id: crashed.decision === "started" ? crashed.glue_job_run_id : "",
    });
    expect(await glueRuns()).toHaveLength(1);
    expect(databrewRuns).toBe(1);
  });

  it("property: any interleaving of duplicated deliveries starts exactly one run per window", async () => {
    let day = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 1, max: 4 }),
        async (deliveries, concurrency) => {
          // fresh run windows for every case (a new data day), so no emulator reset is needed between cases
          const runDate = new Date(Date.UTC(2025, 0, 1 + day++)).toISOString().slice(0, 10);
          const windows = [
            { source: "sentinel.manual", profile: "card-transactions", run_date: runDate },
            { source: "sentinel.manual", profile: "baf", run_date: runDate },
            { source: "sentinel.manual", profile: "baf", run_date: runDate, attempt: 2 },
          ];
          const databrewBefore = databrewRuns;
          for (let i = 0; i < deliveries.length; i += concurrency) {
            await Promise.all(deliveries.slice(i, i + concurrency).map((w, j) => invoke(windows[w], `req-${i + j}`)));
          }
          const distinct = new Set(deliveries).size;
          expect((await glueRuns()).filter((run) => run.Arguments?.["--run_date"] === runDate)).toHaveLength(distinct);
          expect(databrewRuns - databrewBefore).toBe(distinct);
        },
      ),
      { numRuns: 10 },
    );
  });
});
