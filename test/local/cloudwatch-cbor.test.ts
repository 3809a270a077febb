/**
 * The emulator answers CloudWatch in Smithy RPC v2 CBOR, the protocol of the Terraform provider's CloudWatch
 * client (aws-sdk-go-v2), by translating to the query protocol moto speaks (local/aws_emulator.py). Requests
 * here are built as that client builds them: POST /service/GraniteServiceVersion20100801/operation/<Op>,
 * `smithy-protocol: rpc-v2-cbor`, a CBOR body, timestamps as CBOR tag 1.
 */
import { cbor } from "@smithy/core/cbor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { EMULATOR_CREDENTIALS, startEmulator, type Emulator } from "../../local/emulator/emulator";

const ROOT = resolve(import.meta.dirname, "..", "..");
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: ROOT });
});
afterAll(async () => {
  await emulator?.stop();
});

interface CborAnswer {
  readonly status: number;
  readonly protocol: string | null;
  readonly queryError: string | null;
  readonly body: Record<string, unknown>;
}

async function callCloudWatch(operation: string, input: Record<string, unknown>): Promise<CborAnswer> {
  const date = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  const response = await fetch(`${emulator.endpoint}/service/GraniteServiceVersion20100801/operation/${operation}`, {
    method: "POST",
    headers: {
      "smithy-protocol": "rpc-v2-cbor",
      "content-type": "application/cbor",
      accept: "application/cbor",
      // the emulator routes by the signing scope; it does not verify signatures
      authorization: `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/${date}/${EMULATOR_CREDENTIALS.region}/monitoring/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: cbor.serialize(input),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {
    status: response.status,
    protocol: response.headers.get("smithy-protocol"),
    queryError: response.headers.get("x-amzn-query-error"),
    body: bytes.length === 0 ? {} : (cbor.deserialize(bytes) as Record<string, unknown>),
  };
}

const alarm = {
  AlarmName: "sentinel-local-quarantine-ratio",
  Namespace: "Sentinel/Pipeline",
  MetricName: "QuarantineRatio",
  Dimensions: [
    { Name: "Environment", Value: "local" },
    { Name: "Profile", Value: "card-transactions" },
  ],
  Statistic: "Maximum",
  Period: 86_400,
  EvaluationPeriods: 1,
  Threshold: 0.05,
  ComparisonOperator: "GreaterThanThreshold",
  TreatMissingData: "notBreaching",
  Tags: [{ Key: "sentinel:environment", Value: "local" }],
};

describe("CloudWatch over Smithy RPC v2 CBOR", () => {
  it("creates an alarm and describes it back, with its dimensions, threshold and a tagged timestamp", async () => {
    const put = await callCloudWatch("PutMetricAlarm", alarm);
    expect(put.status).toBe(200);
    expect(put.protocol).toBe("rpc-v2-cbor");

    const described = await callCloudWatch("DescribeAlarms", { AlarmNames: [alarm.AlarmName] });
    expect(described.status).toBe(200);
    const [found] = described.body.MetricAlarms as Array<Record<string, unknown>>;
    expect(found).toMatchObject({
      AlarmName: alarm.AlarmName,
      MetricName: "QuarantineRatio",
      Threshold: 0.05,
      Dimensions: alarm.Dimensions,
      TreatMissingData: "notBreaching",
    });
    // timestamps travel as CBOR tag 1 (epoch seconds), which the Go client decodes as time.Time
    expect(found?.AlarmConfigurationUpdatedTimestamp).toMatchObject({ tag: 1 });

    const tags = await callCloudWatch("ListTagsForResource", { ResourceARN: found?.AlarmArn });
    expect(tags.body.Tags).toEqual(alarm.Tags);
  });

  it("puts, reads and deletes a dashboard", async () => {
    const body = JSON.stringify({ widgets: [{ type: "text", x: 0, y: 0, width: 6, height: 2, properties: { markdown: "Sentinel" } }] });
    expect((await callCloudWatch("PutDashboard", { DashboardName: "sentinel-local", DashboardBody: body })).status).toBe(200);
    const read = await callCloudWatch("GetDashboard", { DashboardName: "sentinel-local" });
    expect(read.body).toMatchObject({ DashboardName: "sentinel-local", DashboardBody: body });
    expect((await callCloudWatch("DeleteDashboards", { DashboardNames: ["sentinel-local"] })).status).toBe(200);
  });

  it("answers an error as a CBOR error with its code, as the query-compatible protocol defines", async () => {
    const missing = await callCloudWatch("GetDashboard", { DashboardName: "no-such-dashboard" });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.protocol).toBe("rpc-v2-cbor");
    expect(missing.body.__type).toMatch(/^com\.amazonaws\.cloudwatch#\w+/);
    expect(missing.queryError).toMatch(/;Sender$/);
  });

  it("leaves the query protocol to moto unchanged: the alarm made over CBOR is there over query too", async () => {
    const date = new Date().toISOString().slice(0, 10).replaceAll("-", "");
    const response = await fetch(emulator.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        authorization: `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/${date}/${EMULATOR_CREDENTIALS.region}/monitoring/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams({ Action: "DescribeAlarms", Version: "2010-08-01", "AlarmNames.member.1": alarm.AlarmName }).toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`<AlarmName>${alarm.AlarmName}</AlarmName>`);
  });
});
