/** Trigger branches and error paths with mocked SDK clients (aws-sdk-client-mock). */
import { DataBrewClient, StartJobRunCommand as StartDataBrewJobRun } from "@aws-sdk/client-databrew";
import { GetJobRunsCommand, GlueClient, StartJobRunCommand as StartGlueJobRun } from "@aws-sdk/client-glue";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { MalformedEventError } from "../../handlers/shared/errors";
import { triggerHandlerEnvironment } from "../../handlers/trigger/config";
import { glueJobArguments } from "../../handlers/trigger/glue-arguments";
import type { RunWindowClaim } from "../../handlers/trigger/run-window-claim";
import { startPipelineRun, type TriggerDeps } from "../../handlers/trigger/start-pipeline-run";
import { runRequestOf, triggerEvent } from "../../handlers/trigger/trigger-event";
import { triggerConfig, triggerEnvironment } from "./support/handler-config";
import { quietLogger } from "./support/quiet-logger";
import { RecordingAudit } from "./support/recording-audit";
import { preconditionFailed } from "./support/s3-errors";

const NOW = new Date("2026-03-02T02:00:05Z");
const s3 = mockClient(S3Client);
const glue = mockClient(GlueClient);
const databrew = mockClient(DataBrewClient);
let audit: RecordingAudit;

function deps(clock = () => NOW): TriggerDeps {
  return {
    config: triggerConfig,
    s3: new S3Client({ region: "eu-central-2" }),
    glue: new GlueClient({ region: "eu-central-2" }),
    databrew: new DataBrewClient({ region: "eu-central-2" }),
    audit,
    clock,
    logger: quietLogger,
    requestId: "req-unit",
    handlerName: "arn:aws:lambda:eu-central-2:123456789012:function:sentinel-trigger",
  };
}

const manual = { source: "sentinel.manual", profile: "baf", run_date: "2026-03-01" };

function storedClaim(claim: Partial<RunWindowClaim>) {
  const body: RunWindowClaim = {
    schema_version: 1,
    pipeline_run_id: "run",
    profile: "baf",
    run_date: "2026-03-01",
    attempt: 1,
    status: "claimed",
    claimed_by: "req-earlier",
    lease_expires_at: new Date(NOW.getTime() + 60_000).toISOString(),
    metrics_location: "s3://sentinel-local-lineage-audit/run-metrics/baf/2026-03-01/run",
    updated_at: NOW.toISOString(),
    ...claim,
  };
  return { ETag: '"claim-v1"', Body: { transformToString: async () => JSON.stringify(body) } } as never;
}

beforeEach(() => {
  s3.reset();
  glue.reset();
  databrew.reset();
  audit = new RecordingAudit();
});

describe("trigger event parsing", () => {
  it("turns a schedule firing into the previous day's run window (RUN_DATE_LAG_DAYS=1)", () => {
    const event = triggerEvent.parse({ source: "sentinel.scheduler", profile: "baf", scheduled_time: "2026-03-01T00:30:00Z" });
    expect(runRequestOf(event, 1)).toEqual({ profile: "baf", runDate: "2026-02-28", attempt: 1, refit: false, inputPrefix: undefined });
  });

  it.each([
    [{ ...manual, run_date: "2026-02-30" }, "run_date"],
    [{ ...manual, run_date: "01/03/2026" }, "run_date"],
    [{ ...manual, profile: "Card Transactions" }, "profile"],
    [{ ...manual, input_prefix: "/local/raw" }, "input_prefix"],
    [{ ...manual, attempt: 0 }, "attempt"],
    [{ source: "sentinel.scheduler", profile: "baf" }, "scheduled_time"],
    [{ source: "aws.events", profile: "baf" }, "source"],
  ])("rejects %j naming %s", (event, field) => {
    const result = triggerEvent.safeParse(event);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join("."))).toContain(field);
  });
});

describe("trigger configuration", () => {
  it("names every missing or invalid variable at cold start", () => {
    const result = triggerHandlerEnvironment.safeParse({
      ...triggerEnvironment,
      GLUE_JOB_NAME: undefined,
      METRICS_LOCATION_TEMPLATE: "s3://bucket/metrics/{profile}",
      OBJECT_LOCK_MODE: "NONE",
    });
    const paths = result.error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GLUE_JOB_NAME/),
        expect.stringMatching(/^METRICS_LOCATION_TEMPLATE: must contain \{run_id\}/),
        expect.stringMatching(/^OBJECT_LOCK_MODE/),
      ]),
    );
  });
});

