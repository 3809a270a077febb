/**
 * Attacks on the audit trail, tried as a compromised handler or an insider with write access to the log
 * stream and the lineage-audit bucket would try them, against the local emulator (moto 5.2.5: CloudWatch
 * Logs, S3 with versioning and Object Lock, KMS ECC_NIST_P256 Sign/GetPublicKey). The honest chain is
 * written by the real audit writer signing with the emulator's KMS key; each attack then uses only what
 * the attacker holds (no signing key), and `sentinel audit verify` with only the public key (a PEM file
 * exported once) must name what was done. Not proven here (moto does not evaluate them): that only the
 * audit handler's role may Sign, and the bucket policy's If-None-Match deny; sec-infra's static
 * evaluation of the synthesized key and bucket policies covers those.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteLogStreamCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateKeyCommand, GetPublicKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../local/emulator/emulator";
import type { AuditEntry, ChainedAuditEvent } from "../../handlers/audit/audit-event";
import { readLogStream } from "../../handlers/audit/audit-trail";
import { chainIndexKey } from "../../handlers/audit/chain-index";
import { createAuditWriter } from "../../handlers/audit/create-audit-writer";
import { linkEvent, chainHeadOf, sealEvent } from "../../handlers/audit/hash-chain";
import { recordAuditEvent } from "../../handlers/audit/record-audit-event";
import { KmsHeadSigner, signHead, signedHeadKey, type HeadSigner } from "../../handlers/audit/signed-head";
import { main, type CliIo } from "../../handlers/cli/main";
import { callerPrincipal } from "../../handlers/shared/actor";
import { systemClock } from "../../handlers/shared/clock";
import { createJsonIfAbsent } from "../../handlers/shared/object-store";
import {
  AUDIT_LOG_GROUP,
  LINEAGE_AUDIT_BUCKET,
  REGION,
  commonConfig,
  createPlatform,
  type AwsClients,
} from "../handlers/support/emulated-platform";

const RUN_ID = "7d1e0c55-4b7a-5c21-9f0e-2a3b4c5d6e7f";

function entry(n: number): AuditEntry {
  return {
    run_id: RUN_ID,
    action: "pipeline.start",
    resource: `arn:aws:glue:${REGION}:123456789012:job/etl`,
    outcome: "success",
    request_id: `req-${n}`,
    details: { n },
  };
}

/** A signer the attacker controls: an ECDSA P-256 key that is not the audit key. */
function attackerSigner(): HeadSigner {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    keyId: "arn:aws:kms:eu-central-2:123456789012:key/attacker",
    sign: async (message) => {
      const { sign } = await import("node:crypto");
      return sign("sha256", message, { key: privateKey, dsaEncoding: "der" });
    },
  };
}

