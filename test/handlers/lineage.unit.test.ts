/** Lineage handler branches and error paths with mocked SDK clients (aws-sdk-client-mock). */
import { DataBrewClient, DescribeDatasetCommand, DescribeJobRunCommand } from "@aws-sdk/client-databrew";
import { GetJobCommand, GetJobRunCommand, GetTableCommand, GlueClient, UpdateTableCommand } from "@aws-sdk/client-glue";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { retentionFrom } from "../../handlers/audit/create-audit-writer";
import { CATALOG_PARAMETERS } from "../../handlers/lineage/catalog-pointer";
import { lineageHandlerEnvironment } from "../../handlers/lineage/config";
import { OpenLineageValidator } from "../../handlers/lineage/openlineage-validator";
import { JobRunNotRegisteredYetError, recordJobState, type LineageDeps } from "../../handlers/lineage/record-job-state";
import { MalformedEventError } from "../../handlers/shared/errors";
import { jobRunRegistrationKey } from "../../handlers/shared/job-run-registry";
import { LINEAGE_AUDIT_BUCKET, commonConfig } from "./support/emulated-platform";
import {
  cardTransactionsJobArguments,
  databrewStateChange,
  glueStateChange,
  PIPELINE_RUN,
  runMetricsDocument,
  startAndTerminalWritten,
} from "./support/lineage-fixtures";
import { quietLogger } from "./support/quiet-logger";
import { RecordingAudit } from "./support/recording-audit";
import { accessDenied, noSuchKey, preconditionFailed } from "./support/s3-errors";

const NOW = new Date("2026-03-02T03:00:00Z");
const JOB = "sentinel-local-etl";
const args = cardTransactionsJobArguments();
const config = lineageHandlerEnvironment.parse({
  ...Object.fromEntries(Object.entries(commonConfig).map(([k, v]) => [k, String(v)])),
  GLUE_JOB_NAME: JOB,
  CATALOG_DATABASE_NAME: "sentinel_local",
  CODE_VERSION: "abc123",
});
const validator = new OpenLineageValidator();

const s3 = mockClient(S3Client);
const glue = mockClient(GlueClient);
const databrew = mockClient(DataBrewClient);
let audit: RecordingAudit;
let objects: Map<string, unknown>;

function deps(): LineageDeps {
  return {
    config,
    s3: new S3Client({ region: "eu-central-2" }),
    glue: new GlueClient({ region: "eu-central-2" }),
    databrew: new DataBrewClient({ region: "eu-central-2" }),
    audit,
    validator,
    retention: retentionFrom(config),
    clock: () => NOW,
    logger: quietLogger,
    requestId: "req-unit",
    handlerName: "arn:aws:lambda:eu-central-2:123456789012:function:sentinel-lineage",
  };
}

function register(jobName: string, jobRunId: string, service: "glue" | "databrew"): void {
  objects.set(`${LINEAGE_AUDIT_BUCKET}/${jobRunRegistrationKey(jobName, jobRunId)}`, {
    pipeline_run_id: PIPELINE_RUN,
    profile: "card-transactions",
    run_date: "2026-03-01",
    attempt: 1,
    service,
  });
}

function putBodies(): { key: string; body: Record<string, unknown>; input: Record<string, unknown> }[] {
  return s3.commandCalls(PutObjectCommand).map((call) => ({
    key: String(call.args[0].input.Key),
    body: JSON.parse(String(call.args[0].input.Body)),
    input: call.args[0].input as unknown as Record<string, unknown>,
  }));
}

