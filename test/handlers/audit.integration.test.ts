/**
 * The audit writer and verifier against the local emulator (moto 5.2.5): S3 conditional writes and
 * Object Lock, CloudWatch Logs streams, STS caller identity. moto records a log group's kmsKeyId but does
 * not encrypt; the KMS association is what the writer checks and what these tests prove.
 */
import { DeleteLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../handlers/audit/audit-event";
import { verifyAuditTrail, readLogStream } from "../../handlers/audit/audit-trail";
import { ChainIndex, chainIndexKey } from "../../handlers/audit/chain-index";
import { sealEvent } from "../../handlers/audit/hash-chain";
import { AUDIT_LOG_GROUP, LINEAGE_AUDIT_BUCKET, emulatedPlatformPerTest, emulatorAuditWriter } from "./support/emulated-platform";

const RUN_ID = "0b6f3c1e-2f55-5d7e-8a41-6c9d0e1f2a3b";

function entry(n: number): AuditEntry {
  return {
    run_id: RUN_ID,
    action: "pipeline.start",
    resource: `arn:aws:glue:eu-central-2:123456789012:job/etl-${n}`,
    outcome: "success",
    request_id: `req-${n}`,
    details: { n },
  };
}

describe("audit trail on the emulator", () => {
  const platform = emulatedPlatformPerTest();

  const writer = () => emulatorAuditWriter(platform.clients);
  const verify = (withIndex = true) =>
    verifyAuditTrail({
      logs: platform.clients.logs,
      logGroupName: AUDIT_LOG_GROUP,
      runId: RUN_ID,
      index: withIndex ? new ChainIndex(platform.clients.s3, LINEAGE_AUDIT_BUCKET) : undefined,
    });

  it("writes a verifiable chain to one stream per run, attributed to the caller, with locked index objects", async () => {
    const audit = writer();
    for (let n = 1; n <= 5; n++) await audit.record(entry(n));
    const report = await verify();
    expect(report.verification).toMatchObject({ ok: true, count: 5 });
    expect(report.indexEventCount).toBe(5);
    const stream = await readLogStream(platform.clients.logs, AUDIT_LOG_GROUP, RUN_ID);
    expect((stream.events[0] as { actor: string }).actor).toMatch(/^arn:aws:/);
    const head = await platform.clients.s3.send(new HeadObjectCommand({ Bucket: LINEAGE_AUDIT_BUCKET, Key: chainIndexKey(RUN_ID, 1) }));
    expect(head.ObjectLockMode).toBe("COMPLIANCE");
  });

  it("keeps one unbroken chain when 12 writers (separate Lambda instances) append concurrently", async () => {
    await Promise.all(Array.from({ length: 12 }, (_, n) => writer().record(entry(n))));
    const report = await verify();
    expect(report.verification).toMatchObject({ ok: true, count: 12 });
    const stream = await readLogStream(platform.clients.logs, AUDIT_LOG_GROUP, RUN_ID);
    expect(stream.events.map((event) => (event as { seq: number }).seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(stream.events.map((event) => (event as { request_id: string }).request_id)).size).toBe(12);
  });

  it("refuses to write to a log group without a KMS key, and writes nothing", async () => {
    await platform.recreate({ unencryptedAuditLogGroup: true });
    await expect(writer().record(entry(1))).rejects.toThrow(/not encrypted with a KMS key/);
    expect(await new ChainIndex(platform.clients.s3, LINEAGE_AUDIT_BUCKET).events(RUN_ID)).toEqual([]);
  });

  it("names the first broken event when a forged event is inserted between two real ones", async () => {
    const audit = writer();
    const first = await audit.record(entry(1));
    const second = await audit.record(entry(2));
    // chain-consistent on its own: right seq, right prev_hash, a correct hash over forged content
    const forged = sealEvent({ ...first, seq: 2, resource: "arn:aws:glue:eu-central-2:123456789012:job/forged", prev_hash: first.hash });
    await platform.clients.logs.send(
      new PutLogEventsCommand({
        logGroupName: AUDIT_LOG_GROUP,
        logStreamName: RUN_ID,
        logEvents: [{ timestamp: (Date.parse(first.time) + Date.parse(second.time)) / 2, message: JSON.stringify(forged) }],
      }),
    );
    const report = await verify();
    expect(report.verification.ok).toBe(false);
    if (!report.verification.ok)
      expect(report.verification.broken).toMatchObject({
        position: 1,
        seq: 2,
        reason: expect.stringMatching(/differs from the event the chain index recorded/),
      });
  });

  it("detects a deleted log stream from the chain index, and cannot without it", async () => {
    const audit = writer();
    for (let n = 1; n <= 3; n++) await audit.record(entry(n));
    await platform.clients.logs.send(new DeleteLogStreamCommand({ logGroupName: AUDIT_LOG_GROUP, logStreamName: RUN_ID }));
    const report = await verify();
    expect(report.streamExists).toBe(false);
    expect(report.verification.ok).toBe(false);
    if (!report.verification.ok) expect(report.verification.broken.reason).toMatch(/seq 1\.\.3 are missing/);
    expect((await verify(false)).verification.ok).toBe(true);
  });
});