describe("Glue job arguments (contract with glue-jobs/)", () => {
  it("passes exactly the agreed arguments, as locations, with --refit only on request", () => {
    const window = { environment: "local", profile: "baf", runDate: "2026-03-01", attempt: 1 };
    const args = glueJobArguments(triggerConfig, window, "run-1", undefined, false);
    expect(Object.keys(args).sort()).toEqual(
      [
        "--config_location",
        "--input_prefix",
        "--key_location",
        "--metrics_location",
        "--output_location",
        "--profile",
        "--quarantine_location",
        "--run_date",
        "--state_location",
      ].sort(),
    );
    expect(args["--run_date"]).toBe("2026-03-01");
    expect(args["--input_prefix"]).toBe("s3://sentinel-local-raw/baf/run_date=2026-03-01/");
    expect(args["--metrics_location"]).toBe("s3://sentinel-local-lineage-audit/run-metrics/baf/2026-03-01/run-1");
    for (const [name, value] of Object.entries(args))
      if (name.endsWith("_location") || name === "--input_prefix") expect(value).toMatch(/^s3:\/\//);
    expect(glueJobArguments(triggerConfig, window, "run-1", "s3://elsewhere/in/", true)).toMatchObject({
      "--refit": "true",
      "--input_prefix": "s3://elsewhere/in/",
    });
  });
});

describe("trigger decisions", () => {
  it("rejects a malformed event with a clear error, one audit event, and no other call", async () => {
    await expect(startPipelineRun({ source: "sentinel.manual", profile: "baf", run_date: "yesterday" }, deps())).rejects.toThrow(
      MalformedEventError,
    );
    await expect(startPipelineRun({ source: "sentinel.manual", profile: "baf", run_date: "yesterday" }, deps())).rejects.toThrow(
      /run_date: Invalid ISO date/,
    );
    expect(audit.outcomes()).toEqual(["event.reject:refused", "event.reject:refused"]);
    expect(audit.events[0]?.run_id).toBe("rejected-2026-03-02");
    expect(JSON.stringify(audit.events[0]?.details)).not.toContain("yesterday");
    expect([s3.calls().length, glue.calls().length, databrew.calls().length]).toEqual([0, 0, 0]);
  });

  it.each([
    [{ ...manual, profile: "payroll" }, /unknown dataset profile payroll/],
    [{ ...manual, run_date: "2026-03-03" }, /in the future/],
  ])("refuses %j with an audit event and starts nothing", async (event, reason) => {
    const result = await startPipelineRun(event, deps());
    expect(result).toMatchObject({ decision: "refused", reason: expect.stringMatching(reason) });
    expect(audit.outcomes()).toEqual(["pipeline.start:refused"]);
    expect([s3.calls().length, glue.calls().length, databrew.calls().length]).toEqual([0, 0, 0]);
  });

  it("skips while another invocation holds a live claim, without starting anything", async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(GetObjectCommand).resolves(storedClaim({ status: "claimed" }));
    expect(await startPipelineRun(manual, deps())).toMatchObject({ decision: "skipped", reason: "in_progress" });
    expect(audit.events.map((event) => [event.outcome, event.details.reason])).toEqual([["skipped", "in_progress"]]);
    expect(glue.commandCalls(StartGlueJobRun)).toHaveLength(0);
    expect(databrew.commandCalls(StartDataBrewJobRun)).toHaveLength(0);
  });

  it("takes over an expired claim and adopts the Glue run its predecessor started instead of starting another", async () => {
    s3.on(PutObjectCommand).callsFake((input: { IfNoneMatch?: string }) => {
      if (input.IfNoneMatch === "*") throw preconditionFailed();
      return { ETag: '"next"' };
    });
    s3.on(GetObjectCommand).resolves(
      storedClaim({ status: "claimed", lease_expires_at: "2026-03-02T01:00:00.000Z", databrew_run_id: "db-1" }),
    );
    glue.on(GetJobRunsCommand).resolves({
      JobRuns: [
        { Id: "jr_other", Arguments: { "--metrics_location": "s3://x/y" } },
        { Id: "jr_predecessor", Arguments: { "--metrics_location": "s3://sentinel-local-lineage-audit/run-metrics/baf/2026-03-01/run" } },
      ],
    });
    const result = await startPipelineRun(manual, deps());
    expect(result).toMatchObject({ decision: "started", glue_job_run_id: "jr_predecessor", databrew_run_id: "db-1" });
    expect(glue.commandCalls(StartGlueJobRun)).toHaveLength(0);
    expect(databrew.commandCalls(StartDataBrewJobRun)).toHaveLength(0);
    const takeover = s3.commandCalls(PutObjectCommand).find((call) => call.args[0].input.IfMatch === '"claim-v1"');
    expect(JSON.parse(String(takeover?.args[0].input.Body))).toMatchObject({ status: "claimed", claimed_by: "req-unit" });
    expect(audit.events.at(-1)?.details).toMatchObject({ resumed: true });
  });

  it("marks the window start_failed, audits the failure and rethrows when Glue refuses to start", async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"v"' });
    databrew.on(StartDataBrewJobRun).resolves({ RunId: "db-1" });
    glue.on(StartGlueJobRun).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    await expect(startPipelineRun(manual, deps())).rejects.toThrow(/Rate exceeded/);
    const bodies = s3
      .commandCalls(PutObjectCommand)
      .map((call) => JSON.parse(String(call.args[0].input.Body)) as { status?: string; databrew_run_id?: string });
    expect(bodies.at(-1)).toMatchObject({ status: "start_failed", databrew_run_id: "db-1" });
    expect(audit.events.at(-1)).toMatchObject({
      outcome: "failure",
      details: { error_name: "ThrottlingException", databrew_run_id: "db-1" },
    });
  });

  it("fails loudly when the claim was taken over mid-start (lease expired), after releasing nothing it does not hold", async () => {
    s3.on(PutObjectCommand).callsFake((input: { IfNoneMatch?: string }) => {
      if (input.IfNoneMatch === "*") return { ETag: '"v1"' };
      throw preconditionFailed();
    });
    databrew.on(StartDataBrewJobRun).resolves({ RunId: "db-1" });
    await expect(startPipelineRun(manual, deps())).rejects.toThrow(/taken over by another invocation/);
    expect(glue.commandCalls(StartGlueJobRun)).toHaveLength(0);
    expect(audit.events.at(-1)).toMatchObject({ outcome: "failure", details: { error_name: "ClaimLostError" } });
  });
});