describe("audit trail attacks, verified with only the public key", () => {
  let emulator: Emulator;
  let clients: AwsClients;
  let kms: KMSClient;
  let signingKeyArn: string;
  let publicKeyFile: string;

  async function sentinelVerify(...extra: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = "";
    const io: CliIo = {
      stdout: (text) => void (stdout += text),
      stderr: () => undefined,
      env: { LINEAGE_AUDIT_BUCKET, AUDIT_LOG_GROUP_NAME: AUDIT_LOG_GROUP },
    };
    const code = await main(["--endpoint-url", emulator.endpoint, "--region", REGION, "audit", "verify", "--run-id", RUN_ID, ...extra], io);
    return { code, stdout };
  }

  async function streamEvents(): Promise<ChainedAuditEvent[]> {
    return (await readLogStream(clients.logs, AUDIT_LOG_GROUP, RUN_ID)).events as ChainedAuditEvent[];
  }
  /** Event 4, linked to the newest event of the stream as the audit handler would link it, but never signed. */
  async function appendEventWithoutSigningKey(): Promise<ChainedAuditEvent> {
    const last = (await streamEvents()).at(-1) as ChainedAuditEvent;
    return linkEvent(
      chainHeadOf(last),
      { ...entry(4), actor: last.actor, request_id: "req-4", details: { n: 4 } },
      new Date(Date.parse(last.time) + 1000),
    );
  }

  async function putOnStream(event: ChainedAuditEvent): Promise<void> {
    await clients.logs.send(
      new PutLogEventsCommand({
        logGroupName: AUDIT_LOG_GROUP,
        logStreamName: RUN_ID,
        logEvents: [{ timestamp: Date.parse(event.time), message: JSON.stringify(event) }],
      }),
    );
  }

  /** Replaces the run's log stream with `events` (the attacker can delete and recreate streams). */
  async function rewriteStream(events: readonly ChainedAuditEvent[]): Promise<void> {
    await clients.logs.send(new DeleteLogStreamCommand({ logGroupName: AUDIT_LOG_GROUP, logStreamName: RUN_ID }));
    await clients.logs.send(new CreateLogStreamCommand({ logGroupName: AUDIT_LOG_GROUP, logStreamName: RUN_ID }));
    if (events.length === 0) return;
    await clients.logs.send(
      new PutLogEventsCommand({
        logGroupName: AUDIT_LOG_GROUP,
        logStreamName: RUN_ID,
        logEvents: events.map((event) => ({ timestamp: Date.parse(event.time), message: JSON.stringify(event) })),
      }),
    );
  }

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.stop();
  });
  beforeEach(async () => {
    await emulator.reset();
    clients = await createPlatform(emulator);
    kms = new KMSClient({ endpoint: emulator.endpoint, region: REGION });
    const key = await kms.send(
      new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", Description: "sentinel audit signing" }),
    );
    signingKeyArn = key.KeyMetadata?.Arn ?? "";
    // The auditor exports the public key once; verification then needs no AWS key access at all.
    const spki = (await kms.send(new GetPublicKeyCommand({ KeyId: signingKeyArn }))).PublicKey ?? new Uint8Array();
    const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(spki)
      .toString("base64")
      .replace(/(.{64})/g, "$1\n")}\n-----END PUBLIC KEY-----\n`;
    publicKeyFile = join(mkdtempSync(join(tmpdir(), "sentinel-audit-key-")), "audit-public-key.pem");
    writeFileSync(publicKeyFile, pem);
    const writer = createAuditWriter(commonConfig, {
      s3: clients.s3,
      logs: clients.logs,
      actor: callerPrincipal(clients.sts),
      clock: systemClock,
      signer: new KmsHeadSigner(kms, signingKeyArn),
    });
    for (let n = 1; n <= 3; n++) await writer.record(entry(n));
  });

  it("an honest trail verifies with the PEM public key alone, and with the key ARN (GetPublicKey once)", async () => {
    const byPem = await sentinelVerify("--public-key", publicKeyFile);
    expect(byPem.code).toBe(0);
    expect(byPem.stdout).toMatch(/OK: hash chain intact, head seq 3/);
    expect(byPem.stdout).toMatch(/OK: signed through seq 3 \(3 valid signed heads\)/);
    expect((await sentinelVerify("--signing-key", signingKeyArn)).code).toBe(0);
    expect((await sentinelVerify()).stdout).toMatch(/note: signed heads not checked/);
  });

  it("a forged event, with the chain re-hashed after it, is reported FORGED", async () => {
    const [first, second, third] = await streamEvents();
    if (first === undefined || second === undefined || third === undefined) throw new Error("expected 3 events");
    // Edit event 2 and re-link event 3 so the hash chain itself is consistent again.
    const edited = sealEvent({ ...second, outcome: "failure", details: { n: 2, note: "edited" } });
    const relinked = sealEvent({ ...third, prev_hash: edited.hash });
    await rewriteStream([first, edited, relinked]);
    const chainOnly = await sentinelVerify("--no-index", "--public-key", publicKeyFile);
    expect(chainOnly.code).toBe(1);
    expect(chainOnly.stdout).toMatch(/OK: hash chain intact/); // the unkeyed chain alone is fooled...
    expect(chainOnly.stdout).toMatch(/FORGED: event seq 2 differs from the event the valid signed head recorded/); // ...the signature is not
    expect(chainOnly.stdout).toMatch(/FORGED: event seq 3 differs/);
  });

  it("an event appended to the stream and the index without the signing key is reported APPENDED", async () => {
    const appended = await appendEventWithoutSigningKey();
    await createJsonIfAbsent(clients.s3, LINEAGE_AUDIT_BUCKET, chainIndexKey(RUN_ID, 4), appended);
    await putOnStream(appended);
    const report = await sentinelVerify("--public-key", publicKeyFile);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/OK: hash chain intact, head seq 4/);
    expect(report.stdout).toMatch(/APPENDED: events seq 4\.\.4 come after the newest valid signed head \(seq 3\)/);
  });

  it("a head signed with another key is reported FORGED, and does not cover the appended event", async () => {
    const appended = await appendEventWithoutSigningKey();
    await putOnStream(appended);
    await createJsonIfAbsent(clients.s3, LINEAGE_AUDIT_BUCKET, chainIndexKey(RUN_ID, 4), appended);
    await createJsonIfAbsent(
      clients.s3,
      LINEAGE_AUDIT_BUCKET,
      signedHeadKey(RUN_ID, 4),
      await signHead(attackerSigner(), appended, new Date()),
    );
    const report = await sentinelVerify("--public-key", publicKeyFile);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(
      /FORGED: .*heads\/0000000004\.json: the signature of head seq 4 does not verify under the audit public key/,
    );
    expect(report.stdout).toMatch(/APPENDED: events seq 4\.\.4/);
  });

  it("a truncated chain (last event removed from the stream) is reported TRUNCATED", async () => {
    const events = await streamEvents();
    await rewriteStream(events.slice(0, 2));
    const report = await sentinelVerify("--no-index", "--public-key", publicKeyFile);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(/OK: hash chain intact, head seq 2/); // a shorter chain is still a chain
    expect(report.stdout).toMatch(
      /TRUNCATED: a valid signed head covers seq 3, but the chain ends at seq 2: events seq 3\.\.3 were removed/,
    );
  });

  it("a later version written over a chain index object is reported OVERWRITTEN and the oldest version is what is verified", async () => {
    const events = await streamEvents();
    const second = events[1] as ChainedAuditEvent;
    // A plain PUT (no If-None-Match) makes a new version; Object Lock keeps the first, it does not stop the second.
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: LINEAGE_AUDIT_BUCKET,
        Key: chainIndexKey(RUN_ID, 2),
        Body: JSON.stringify(sealEvent({ ...second, outcome: "failure" })),
        ChecksumAlgorithm: "SHA256",
      }),
    );
    const report = await sentinelVerify("--public-key", publicKeyFile);
    expect(report.code).toBe(1);
    expect(report.stdout).toMatch(
      new RegExp(
        `OVERWRITTEN: audit-chain/${RUN_ID}/0000000002\\.json has 1 later version\\(s\\) and 0 delete marker\\(s\\); the oldest version was verified`,
      ),
    );
    expect(report.stdout).toMatch(/OK: hash chain intact, head seq 3/); // the oldest version still matches the stream
  });

  it("a payload that names its own actor is refused, and the refusal is audited", async () => {
    const recorded: AuditEntry[] = [];
    const deps = {
      audit: {
        record: async (e: AuditEntry) => (
          recorded.push(e),
          sealEvent({
            schema_version: 1,
            seq: 1,
            time: new Date().toISOString(),
            actor: "handler",
            prev_hash: "0".repeat(64),
            ...e,
            details: e.details ?? {},
          } as never)
        ),
      },
      clock: systemClock,
      requestId: "req-x",
      handlerName: "arn:aws:lambda:eu-central-2:123456789012:function:sentinel-local-audit",
    };
    await expect(recordAuditEvent({ ...entry(9), actor: "arn:aws:iam::123456789012:role/auditor" }, deps)).rejects.toThrow(
      /actor: the actor is taken from the invocation, never from the payload/,
    );
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ action: "event.reject", outcome: "refused" });
    await expect(
      recordAuditEvent(
        {
          "detail-type": "Sentinel Audit Event",
          id: "e-1",
          source: "sentinel.trigger",
          detail: { ...entry(9), details: { invocation: { via: "direct" } } },
        },
        deps,
      ),
    ).rejects.toThrow(/detail\.details\.invocation/);
    // an accepted event carries the invocation the handler observed
    await recordAuditEvent(
      { "detail-type": "Sentinel Audit Event", id: "e-2", source: "aws.glue", account: "123456789012", detail: entry(10) },
      deps,
    );
    expect(recorded.at(-1)?.details).toMatchObject({
      invocation: { via: "eventbridge", source: "aws.glue", aws_service_source: true, account: "123456789012", event_id: "e-2" },
    });
  });
});

describe("the audit handler does not sign over a broken chain", () => {
  let emulator: Emulator;
  let clients: AwsClients;

  beforeAll(async () => {
    emulator = await startEmulator();
    clients = await createPlatform(emulator);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("refuses to sign the next head when an earlier indexed event does not link", async () => {
    const kms = new KMSClient({ endpoint: emulator.endpoint, region: REGION });
    const key = await kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }));
    const unsigned = createAuditWriter(commonConfig, {
      s3: clients.s3,
      logs: clients.logs,
      actor: callerPrincipal(clients.sts),
      clock: systemClock,
    });
    const first = await unsigned.record(entry(1));
    // A writer without the key plants seq 2 that does not link to seq 1 (prev_hash of nothing).
    const planted = sealEvent({ ...first, seq: 2, prev_hash: "f".repeat(64), time: new Date(Date.parse(first.time) + 1).toISOString() });
    await createJsonIfAbsent(clients.s3, LINEAGE_AUDIT_BUCKET, chainIndexKey(RUN_ID, 2), planted);
    const signing = createAuditWriter(commonConfig, {
      s3: clients.s3,
      logs: clients.logs,
      actor: callerPrincipal(clients.sts),
      clock: systemClock,
      signer: new KmsHeadSigner(kms, key.KeyMetadata?.Arn ?? ""),
    });
    await expect(signing.record(entry(3))).rejects.toThrow(
      /chain of run .* is broken \(seq 2: prev_hash does not match the previous event's hash\); event seq 3 was recorded but its head is NOT signed/,
    );
  });
});