beforeEach(() => {
  s3.reset();
  glue.reset();
  databrew.reset();
  audit = new RecordingAudit();
  objects = new Map();
  s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const body = objects.get(`${input.Bucket}/${input.Key}`);
    if (body === undefined) throw noSuchKey();
    return { ETag: '"e"', Body: { transformToString: async () => JSON.stringify(body) } };
  });
  s3.on(HeadObjectCommand).resolves({ ETag: '"abc"', VersionId: "ver-1", ContentLength: 10 });
  // input files are described from the version listing (the lineage role may not HeadObject raw files)
  s3.on(ListObjectVersionsCommand).callsFake((input: { Prefix: string }) => ({
    Versions: [{ Key: input.Prefix, VersionId: "ver-1", ETag: '"abc"', IsLatest: true }],
    IsTruncated: false,
  }));
  s3.on(PutObjectCommand).resolves({ ETag: '"new"' });
  glue.on(GetJobCommand).resolves({
    Job: {
      Name: JOB,
      Command: { Name: "glueetl", ScriptLocation: "s3://sentinel-local-artifacts/glue-jobs/etl_job.py" },
      GlueVersion: "5.0",
    },
  });
  glue.on(GetJobRunCommand).resolves({
    JobRun: {
      Id: "jr_1",
      JobName: JOB,
      Arguments: args,
      StartedOn: new Date("2026-03-02T02:00:00Z"),
      CompletedOn: new Date("2026-03-02T02:10:00Z"),
      GlueVersion: "5.0",
      ErrorMessage: "AnalysisException: column amount not found",
    },
  });
  glue.on(GetTableCommand).resolves({
    Table: {
      Name: "card_transactions",
      DatabaseName: "sentinel_local",
      Parameters: { classification: "parquet" },
      StorageDescriptor: { Location: "s3://p/card-transactions/" },
    },
  });
});

