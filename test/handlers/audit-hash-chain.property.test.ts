import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChainedAuditEvent } from "../../handlers/audit/audit-event";
import { GENESIS_HASH, chainHeadOf, sealEvent, linkEvent, verifyChain } from "../../handlers/audit/hash-chain";

const RUN_ID = "5f1c2a9e-8d4b-5c3a-9e1f-0a2b3c4d5e6f";

const jsonLeaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
const entry = fc.record({
  action: fc.constantFrom("pipeline.start", "lineage.record", "event.reject", "pipeline.skip"),
  resource: fc.string({ minLength: 1, maxLength: 40 }),
  outcome: fc.constantFrom("success", "skipped", "refused", "failure") as fc.Arbitrary<ChainedAuditEvent["outcome"]>,
  request_id: fc.uuid(),
  details: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(jsonLeaf, fc.array(jsonLeaf, { maxLength: 3 })), { maxKeys: 4 }),
});

/** A valid chain of 1..12 events written by the same audit writer logic the handlers use. */
const chain = fc
  .tuple(fc.array(entry, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }))
  .map(([entries, start]) => {
    const events: ChainedAuditEvent[] = [];
    for (const [i, body] of entries.entries()) {
      const head = events.at(-1);
      // several events may share a clock reading; linkEvent still keeps times strictly increasing
      events.push(
        linkEvent(
          head && chainHeadOf(head),
          { ...body, run_id: RUN_ID, actor: "arn:aws:sts::123456789012:assumed-role/trigger/fn" },
          new Date(start + Math.floor(i / 2)),
        ),
      );
    }
    return events;
  });

function headOf(events: readonly ChainedAuditEvent[]) {
  const last = events.at(-1) as ChainedAuditEvent;
  return { seq: last.seq, hash: last.hash };
}

/** what the chain index holds for an untouched chain */
function indexOf(events: readonly ChainedAuditEvent[]) {
  return events.map(({ seq, hash }) => ({ seq, hash }));
}

function flipHex(hex: string): string {
  return (hex[0] === "0" ? "1" : "0") + hex.slice(1);
}

type Edit = (event: ChainedAuditEvent) => ChainedAuditEvent;
const edits: Record<string, Edit> = {
  action: (e) => ({ ...e, action: `${e.action}x` }),
  resource: (e) => ({ ...e, resource: `${e.resource}!` }),
  outcome: (e) => ({ ...e, outcome: e.outcome === "success" ? "failure" : "success" }),
  details: (e) => ({ ...e, details: { ...e.details, _tamper: 1 } }),
  actor: (e) => ({ ...e, actor: `${e.actor}x` }),
  time: (e) => ({ ...e, time: new Date(Date.parse(e.time) + 1).toISOString() }),
  seq: (e) => ({ ...e, seq: e.seq + 1 }),
  run_id: (e) => ({ ...e, run_id: "other-run" }),
  request_id: (e) => ({ ...e, request_id: `${e.request_id}x` }),
  prev_hash: (e) => ({ ...e, prev_hash: flipHex(e.prev_hash) }),
  hash: (e) => ({ ...e, hash: flipHex(e.hash) }),
  // an attacker who edits an event and recomputes its hash still breaks the next link or the indexed head
  rehashed: (e) => sealEvent({ ...e, resource: `${e.resource}!` }),
};

describe("audit hash chain (property-based)", () => {
  it("verifies every untouched chain and reports its head", () => {
    fc.assert(
      fc.property(chain, (events) => {
        const result = verifyChain(events, { runId: RUN_ID, index: indexOf(events) });
        expect(result).toEqual({ ok: true, count: events.length, head: headOf(events) });
        expect(events[0]?.prev_hash).toBe(GENESIS_HASH);
      }),
    );
  });

  it("keeps event times strictly increasing, so CloudWatch's timestamp order is chain order", () => {
    fc.assert(
      fc.property(chain, (events) => {
        for (let i = 1; i < events.length; i++) {
          expect(Date.parse((events[i] as ChainedAuditEvent).time)).toBeGreaterThan(Date.parse((events[i - 1] as ChainedAuditEvent).time));
        }
      }),
    );
  });

  it("detects any single edit of any field of any event", () => {
    fc.assert(
      fc.property(chain, fc.nat(), fc.constantFrom(...Object.keys(edits)), (events, pick, field) => {
        const position = pick % events.length;
        const tampered = events.map((event, i) => (i === position ? (edits[field] as Edit)(event) : event));
        const result = verifyChain(tampered, { runId: RUN_ID, index: indexOf(events) });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.broken.position).toBeLessThanOrEqual(position + 1);
      }),
    );
  });

  it("detects the deletion of any event, including the last one (against the indexed head)", () => {
    fc.assert(
      fc.property(chain, fc.nat(), (events, pick) => {
        const position = pick % events.length;
        const remaining = events.filter((_, i) => i !== position);
        const result = verifyChain(remaining, { runId: RUN_ID, index: indexOf(events) });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.broken.position).toBe(position);
      }),
    );
  });

  it("detects a swap of any two events", () => {
    fc.assert(
      fc.property(
        chain.filter((events) => events.length >= 2),
        fc.nat(),
        fc.nat(),
        (events, a, b) => {
          const i = a % events.length;
          const j = (i + 1 + (b % (events.length - 1))) % events.length;
          const swapped = [...events];
          [swapped[i], swapped[j]] = [swapped[j] as ChainedAuditEvent, swapped[i] as ChainedAuditEvent];
          const result = verifyChain(swapped, { runId: RUN_ID, index: indexOf(events) });
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.broken.position).toBe(Math.min(i, j));
        },
      ),
    );
  });

  it("detects a replayed (duplicated) event anywhere in the stream", () => {
    fc.assert(
      fc.property(chain, fc.nat(), fc.nat(), (events, a, b) => {
        const copied = events[a % events.length] as ChainedAuditEvent;
        const at = b % (events.length + 1);
        const replayed = [...events.slice(0, at), copied, ...events.slice(at)];
        expect(verifyChain(replayed, { runId: RUN_ID, index: indexOf(events) }).ok).toBe(false);
      }),
    );
  });

  it("without the index, edits that keep the chain consistent go unnoticed (why the index exists)", () => {
    fc.assert(
      fc.property(
        chain.filter((events) => events.length >= 2),
        (events) => {
          const truncated = events.slice(0, -1);
          expect(verifyChain(truncated, { runId: RUN_ID }).ok).toBe(true);
          expect(verifyChain(truncated, { runId: RUN_ID, index: indexOf(events) }).ok).toBe(false);
          const lastRewritten = [...truncated, (edits.rehashed as Edit)(events.at(-1) as ChainedAuditEvent)];
          expect(verifyChain(lastRewritten, { runId: RUN_ID }).ok).toBe(true);
          expect(verifyChain(lastRewritten, { runId: RUN_ID, index: indexOf(events) }).ok).toBe(false);
        },
      ),
    );
  });
});
