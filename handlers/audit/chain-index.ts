/**
 * The chain index: a write-once copy of every audit event in S3 at
 * `audit-chain/<run id>/<seq, 10 digits>.json`. It is what makes concurrent writers safe and the chain head
 * recoverable: CloudWatch Logs has no conditional append and reads lag writes, whereas S3 lists are strongly
 * consistent and `If-None-Match: *` lets exactly one writer take each sequence number. It also lets a
 * verifier notice a deleted tail, which a hash chain alone cannot.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { createJsonIfAbsent, listKeys, readJson, type CreateResult, type Retention } from "../shared/object-store";
import { chainedAuditEventSchema, type ChainedAuditEvent } from "./audit-event";
import { signedHeadKey, signedHeadPrefix, type SignedHead } from "./signed-head";
import { readOldestVersions, type LaterVersions } from "./versioned-objects";

/** A run's audit objects as an auditor reads them: the oldest version of each. */
export interface AuditedChainObjects {
  /** indexed events in seq order (unparseable objects are kept as read, to be reported) */
  readonly events: readonly unknown[];
  /** signed heads as stored (parsed JSON, not yet checked) */
  readonly heads: readonly { readonly key: string; readonly body: unknown }[];
  readonly rewritten: readonly LaterVersions[];
}

const SEQ_DIGITS = 10;

/** Keys of indexed events (`<seq>.json` directly under the run's prefix), not its `heads/`. */
export function isEventKey(runId: string, key: string): boolean {
  return key.startsWith(chainIndexPrefix(runId)) && /^\d{10}\.json$/.test(key.slice(chainIndexPrefix(runId).length));
}

export function chainIndexPrefix(runId: string): string {
  return `audit-chain/${runId}/`;
}

export function chainIndexKey(runId: string, seq: number): string {
  return `${chainIndexPrefix(runId)}${String(seq).padStart(SEQ_DIGITS, "0")}.json`;
}

function parseIndexed(body: unknown, key: string): ChainedAuditEvent {
  const parsed = chainedAuditEventSchema.safeParse(body);
  if (!parsed.success) throw new Error(`chain index object ${key} is not a Sentinel audit event`);
  return parsed.data;
}

export class ChainIndex {
  /** Last head seen per run; a stale entry only costs one lost claim and a re-list. */
  private readonly heads = new Map<string, ChainedAuditEvent>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /** The newest event of a run's chain, or undefined for an empty chain. */
  async head(runId: string): Promise<ChainedAuditEvent | undefined> {
    const cached = this.heads.get(runId);
    const newer = await listKeys(this.s3, this.bucket, chainIndexPrefix(runId), cached && chainIndexKey(runId, cached.seq));
    const lastKey = newer.filter((key) => isEventKey(runId, key)).at(-1);
    if (lastKey === undefined) return cached;
    const stored = await readJson(this.s3, this.bucket, lastKey);
    if (stored === undefined) throw new Error(`chain index object ${lastKey} was listed but cannot be read`);
    const head = parseIndexed(stored.body, lastKey);
    this.heads.set(runId, head);
    return head;
  }

  /** Takes the event's sequence number; "exists" means another writer took it first. */
  async claim(event: ChainedAuditEvent, retention: Retention): Promise<"created" | "exists"> {
    const { outcome } = await createJsonIfAbsent(this.s3, this.bucket, chainIndexKey(event.run_id, event.seq), event, retention);
    if (outcome === "created") this.heads.set(event.run_id, event);
    return outcome;
  }

  /** Stores a signed head write-once (a second signature for the same seq is not needed). */
  async storeSignedHead(head: SignedHead, retention: Retention): Promise<CreateResult> {
    return createJsonIfAbsent(this.s3, this.bucket, signedHeadKey(head.run_id, head.seq), head, retention);
  }

  /** The run's events and signed heads at their oldest versions, and every key rewritten since. */
  async readForAudit(runId: string): Promise<AuditedChainObjects> {
    const read = await readOldestVersions(this.s3, this.bucket, chainIndexPrefix(runId));
    return {
      events: read.objects.filter((object) => isEventKey(runId, object.key)).map((object) => object.body),
      heads: read.objects.filter((object) => object.key.startsWith(signedHeadPrefix(runId))).map(({ key, body }) => ({ key, body })),
      rewritten: read.rewritten,
    };
  }

  /** Every indexed event of a run, in chain order. */
  async events(runId: string): Promise<ChainedAuditEvent[]> {
    const keys = (await listKeys(this.s3, this.bucket, chainIndexPrefix(runId))).filter((key) => isEventKey(runId, key));
    const events: ChainedAuditEvent[] = [];
    for (const key of keys) {
      const stored = await readJson(this.s3, this.bucket, key);
      if (stored !== undefined) events.push(parseIndexed(stored.body, key));
    }
    return events;
  }
}
