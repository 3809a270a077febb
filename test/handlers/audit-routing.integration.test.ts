/**
 * The trigger's audit events reach the chain only through the audit handler, so every head is signed: on
 * the emulator (moto 5.2.5), the trigger starts a pipeline run with its real EventBridge sender; EventBridge
 * (moto) routes the events by the deployed rule's pattern (contracts/audit-events.ts, the pattern the
 * stack's rule uses: test/modules/handlers.test.ts) to a log group standing in for the audit function's
 * target (moto cannot run Lambda code without Docker); each delivered envelope is handed to the audit
 * handler's own code (recordAuditEvent with the KMS-signing writer). `sentinel audit verify --public-key`
 * must then report the run OK, and a head written by anyone else must fail verification.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataBrewClient, StartJobRunCommand as StartDataBrewJobRun } from "@aws-sdk/client-databrew";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetLogEventsCommand, DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineRunId } from "../../contracts/run-identity";
import { EventBridgeAuditSender } from "../../handlers/audit/audit-event-sender";
import type { ChainedAuditEvent } from "../../handlers/audit/audit-event";
import { readLogStream } from "../../handlers/audit/audit-trail";
import { createAuditWriter } from "../../handlers/audit/create-audit-writer";
import { recordAuditEvent } from "../../handlers/audit/record-audit-event";
import { KmsHeadSigner } from "../../handlers/audit/signed-head";
import { main, type CliIo } from "../../handlers/cli/main";
import { callerPrincipal } from "../../handlers/shared/actor";
import { systemClock } from "../../handlers/shared/clock";
import { startPipelineRun } from "../../handlers/trigger/start-pipeline-run";
import { startEmulator, type Emulator } from "../../local/emulator/emulator";
import {
  AUDIT_LOG_GROUP,
  LINEAGE_AUDIT_BUCKET,
  REGION,
  commonConfig,
  createPlatform,
  routeAuditEventsTo,
  type AwsClients,
} from "./support/emulated-platform";
import { triggerConfig } from "./support/handler-config";
import { quietLogger } from "./support/quiet-logger";

const databrewMock = mockClient(DataBrewClient);
const RUN_ID = pipelineRunId({ environment: "local", profile: "card-transactions", runDate: "2026-03-01", attempt: 1 });

describe("the trigger's audit events, routed through EventBridge to the audit handler", () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let publicKeyFile: string;
  let recordedSources: string[];

  async function verify(): Promise<{ code: number; stdout: string }> {
    let stdout = "";
    const io: CliIo = {
      stdout: (text) => void (stdout += text),
      stderr: () => undefined,
      env: { LINEAGE_AUDIT_BUCKET, AUDIT_LOG_GROUP_NAME: AUDIT_LOG_GROUP },
    };
    const code = await main(
      ["--endpoint-url", emulator.endpoint, "--region", REGION, "audit", "verify", "--run-id", RUN_ID, "--public-key", publicKeyFile],
      io,
    );
    return { code, stdout };
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    clients = await createPlatform(emulator);
    databrewMock.on(StartDataBrewJobRun).resolves({ RunId: "db_run_1" });
    const kms = new KMSClient({ endpoint: emulator.endpoint, region: REGION });
    const signingKey = (await kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }))).KeyMetadata?.Arn ?? "";
    const spki = (await kms.send(new GetPublicKeyCommand({ KeyId: signingKey }))).PublicKey ?? new Uint8Array();
    publicKeyFile = join(mkdtempSync(join(tmpdir(), "sentinel-audit-routing-")), "audit-public-key.pem");
    writeFileSync(
      publicKeyFile,
      `-----BEGIN PUBLIC KEY-----\n${Buffer.from(spki)
        .toString("base64")
        .replace(/(.{64})/g, "$1\n")}\n-----END PUBLIC KEY-----\n`,
    );

    // EventBridge as deployed: the audit-event rule; its target is a log group here (see the header)
    const events = new EventBridgeClient({ endpoint: emulator.endpoint, region: REGION });
    const deliveries = "/sentinel/local/audit-function-target";
    await routeAuditEventsTo(deliveries, clients, events);

    // the trigger, with the sender its Lambda entry point builds
    const started = await startPipelineRun(
      { source: "sentinel.scheduler", profile: "card-transactions", scheduled_time: "2026-03-02T02:00:00Z" },
      {
        config: triggerConfig,
        s3: clients.s3,
        glue: clients.glue,
        databrew: new DataBrewClient({ region: REGION }),
        audit: new EventBridgeAuditSender(events, "trigger"),
        clock: systemClock,
        logger: quietLogger,
        requestId: "req-trigger",
        handlerName: "arn:aws:lambda:eu-central-2:123456789012:function:sentinel-local-trigger",
      },
    );
    expect(started.decision).toBe("started");

    // the audit handler: its own code and signing writer, on each delivered event
    const writer = createAuditWriter(commonConfig, {
      s3: clients.s3,
      logs: clients.logs,
      actor: callerPrincipal(clients.sts),
      clock: systemClock,
      signer: new KmsHeadSigner(kms, signingKey),
    });
    const streams = (await clients.logs.send(new DescribeLogStreamsCommand({ logGroupName: deliveries }))).logStreams ?? [];
    recordedSources = [];
    for (const stream of streams) {
      const delivered =
        (
          await clients.logs.send(
            new GetLogEventsCommand({ logGroupName: deliveries, logStreamName: stream.logStreamName, startFromHead: true }),
          )
        ).events ?? [];
      for (const [index, message] of delivered.entries()) {
        const envelope = JSON.parse(message.message ?? "null") as unknown;
        const recorded = await recordAuditEvent(envelope, {
          audit: writer,
          clock: systemClock,
          requestId: `req-audit-${index}`,
          handlerName: "sentinel-local-audit",
        });
        recordedSources.push(String((recorded.details.invocation as { source?: string }).source));
      }
    }
  }, 60_000);

  afterAll(async () => {
    await emulator.stop();
  });

  it("records the trigger's event with its EventBridge source, and the honest run verifies OK with the public key alone", async () => {
    expect(recordedSources).toEqual(["sentinel.trigger"]);
    const events = (await readLogStream(clients.logs, AUDIT_LOG_GROUP, RUN_ID)).events as ChainedAuditEvent[];
    expect(events.map((event) => [event.action, event.outcome])).toEqual([["pipeline.start", "success"]]);
    const report = await verify();
    expect(report.stdout).toMatch(/OK: signed through seq 1 \(1 valid signed heads\)/);
    expect(report.code).toBe(0);
  });

  it("a head written by another role (the trigger's own writer, as before, or its own key) fails verification", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ownKey = {
      keyId: "arn:aws:kms:eu-central-2:123456789012:key/not-the-audit-key",
      sign: async (message: Uint8Array) => (await import("node:crypto")).sign("sha256", message, { key: privateKey, dsaEncoding: "der" }),
    };
    const notTheAuditHandler = createAuditWriter(commonConfig, {
      s3: clients.s3,
      logs: clients.logs,
      actor: callerPrincipal(clients.sts),
      clock: systemClock,
      signer: ownKey,
    });
    await notTheAuditHandler.record({
      run_id: RUN_ID,
      action: "pipeline.start",
      resource: "arn:aws:glue:eu-central-2:123456789012:job/sentinel-local-etl",
      outcome: "success",
      request_id: "req-forged",
    });
    const report = await verify();
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(
      /FORGED: .*heads\/0000000002\.json: the signature of head seq 2 does not verify under the audit public key/,
    );
    expect(report.stdout).toMatch(/APPENDED: events seq 2\.\.2 come after the newest valid signed head \(seq 1\)/);
  });
});
