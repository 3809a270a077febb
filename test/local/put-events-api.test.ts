/**
 * The local run's PutEvents: the trigger's and lineage handler's audit events, put through the service
 * front, reach the audit function by the deployed rule, as EventBridge delivers them. The rule lives in
 * the emulator (moto) with the stack's pattern (contracts/audit-events.ts); the sender is the handlers'
 * own (EventBridgeAuditSender) pointed at the service front; the function host is replaced by a
 * recorder of invocations (running the audit handler itself is covered by
 * test/handlers/audit-routing.integration.test.ts).
 */
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_EVENT_DETAIL_TYPE, auditEventPattern } from "../../contracts/audit-events";
import { EventBridgeAuditSender } from "../../handlers/audit/audit-event-sender";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { loopbackTls } from "../../local/emulator/loopback-tls";
import { LocalEventBus } from "../../local/events/local-event-bus";
import { PutEventsApi } from "../../local/services/put-events-api";
import { DataBrewApi } from "../../local/services/databrew-api";
import { GlueRunApi } from "../../local/services/glue-api";
import { JobRuns } from "../../local/job-runs/job-runs";
import { startServiceFront } from "../../local/services/service-front";

const AUDIT_FUNCTION = "arn:aws:lambda:eu-central-2:123456789012:function:sentinel-local-audit";

describe("local PutEvents", () => {
  let emulator: Emulator;
  const invocations: Array<{ functionArn: string; payload: unknown }> = [];
  const api = new PutEventsApi();

  beforeAll(async () => {
    emulator = await startEmulator();
    const events = new EventBridgeClient(emulatorClientConfig(emulator.endpoint));
    await events.send(new PutRuleCommand({ Name: "sentinel-local-audit-events", EventPattern: auditEventPattern(), State: "ENABLED" }));
    await events.send(new PutTargetsCommand({ Rule: "sentinel-local-audit-events", Targets: [{ Id: "audit", Arn: AUDIT_FUNCTION }] }));
    const bus = new LocalEventBus(events, { invoke: async (functionArn, payload) => void invocations.push({ functionArn, payload }) });
    api.connect(bus, { account: "123456789012", region: EMULATOR_CREDENTIALS.region });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("delivers a handler's audit event to the audit function in EventBridge's envelope", async () => {
    // the sender's real request, through the service front the handlers use locally
    const runs = new JobRuns();
    const front = await startServiceFront(
      emulator.tlsEndpoint,
      loopbackTls(),
      new GlueRunApi(runs, async () => undefined),
      new DataBrewApi(runs, async () => ({ datasets: [], jobs: [] }) as never),
      api,
    );
    try {
      await new EventBridgeAuditSender(new EventBridgeClient(emulatorClientConfig(front.endpoint)), "lineage").record({
        run_id: "run-1",
        action: "lineage.record",
        resource: "s3://b/lineage/x.json",
        outcome: "success",
        request_id: "req-1",
      });
    } finally {
      await front.close();
    }
    expect(invocations).toHaveLength(1);
    expect(invocations[0]).toMatchObject({
      functionArn: AUDIT_FUNCTION,
      payload: {
        version: "0",
        source: "sentinel.lineage",
        "detail-type": AUDIT_EVENT_DETAIL_TYPE,
        account: "123456789012",
        detail: { run_id: "run-1", action: "lineage.record" },
      },
    });
  });

  it("delivers nothing for events no rule matches, and reports a malformed entry as failed", async () => {
    invocations.length = 0;
    const other = await api.handle(
      JSON.stringify({ Entries: [{ Source: "sentinel.somebody", DetailType: AUDIT_EVENT_DETAIL_TYPE, Detail: "{}" }] }),
    );
    expect(JSON.parse(other.body)).toMatchObject({ FailedEntryCount: 0 });
    const malformed = await api.handle(JSON.stringify({ Entries: [{ Source: "sentinel.trigger" }] }));
    expect(JSON.parse(malformed.body)).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: "MalformedDetail" }] });
    expect(invocations).toEqual([]);
  });

  it("is refused until the bus is connected", async () => {
    expect((await new PutEventsApi().handle("{}")).status).toBe(500);
  });
});
