/**
 * The esbuild bundles (build/handlers/<name>/index.mjs as `npm run build` writes them; built here into a temporary directory) loaded and
 * invoked as Lambda would, against the local emulator (moto 5.2.5). moto has no DataBrew StartJobRun, and
 * a bundled SDK client cannot be replaced by aws-sdk-client-mock, so DataBrew is a minimal HTTP double on
 * loopback, reached through the SDK's own AWS_ENDPOINT_URL_DATABREW setting. The trigger and lineage
 * handlers put their audit events on moto's EventBridge; the deployed rule's pattern routes them to a log
 * group standing in for the audit function's target (moto cannot run Lambda code), from which each
 * delivered event is handed to the bundled audit handler, as EventBridge would invoke it.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { buildHandlers, type BundleReport } from "../../tools/build/build-handlers";
import { verifyAuditTrail } from "../../handlers/audit/audit-trail";
import { ChainIndex } from "../../handlers/audit/chain-index";
import { readJson } from "../../handlers/shared/object-store";
import { parseS3Uri } from "../../handlers/shared/s3-uri";
import {
  AUDIT_LOG_GROUP,
  CATALOG_DATABASE,
  GLUE_JOB,
  LINEAGE_AUDIT_BUCKET,
  REGION,
  createPlatform,
  routeAuditEventsTo,
  type AwsClients,
} from "./support/emulated-platform";
import { triggerEnvironment } from "./support/handler-config";
import { glueStateChange, runMetricsDocument, startAndTerminalWritten } from "./support/lineage-fixtures";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { DescribeLogStreamsCommand, GetLogEventsCommand, type OutputLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";

/** Where moto's EventBridge delivers the audit-event rule's events in this test. */
const AUDIT_EVENT_DELIVERIES = "/sentinel/local/audit-event-deliveries";

type Handler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;

function lambdaContext(requestId: string, name: string): Context {
  return {
    awsRequestId: requestId,
    functionName: name,
    invokedFunctionArn: `arn:aws:lambda:${REGION}:123456789012:function:${name}`,
    functionVersion: "$LATEST",
    memoryLimitInMB: "256",
  } as Context;
}

