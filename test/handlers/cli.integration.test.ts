/**
 * The auditor CLI against the local emulator (moto 5.2.5) and a local directory: a pipeline run is
 * triggered and its Glue run recorded by the real handler code (DataBrew is mocked: moto 5.2.5 has no
 * DataBrew StartJobRun), then `sentinel lineage ...` and `sentinel audit verify` read it back.
 */
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DataBrewClient, StartJobRunCommand as StartDataBrewJobRun } from "@aws-sdk/client-databrew";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { sealEvent } from "../../handlers/audit/hash-chain";
import type { ChainedAuditEvent } from "../../handlers/audit/audit-event";
import { readLogStream } from "../../handlers/audit/audit-trail";
import { main, type CliIo } from "../../handlers/cli/main";
import { LINEAGE_PREFIX } from "../../handlers/lineage/lineage-store";
import { recordJobState } from "../../handlers/lineage/record-job-state";
import { listKeys, readJson } from "../../handlers/shared/object-store";
import { parseS3Uri } from "../../handlers/shared/s3-uri";
import { startPipelineRun } from "../../handlers/trigger/start-pipeline-run";
import {
  AUDIT_LOG_GROUP,
  GLUE_JOB,
  LINEAGE_AUDIT_BUCKET,
  PROCESSED_BUCKET,
  RAW_BUCKET,
  REGION,
  createPlatform,
  emulatorAuditWriter,
  type AwsClients,
} from "./support/emulated-platform";
import { lineageDeps, triggerDeps } from "./support/handler-deps";
import { glueStateChange, runMetricsDocument } from "./support/lineage-fixtures";

const databrewMock = mockClient(DataBrewClient);
const env = { LINEAGE_AUDIT_BUCKET, AUDIT_LOG_GROUP_NAME: AUDIT_LOG_GROUP };

interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("sentinel CLI", () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let pipelineRunId: string;
  let directory: string;

  async function sentinel(...args: string[]): Promise<Captured> {
    let stdout = "";
    let stderr = "";
    const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), env };
    const code = await main(["--endpoint-url", emulator.endpoint, "--region", REGION, ...args], io);
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    clients = await createPlatform(emulator, { processedTables: ["card-transactions"] });
    databrewMock.on(StartDataBrewJobRun).resolves({ RunId: "db_run_1" });
    const audit = emulatorAuditWriter(clients);
    const started = await startPipelineRun(
      { source: "sentinel.manual", profile: "card-transactions", run_date: "2026-03-01" },
      triggerDeps(clients, audit),
    );
    if (started.decision !== "started") throw new Error("the trigger did not start a run");
    pipelineRunId = started.pipeline_run_id;
    const metricsLocation = (await readJson(clients.s3, LINEAGE_AUDIT_BUCKET, `run-windows/card-transactions/2026-03-01/attempt-1.json`))
      ?.body as { metrics_location: string };
    const metrics = parseS3Uri(`${metricsLocation.metrics_location}/run-metrics.json`);
    await clients.s3.send(new PutObjectCommand({ Bucket: metrics.bucket, Key: metrics.key, Body: JSON.stringify(runMetricsDocument()) }));
    await recordJobState(glueStateChange(GLUE_JOB, started.glue_job_run_id, "SUCCEEDED"), lineageDeps(clients, audit));
    // an auditor's local copy of the lineage bucket
    directory = await mkdtemp(join(tmpdir(), "sentinel-lineage-"));
    for (const key of await listKeys(clients.s3, LINEAGE_AUDIT_BUCKET, LINEAGE_PREFIX)) {
      const file = join(directory, key);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify((await readJson(clients.s3, LINEAGE_AUDIT_BUCKET, key))?.body));
    }
  });
  afterAll(async () => {
    await emulator.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it("lineage list shows the run with its counts, and filters by dataset", async () => {
    const listed = await sentinel("lineage", "list");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`COMPLETE\\s+sentinel-local/${GLUE_JOB}\\s+[0-9a-f-]{36}\\s+${pipelineRunId}\\s+1000\\s+990\\s+10\\s+0`),
    );
    expect((await sentinel("lineage", "list", "--dataset", `s3://${PROCESSED_BUCKET}/card-transactions`)).stdout).toContain(pipelineRunId);
    expect((await sentinel("lineage", "list", "--dataset", `s3://${PROCESSED_BUCKET}/baf`)).stdout).not.toContain(pipelineRunId);
  });

  it("lineage show prints every valid record of a pipeline run", async () => {
    const shown = await sentinel("lineage", "show", pipelineRunId);
    expect(shown.code).toBe(0);
    const records = JSON.parse(shown.stdout) as { valid: boolean; record: { eventType: string } }[];
    // the ETL job run's records and the pipeline run's own (its START sorts first at the same instant)
    expect(records.map((entry) => [entry.record.eventType, entry.valid]).sort()).toEqual([
      ["COMPLETE", true],
      ["COMPLETE", true],
      ["START", true],
      ["START", true],
    ]);
    expect((await sentinel("lineage", "show", "00000000-0000-0000-0000-000000000000")).code).toBe(1);
  });

  it("lineage graph draws raw -> ETL job -> processed and quarantine as Mermaid", async () => {
    const graph = await sentinel("lineage", "graph", "--dataset", `s3://${PROCESSED_BUCKET}/card-transactions`, "--direction", "upstream");
    expect(graph.code).toBe(0);
    expect(graph.stdout).toBe(
      [
        "flowchart LR",
        `  d0[("s3://${PROCESSED_BUCKET}/card-transactions")]`,
        `  d1[("s3://${RAW_BUCKET}/card-transactions/run_date=2026-03-01")]`,
        `  j0[["sentinel-local/${GLUE_JOB}"]]`,
        "  d1 --> j0",
        "  j0 --> d0",
        "",
      ].join("\n"),
    );
    const downstream = await sentinel("lineage", "graph", "--dataset", `s3://${RAW_BUCKET}/card-transactions`, "--direction", "downstream");
    expect(downstream.stdout).toContain(`s3://${PROCESSED_BUCKET}/quarantine/card-transactions`);
  });

  it("reads a local directory copy, and flags a record with a missing required field", async () => {
    expect((await sentinel("lineage", "list", "--dir", directory)).stdout).toContain(pipelineRunId);
    const broken = join(directory, "broken", "COMPLETE.json");
    await mkdir(dirname(broken), { recursive: true });
    const record = JSON.parse(
      JSON.stringify(
        (
          await readJson(
            clients.s3,
            LINEAGE_AUDIT_BUCKET,
            (await listKeys(clients.s3, LINEAGE_AUDIT_BUCKET, LINEAGE_PREFIX)).find((key) => key.endsWith("COMPLETE.json")) as string,
          )
        )?.body,
      ),
    );
    delete record.job.namespace;
    record.run.runId = "11111111-1111-4111-8111-111111111111";
    await writeFile(broken, JSON.stringify(record));
    const listed = await sentinel("lineage", "list", "--dir", directory);
    expect(listed.code).toBe(1);
    expect(listed.stdout).toMatch(/11111111-1111-4111-8111-111111111111.*\s1$/m);
    const shown = await sentinel("lineage", "show", "11111111-1111-4111-8111-111111111111", "--dir", directory);
    expect(shown.code).toBe(1);
    expect(JSON.parse(shown.stdout)[0].problems.join()).toMatch(/must have required property 'namespace'/);
  });

  it("audit verify passes an intact trail and, once an event is forged, exits 1 naming it", async () => {
    const intact = await sentinel("audit", "verify", "--run-id", pipelineRunId);
    expect(intact).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/5 events in .*5 in the chain index\nOK: hash chain intact, head seq 5/),
    });

    const events = (await readLogStream(clients.logs, AUDIT_LOG_GROUP, pipelineRunId)).events as ChainedAuditEvent[];
    const last = events.at(-1) as ChainedAuditEvent;
    const forged = sealEvent({
      ...last,
      seq: last.seq + 1,
      prev_hash: last.hash,
      time: new Date(Date.parse(last.time) + 1).toISOString(),
      action: "lineage.record",
      details: { note: "appended by hand" },
    });
    await clients.logs.send(
      new PutLogEventsCommand({
        logGroupName: AUDIT_LOG_GROUP,
        logStreamName: pipelineRunId,
        logEvents: [{ timestamp: Date.parse(forged.time), message: JSON.stringify(forged) }],
      }),
    );
    const tampered = await sentinel("audit", "verify", "--run-id", pipelineRunId);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/TAMPERED: first broken event seq 6 at stream position 6: not in the chain index/);
    const chainOnly = await sentinel("audit", "verify", "--run-id", pipelineRunId, "--no-index");
    expect(chainOnly.code).toBe(0);
    expect(chainOnly.stdout).toMatch(/note: without the chain index/);
  });

  it("runs as `node bin/sentinel.mjs` with the default credential chain and --endpoint-url", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      [
        "bin/sentinel.mjs",
        "--endpoint-url",
        emulator.endpoint,
        "--region",
        REGION,
        "audit",
        "verify",
        "--run-id",
        pipelineRunId,
        "--no-index",
        "--log-group",
        AUDIT_LOG_GROUP,
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        },
      },
    );
    expect(stdout).toMatch(/OK: hash chain intact/);
    await expect(
      run(process.execPath, ["bin/sentinel.mjs", "audit", "verify", "--run-id", pipelineRunId], { env: { PATH: process.env.PATH } }),
    ).rejects.toMatchObject({ code: 2 });
  });
});