describe("lineage handler decisions", () => {
  it("ignores transitional states (STOPPING) without any call", async () => {
    expect(await recordJobState(glueStateChange(JOB, "jr_1", "STOPPING"), deps())).toMatchObject({ decision: "ignored" });
    expect([s3.calls().length, glue.calls().length, audit.events.length]).toEqual([0, 0, 0]);
  });

  it("rejects a malformed event with one audit event and no other call", async () => {
    const event = glueStateChange(JOB, "jr_1", "SUCCEEDED");
    await expect(recordJobState({ ...event, detail: { jobName: JOB, state: "DONE" } }, deps())).rejects.toThrow(MalformedEventError);
    await expect(recordJobState({ ...event, detail: { jobName: JOB, state: "DONE" } }, deps())).rejects.toThrow(
      /detail.jobRunId: Invalid input.*detail.state: Invalid option/,
    );
    expect(audit.outcomes()).toEqual(["event.reject:refused", "event.reject:refused"]);
    expect([s3.calls().length, glue.calls().length]).toEqual([0, 0]);
  });

  it("refuses to record a COMPLETE without the run metrics, and writes nothing", async () => {
    register(JOB, "jr_1", "glue");
    await expect(recordJobState(glueStateChange(JOB, "jr_1", "SUCCEEDED"), deps())).rejects.toThrow(/run-metrics\.json does not exist/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it("refuses run metrics that break the contract, naming the field", async () => {
    register(JOB, "jr_1", "glue");
    objects.set(`${args["--metrics_location"]?.replace("s3://", "")}/run-metrics.json`, runMetricsDocument({ rows_out: -1 }));
    await expect(recordJobState(glueStateChange(JOB, "jr_1", "SUCCEEDED"), deps())).rejects.toThrow(/rows_out: Too small/);
  });

  it("records START and FAIL for a failed run without metrics, write-once with Object Lock retention", async () => {
    register(JOB, "jr_1", "glue");
    const result = await recordJobState(glueStateChange(JOB, "jr_1", "FAILED"), deps());
    expect(result).toMatchObject({
      decision: "recorded",
      pipeline_run_id: PIPELINE_RUN,
      records: startAndTerminalWritten("FAIL"),
    });
    const records = putBodies();
    // the job run's START and FAIL, then the pipeline run's (the ETL job's outcome is the pipeline's)
    expect(records.map((record) => `${(record.body.job as { name: string }).name}:${String(record.body.eventType)}`)).toEqual([
      `${JOB}:START`,
      `${JOB}:FAIL`,
      "pipeline.card-transactions:START",
      "pipeline.card-transactions:FAIL",
    ]);
    expect(records[1]?.body.run).toMatchObject({ facets: { errorMessage: { message: "AnalysisException: column amount not found" } } });
    expect(records[3]?.body.run).toMatchObject({
      runId: PIPELINE_RUN,
      facets: {
        errorMessage: { message: "AnalysisException: column amount not found" },
        nominalTime: { nominalStartTime: "2026-03-01T00:00:00.000Z" },
      },
    });
    expect(records[3]?.body).toMatchObject({
      eventTime: "2026-03-02T02:10:00.000Z",
      inputs: [],
      outputs: [],
      job: { facets: { jobType: { jobType: "PIPELINE" } } },
    });
    expect(result).toMatchObject({
      pipeline_records: startAndTerminalWritten("FAIL"),
    });
    for (const { input, body } of records) {
      expect(input).toMatchObject({ IfNoneMatch: "*", ObjectLockMode: "COMPLIANCE", ChecksumAlgorithm: "SHA256" });
      expect((input.ObjectLockRetainUntilDate as Date).toISOString()).toBe("2026-04-01T03:00:00.000Z");
      expect(validator.validate(body)).toEqual({ valid: true });
    }
    expect(audit.events.map((event) => [event.run_id, event.action, event.outcome])).toEqual(
      Array(4).fill([PIPELINE_RUN, "lineage.record", "success"]),
    );
  });

  it("treats an existing record as already written (redelivery) and audits it as skipped", async () => {
    register(JOB, "jr_1", "glue");
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    const result = await recordJobState(glueStateChange(JOB, "jr_1", "RUNNING"), deps());
    expect(result).toMatchObject({ records: [{ eventType: "START", written: false }] });
    expect(audit.events[0]).toMatchObject({ outcome: "skipped", details: { reason: "already_recorded" } });
  });

  it("asks for a retry when a just-started run is not registered yet, writing nothing", async () => {
    glue
      .on(GetJobRunCommand)
      .resolves({ JobRun: { Id: "jr_1", JobName: JOB, Arguments: args, StartedOn: new Date(NOW.getTime() - 5_000) } });
    await expect(recordJobState(glueStateChange(JOB, "jr_1", "RUNNING"), deps())).rejects.toThrow(JobRunNotRegisteredYetError);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it("gives a run nobody triggered its own pipeline run id and no parent facet", async () => {
    const result = await recordJobState(glueStateChange(JOB, "jr_console", "RUNNING"), deps());
    expect(result.decision === "recorded" && result.pipeline_run_id).not.toBe(PIPELINE_RUN);
    expect((putBodies()[0]?.body.run as { facets: Record<string, unknown> }).facets.parent).toBeUndefined();
  });

  it("points the processed table at the latest record and at the latest COMPLETE", async () => {
    register(JOB, "jr_1", "glue");
    objects.set(`${args["--metrics_location"]?.replace("s3://", "")}/run-metrics.json`, runMetricsDocument());
    await recordJobState(glueStateChange(JOB, "jr_1", "SUCCEEDED"), deps());
    const updates = glue.commandCalls(UpdateTableCommand).map((call) => call.args[0].input.TableInput);
    expect(updates.at(-1)?.Parameters).toMatchObject({
      classification: "parquet",
      [CATALOG_PARAMETERS.latestEventType]: "COMPLETE",
      [CATALOG_PARAMETERS.latestCompleteRecord]: expect.stringMatching(
        /^s3:\/\/sentinel-local-lineage-audit\/lineage\/sentinel-local\/sentinel-local-etl\/[0-9a-f-]{36}\/COMPLETE\.json$/,
      ),
      [CATALOG_PARAMETERS.pipelineRunId]: PIPELINE_RUN,
    });
    expect(updates.at(-1)?.StorageDescriptor?.Location).toBe("s3://p/card-transactions/");
  });

  it("does not move the table pointer back for an event older than the one it points at", async () => {
    register(JOB, "jr_1", "glue");
    glue.on(GetTableCommand).resolves({
      Table: {
        Name: "card_transactions",
        Parameters: {
          [CATALOG_PARAMETERS.latestEventTime]: "2026-03-05T00:00:00.000Z",
          [CATALOG_PARAMETERS.latestEventType]: "COMPLETE",
        },
      },
    });
    await recordJobState(glueStateChange(JOB, "jr_1", "RUNNING"), deps());
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(0);
  });

  it("fails clearly when the processed table is missing from the catalog", async () => {
    register(JOB, "jr_1", "glue");
    glue.on(GetTableCommand).rejects(Object.assign(new Error("Table not found"), { name: "EntityNotFoundException" }));
    await expect(recordJobState(glueStateChange(JOB, "jr_1", "RUNNING"), deps())).rejects.toThrow(
      /sentinel_local\.card_transactions is not in the Glue Catalog/,
    );
  });

  const PROFILE_JOB = "sentinel-local-card-transactions-pii-profile";
  function databrewRun(datasetKey: string): void {
    register(PROFILE_JOB, "db_1", "databrew");
    databrew.on(DescribeJobRunCommand).resolves({
      RunId: "db_1",
      JobName: PROFILE_JOB,
      DatasetName: "card-transactions-raw",
      State: "SUCCEEDED",
      StartedOn: new Date("2026-03-02T02:00:00Z"),
      CompletedOn: new Date("2026-03-02T02:04:00Z"),
      Outputs: [{ Location: { Bucket: "sentinel-local-raw", Key: "pii-profiles/card-transactions/" } }],
    });
    databrew
      .on(DescribeDatasetCommand)
      .resolves({ Name: "card-transactions-raw", Input: { S3InputDefinition: { Bucket: "sentinel-local-raw", Key: datasetKey } } });
  }

  it("records a DataBrew profile run with the day it profiled, its findings per column and the input's schema", async () => {
    databrewRun("landing/card-transactions/run_date={run_date}/");
    const resultKey = `pii-profiles/card-transactions/${PROFILE_JOB}_db_1.json`;
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: `pii-profiles/card-transactions/${PROFILE_JOB}_db_0.json` }, { Key: resultKey }],
      IsTruncated: false,
    });
    objects.set(`sentinel-local-raw/${resultKey}`, {
      rowsProfiled: 500,
      columns: [
        { name: "email", detectedEntityTypes: ["EMAIL"], entities: [{ entityType: "EMAIL", count: 480, ratio: 1 }] },
        { name: "first_name", detectedEntityTypes: ["PERSON_NAME"], entities: [{ entityType: "PERSON_NAME", count: 500, ratio: 1 }] },
        { name: "amount", detectedEntityTypes: [], entities: [] },
      ],
    });
    const result = await recordJobState(databrewStateChange(PROFILE_JOB, "db_1", "SUCCEEDED"), deps());
    expect(result).toMatchObject({
      records: [{ eventType: "START" }, { eventType: "COMPLETE" }],
      pipeline_records: [{ eventType: "START" }],
    });
    const bodies = putBodies();
    const complete = bodies[1]?.body as {
      inputs: { namespace: string; name: string; facets: Record<string, unknown> }[];
      outputs: unknown[];
      job: { facets: Record<string, unknown> };
    };
    expect(complete.inputs).toHaveLength(1);
    expect(complete.inputs[0]).toMatchObject({
      namespace: "s3://sentinel-local-raw",
      name: "landing/card-transactions/run_date=2026-03-01",
    });
    expect(complete.inputs[0]?.facets.schema).toMatchObject({
      fields: [
        { name: "email", type: "string" },
        { name: "first_name", type: "string" },
        { name: "amount", type: "string" },
      ],
    });
    expect(complete.inputs[0]?.facets.sentinel_piiFindings).toMatchObject({
      profileLocation: `s3://sentinel-local-raw/${resultKey}`,
      rowsProfiled: 500,
      columns: {
        email: { entityTypes: ["EMAIL"], matches: { EMAIL: 480 } },
        first_name: { entityTypes: ["PERSON_NAME"] },
        amount: { entityTypes: [], matches: {} },
      },
    });
    expect(complete.outputs).toEqual([{ namespace: "s3://sentinel-local-raw", name: "pii-profiles/card-transactions" }]);
    expect(complete.job.facets.jobType).toMatchObject({ integration: "DATABREW", jobType: "PROFILE" });
    // a profile run only opens the pipeline run; its outcome is the ETL job's
    expect(bodies.map((record) => `${(record.body.job as { name: string }).name}:${String(record.body.eventType)}`)).toEqual([
      `${PROFILE_JOB}:START`,
      `${PROFILE_JOB}:COMPLETE`,
      "pipeline.card-transactions:START",
    ]);
    for (const { body } of bodies) expect(validator.validate(body)).toEqual({ valid: true });
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(0);
  });

  it("copies no value from a profile result: sample and most common values stay out of the record; value-like names and types are refused", async () => {
    const PLANTED = "jane.planted-7f3c@example.org";
    databrewRun("landing/card-transactions/run_date={run_date}/");
    const resultKey = `pii-profiles/card-transactions/${PROFILE_JOB}_db_1.json`;
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: resultKey }], IsTruncated: false });
    // what a DataBrew profile can hold besides the findings: statistics that quote values
    objects.set(`sentinel-local-raw/${resultKey}`, {
      rowsProfiled: 500,
      sampleRows: [{ email: PLANTED }],
      columns: [
        {
          name: "email",
          detectedEntityTypes: ["EMAIL"],
          entities: [{ entityType: "EMAIL", count: 480, ratio: 0.96, examples: [PLANTED] }],
          mostCommonValues: [{ value: PLANTED, count: 3 }],
          min: PLANTED,
          sampleValues: [PLANTED],
        },
      ],
    });
    await recordJobState(databrewStateChange(PROFILE_JOB, "db_1", "SUCCEEDED"), deps());
    const bodies = putBodies();
    const complete = bodies.find(
      (record) => record.body.eventType === "COMPLETE" && (record.body.job as { name: string }).name === PROFILE_JOB,
    )?.body as { inputs: { facets: Record<string, unknown> }[] };
    expect(complete.inputs[0]?.facets.sentinel_piiFindings).toEqual({
      _producer: expect.any(String),
      _schemaURL: expect.any(String),
      profileLocation: `s3://sentinel-local-raw/${resultKey}`,
      rowsProfiled: 500,
      columns: { email: { entityTypes: ["EMAIL"], matches: { EMAIL: 480 } } },
    });
    for (const { body } of bodies) expect(JSON.stringify(body)).not.toContain(PLANTED);
    for (const event of audit.events) expect(JSON.stringify(event)).not.toContain(PLANTED);

    // a value where a column name or an entity type belongs is refused, and the error does not quote it
    for (const column of [
      { name: PLANTED, detectedEntityTypes: [], entities: [] },
      { name: "email", detectedEntityTypes: [PLANTED], entities: [] },
      { name: "email", detectedEntityTypes: [], entities: [{ entityType: PLANTED, count: 1 }] },
    ]) {
      objects.set(`sentinel-local-raw/${resultKey}`, { rowsProfiled: 1, columns: [column] });
      const refusal = await recordJobState(databrewStateChange(PROFILE_JOB, "db_1", "SUCCEEDED"), deps()).then(
        () => new Error("accepted"),
        (error: unknown) => error as Error,
      );
      expect(refusal.message).toMatch(/is not a PII profile result: columns\.0\./);
      expect(refusal.message).not.toContain(PLANTED);
    }
  });

  it("records a profile run without its findings when the result is missing, and refuses a malformed result", async () => {
    databrewRun("landing/card-transactions/run_date={run_date}/<.*>.csv");
    s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
    await recordJobState(databrewStateChange(PROFILE_JOB, "db_1", "SUCCEEDED"), deps());
    const complete = putBodies()[1]?.body as { inputs: { name: string; facets?: Record<string, unknown> }[] };
    // the regular-expression part of the path cannot be resolved: the record names the day's folder
    expect(complete.inputs).toEqual([{ namespace: "s3://sentinel-local-raw", name: "landing/card-transactions/run_date=2026-03-01" }]);

    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: `pii-profiles/card-transactions/${PROFILE_JOB}_db_1.json` }],
      IsTruncated: false,
    });
    objects.set(`sentinel-local-raw/pii-profiles/card-transactions/${PROFILE_JOB}_db_1.json`, { columns: "none" });
    await expect(recordJobState(databrewStateChange(PROFILE_JOB, "db_1", "SUCCEEDED"), deps())).rejects.toThrow(
      /is not a PII profile result: rowsProfiled/,
    );

    // a role that may not read the raw bucket records the run without findings
    s3.on(ListObjectsV2Command).rejects(accessDenied());
    const before = putBodies().length;
    await recordJobState(databrewStateChange(PROFILE_JOB, "db_2", "SUCCEEDED"), deps());
    const withoutFindings = putBodies()
      .slice(before)
      .find((record) => record.body.eventType === "COMPLETE")?.body as { inputs: { facets?: Record<string, unknown> }[] };
    expect(withoutFindings.inputs[0]?.facets).toBeUndefined();
  });
});