describe("handler bundles", () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let outDir: string;
  let bundles: BundleReport[];
  let databrew: Server;
  let databrewStarts = 0;

  beforeAll(async () => {
    emulator = await startEmulator();
    clients = await createPlatform(emulator, { processedTables: ["card-transactions"] });
    databrew = createServer((request, response) => {
      const started = request.method === "POST" && /^\/jobs\/[^/]+\/startJobRun$/.test(request.url ?? "");
      if (started) databrewStarts += 1;
      response.writeHead(started ? 200 : 404, { "content-type": "application/json" });
      response.end(JSON.stringify(started ? { RunId: `db_run_${databrewStarts}` } : { message: "not supported by this double" }));
    });
    // bound to port 0 and read back: no window in which another process can take a chosen port
    await new Promise<void>((resolve) => databrew.listen(0, "127.0.0.1", resolve));
    const databrewPort = (databrew.address() as AddressInfo).port;
    const events = new EventBridgeClient({
      endpoint: emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey },
    });
    await routeAuditEventsTo(AUDIT_EVENT_DELIVERIES, clients, events);
    outDir = await mkdtemp(join(tmpdir(), "sentinel-bundles-"));
    bundles = await buildHandlers(outDir);
    // the audit handler signs chain heads with its asymmetric KMS key
    const kms = new KMSClient({
      endpoint: emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey },
    });
    const signingKey = await kms.send(
      new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", Description: "sentinel audit signing (bundle test)" }),
    );
    Object.assign(process.env, triggerEnvironment, {
      AUDIT_SIGNING_KEY_ARN: signingKey.KeyMetadata?.Arn,
      CATALOG_DATABASE_NAME: CATALOG_DATABASE,
      CODE_VERSION: "bundle-test",
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL: emulator.endpoint,
      AWS_ENDPOINT_URL_DATABREW: `http://127.0.0.1:${databrewPort}`,
      POWERTOOLS_LOG_LEVEL: "SILENT",
    });
  });
  afterAll(async () => {
    await emulator.stop();
    await new Promise((resolve) => databrew.close(resolve));
    await rm(outDir, { recursive: true, force: true });
  });

  const delivered = new Set<string>();
  /** Hands every audit event EventBridge delivered since the last call to the bundled audit handler, oldest first. */
  async function deliverAuditEvents(): Promise<Array<Record<string, unknown>>> {
    const audit = await load("audit");
    const streams = (await clients.logs.send(new DescribeLogStreamsCommand({ logGroupName: AUDIT_EVENT_DELIVERIES }))).logStreams ?? [];
    const pending: OutputLogEvent[] = [];
    for (const stream of streams.filter((candidate) => !delivered.has(candidate.logStreamName as string))) {
      delivered.add(stream.logStreamName as string);
      pending.push(
        ...((
          await clients.logs.send(
            new GetLogEventsCommand({ logGroupName: AUDIT_EVENT_DELIVERIES, logStreamName: stream.logStreamName, startFromHead: true }),
          )
        ).events ?? []),
      );
    }
    pending.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    const recorded: Array<Record<string, unknown>> = [];
    for (const [index, event] of pending.entries())
      recorded.push(
        await audit(JSON.parse(event.message ?? "null"), lambdaContext(`req-delivery-${delivered.size}-${index}`, "sentinel-local-audit")),
      );
    return recorded;
  }

  async function load(name: string): Promise<Handler> {
    const bundle = bundles.find((report) => report.name === name);
    return ((await import(pathToFileURL(bundle?.file as string).href)) as { handler: Handler }).handler;
  }

  it("builds one minified ES module per handler", () => {
    expect(bundles.map((bundle) => bundle.name)).toEqual(["trigger", "lineage", "audit"]);
    for (const bundle of bundles) {
      expect(bundle.file).toMatch(new RegExp(`/${bundle.name}/index\\.mjs$`));
      expect(bundle.bytes).toBeGreaterThan(100_000);
      expect(bundle.bytes).toBeLessThan(3_000_000);
    }
  });

  it("runs a pipeline run end to end through the bundled trigger, lineage and audit handlers", async () => {
    const trigger = await load("trigger");
    const schedule = { source: "sentinel.scheduler", profile: "card-transactions", scheduled_time: "2026-03-02T02:00:00Z" };
    const started = await trigger(schedule, lambdaContext("req-bundle-1", "sentinel-local-trigger"));
    expect(started).toMatchObject({ decision: "started", databrew_run_id: "db_run_1" });
    expect(await deliverAuditEvents()).toMatchObject([{ run_id: started.pipeline_run_id, seq: 1 }]);
    expect(await trigger(schedule, lambdaContext("req-bundle-2", "sentinel-local-trigger"))).toMatchObject({
      decision: "skipped",
      reason: "already_started",
    });
    expect(await deliverAuditEvents()).toMatchObject([{ run_id: started.pipeline_run_id, seq: 2 }]);
    expect(databrewStarts).toBe(1);

    const claim = (await readJson(clients.s3, LINEAGE_AUDIT_BUCKET, "run-windows/card-transactions/2026-03-01/attempt-1.json"))?.body as {
      metrics_location: string;
    };
    const metrics = parseS3Uri(`${claim.metrics_location}/run-metrics.json`);
    await clients.s3.send(new PutObjectCommand({ Bucket: metrics.bucket, Key: metrics.key, Body: JSON.stringify(runMetricsDocument()) }));
    const lineage = await load("lineage");
    const recorded = await lineage(
      glueStateChange(GLUE_JOB, started.glue_job_run_id as string, "SUCCEEDED"),
      lambdaContext("req-bundle-3", "sentinel-local-lineage"),
    );
    expect(recorded).toMatchObject({
      decision: "recorded",
      records: startAndTerminalWritten("COMPLETE"),
    });
    expect(await deliverAuditEvents()).toHaveLength(4);

    const audit = await load("audit");
    const runId = started.pipeline_run_id as string;
    const appended = await audit(
      {
        run_id: runId,
        action: "dataset.publish",
        resource: "s3://sentinel-local-processed/card-transactions/",
        outcome: "success",
        details: { rows: 990 },
      },
      lambdaContext("req-bundle-4", "sentinel-local-audit"),
    );
    // pipeline.start (started), pipeline.start (skipped duplicate), the job run's two lineage records and the
    // pipeline run's two, then this one
    expect(appended).toMatchObject({ run_id: runId, seq: 7 });
    const report = await verifyAuditTrail({
      logs: clients.logs,
      logGroupName: AUDIT_LOG_GROUP,
      runId,
      index: new ChainIndex(clients.s3, LINEAGE_AUDIT_BUCKET),
    });
    expect(report.verification).toMatchObject({ ok: true, count: 7 });
  });

  it("fails at cold start with every invalid environment variable named", async () => {
    const trigger = bundles.find((bundle) => bundle.name === "trigger")?.file as string;
    const run = promisify(execFile);
    const failure = await run(
      process.execPath,
      ["--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL(trigger).href)})`],
      {
        env: { PATH: process.env.PATH, SENTINEL_ENVIRONMENT: "local", LINEAGE_AUDIT_BUCKET: "Not_A_Bucket" },
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    const stderr = (failure as { stderr: string }).stderr;
    expect(stderr).toMatch(/ConfigurationError\]?: invalid trigger handler configuration/);
    for (const variable of [
      "LINEAGE_AUDIT_BUCKET: must be an S3 bucket name",
      "AUDIT_LOG_GROUP_NAME",
      "GLUE_JOB_NAME",
      "METRICS_LOCATION_TEMPLATE",
      "OBJECT_LOCK_MODE",
    ])
      expect(stderr).toContain(variable);
  });
});
