/**
 * The hash chain: each event's `hash` is SHA-256 over the RFC 8785 canonical JSON of the event
 * (everything but `hash`, including `prev_hash` and `seq`), so editing, deleting, duplicating or
 * reordering any event breaks the chain at that point.
 */
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { chainedAuditEventSchema, type ChainedAuditEvent } from "./audit-event";

/** `prev_hash` of the first event of every chain. */
export const GENESIS_HASH = "0".repeat(64);

export type UnhashedAuditEvent = Omit<ChainedAuditEvent, "hash">;

export function auditEventHash(event: UnhashedAuditEvent): string {
  const canonical = canonicalize(event);
  if (canonical === undefined) throw new Error("audit event has no canonical JSON form");
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}

/** The event with `hash` (re)computed over all its other fields. */
export function sealEvent(event: UnhashedAuditEvent | ChainedAuditEvent): ChainedAuditEvent {
  const unhashed = Object.fromEntries(Object.entries(event).filter(([field]) => field !== "hash")) as UnhashedAuditEvent;
  return { ...unhashed, hash: auditEventHash(unhashed) };
}

/** The chain position a new event takes after `head` (undefined: the chain is empty). */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  /** epoch ms of the head event; the next event is strictly later so log order equals chain order */
  readonly timeMs: number;
}

export function chainHeadOf(event: ChainedAuditEvent): ChainHead {
  return { seq: event.seq, hash: event.hash, timeMs: Date.parse(event.time) };
}

export function linkEvent(
  head: ChainHead | undefined,
  body: Omit<UnhashedAuditEvent, "seq" | "prev_hash" | "time" | "schema_version">,
  now: Date,
): ChainedAuditEvent {
  const timeMs = Math.max(now.getTime(), (head?.timeMs ?? -Infinity) + 1);
  const unhashed: UnhashedAuditEvent = {
    schema_version: 1,
    run_id: body.run_id,
    seq: (head?.seq ?? 0) + 1,
    time: new Date(timeMs).toISOString(),
    actor: body.actor,
    action: body.action,
    resource: body.resource,
    outcome: body.outcome,
    request_id: body.request_id,
    details: body.details,
    prev_hash: head?.hash ?? GENESIS_HASH,
  };
  return sealEvent(unhashed);
}

export interface ChainBreak {
  /** 0-based position in the sequence that was checked */
  readonly position: number;
  /** the seq the broken event claims, when it could be read */
  readonly seq: number | undefined;
  readonly reason: string;
}

export type ChainVerification =
  | { readonly ok: true; readonly count: number; readonly head: { seq: number; hash: string } | undefined }
  | { readonly ok: false; readonly count: number; readonly broken: ChainBreak };

export interface VerifyOptions {
  readonly runId: string;
  /**
   * (seq, hash) of every event in the chain index, in order. With it, an event that is chain-consistent
   * but not the one the writer recorded (forged, or a deleted tail) is caught; without it, it is not.
   */
  readonly index?: readonly { readonly seq: number; readonly hash: string }[];
}

/** Verifies events in the order they were read; reports the first broken one. */
export function verifyChain(events: readonly unknown[], options: VerifyOptions): ChainVerification {
  let previousHash = GENESIS_HASH;
  const broken = (position: number, seq: number | undefined, reason: string): ChainVerification => ({
    ok: false,
    count: events.length,
    broken: { position, seq, reason },
  });
  for (const [position, raw] of events.entries()) {
    const parsed = chainedAuditEventSchema.safeParse(raw);
    if (!parsed.success) return broken(position, undefined, "not a well-formed Sentinel audit event");
    const event = parsed.data;
    const { hash, ...unhashed } = event;
    if (auditEventHash(unhashed) !== hash) return broken(position, event.seq, "content does not match its hash (edited)");
    if (event.run_id !== options.runId) return broken(position, event.seq, `belongs to run ${event.run_id}, not ${options.runId}`);
    if (event.seq !== position + 1) {
      return broken(
        position,
        event.seq,
        `expected seq ${position + 1} here, found ${event.seq} (an event was deleted, duplicated or reordered)`,
      );
    }
    if (event.prev_hash !== previousHash) return broken(position, event.seq, "prev_hash does not match the previous event's hash");
    const indexed = options.index?.[position];
    if (options.index !== undefined && indexed === undefined) {
      return broken(
        position,
        event.seq,
        `not in the chain index, which ends at seq ${options.index.length} (written outside the audit writer)`,
      );
    }
    if (indexed !== undefined && indexed.hash !== hash)
      return broken(position, event.seq, "differs from the event the chain index recorded at this seq (forged or replaced)");
    previousHash = hash;
  }
  const count = events.length;
  const indexedCount = options.index?.length ?? 0;
  if (count < indexedCount) {
    return broken(
      count,
      count + 1,
      `events seq ${count + 1}..${indexedCount} are missing from the log stream (the chain index records ${indexedCount})`,
    );
  }
  return { ok: true, count, head: count === 0 ? undefined : { seq: count, hash: previousHash } };
}
