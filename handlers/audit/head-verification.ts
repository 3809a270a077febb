/**
 * Checks a run's signed heads against its chain with only the public key, and names what was done to the
 * chain: forged (a head that does not verify, or an event that differs from the one a valid head signed),
 * appended (events after the newest valid signed head) or truncated (a valid head beyond the chain's end).
 */
import type { KeyObject } from "node:crypto";
import { signedHeadSchema, verifyHeadSignature, type SignedHead } from "./signed-head";

export type SignatureFindingKind = "forged" | "appended" | "truncated" | "unsigned";

export interface SignatureFinding {
  readonly kind: SignatureFindingKind;
  readonly seq: number | undefined;
  readonly message: string;
}

export interface HeadVerification {
  /** the newest head whose signature verifies and whose event matches, if any */
  readonly signedThrough: number;
  readonly validHeads: number;
  readonly findings: readonly SignatureFinding[];
}

interface ChainEventView {
  readonly seq: number;
  readonly hash: string;
}

function eventViews(events: readonly unknown[]): ChainEventView[] {
  return events.flatMap((event) => {
    const candidate = event as { seq?: unknown; hash?: unknown };
    return typeof candidate.seq === "number" && typeof candidate.hash === "string" ? [{ seq: candidate.seq, hash: candidate.hash }] : [];
  });
}

/**
 * `chain`: the run's events as the log stream holds them, in order. `heads`: the stored signed heads.
 * `indexed`: the chain index's events (oldest versions), which a truncated stream no longer matches.
 */
export function verifySignedHeads(
  runId: string,
  chain: readonly unknown[],
  heads: readonly { key: string; body: unknown }[],
  publicKey: KeyObject,
): HeadVerification {
  const findings: SignatureFinding[] = [];
  const bySeq = new Map(eventViews(chain).map((event) => [event.seq, event.hash]));
  const chainEnd = chain.length;
  const valid: SignedHead[] = [];
  for (const { key, body } of heads) {
    const parsed = signedHeadSchema.safeParse(body);
    if (!parsed.success) {
      findings.push({ kind: "forged", seq: undefined, message: `${key} is not a signed chain head` });
      continue;
    }
    const head = parsed.data;
    if (head.run_id !== runId) {
      findings.push({ kind: "forged", seq: head.seq, message: `${key} signs run ${head.run_id}, not ${runId}` });
    } else if (!verifyHeadSignature(head, publicKey)) {
      findings.push({
        kind: "forged",
        seq: head.seq,
        message: `${key}: the signature of head seq ${head.seq} does not verify under the audit public key (made without the signing key)`,
      });
    } else if (head.seq > chainEnd) {
      findings.push({
        kind: "truncated",
        seq: head.seq,
        message: `a valid signed head covers seq ${head.seq}, but the chain ends at seq ${chainEnd}: events seq ${chainEnd + 1}..${head.seq} were removed`,
      });
      valid.push(head);
    } else if (bySeq.get(head.seq) !== head.hash) {
      findings.push({
        kind: "forged",
        seq: head.seq,
        message: `event seq ${head.seq} differs from the event the valid signed head recorded (edited or replaced, chain re-hashed)`,
      });
    } else {
      valid.push(head);
    }
  }
  const signedThrough = valid.filter((head) => head.seq <= chainEnd).reduce((max, head) => Math.max(max, head.seq), 0);
  if (chainEnd > 0 && valid.length === 0 && !findings.some((finding) => finding.kind === "forged")) {
    findings.push({
      kind: "unsigned",
      seq: undefined,
      message: `no signed head: none of the ${chainEnd} events is covered by the audit signing key`,
    });
  } else if (chainEnd > signedThrough && valid.length > 0) {
    findings.push({
      kind: "appended",
      seq: signedThrough + 1,
      message: `events seq ${signedThrough + 1}..${chainEnd} come after the newest valid signed head (seq ${signedThrough}): appended without the signing key`,
    });
  }
  return { signedThrough, validHeads: valid.length, findings };
}
