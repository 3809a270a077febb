/**
 * Re-reads a run's audit trail and checks it: the auditor's `sentinel audit verify`. The chain index is
 * read at the oldest version of each object (later versions and delete markers are findings), and, with
 * the audit public key, the signed heads are checked (head-verification.ts).
 */
import type { KeyObject } from "node:crypto";
import { GetLogEventsCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { ChainIndex } from "./chain-index";
import { verifyChain, type ChainVerification } from "./hash-chain";
import { verifySignedHeads, type HeadVerification } from "./head-verification";
import type { LaterVersions } from "./versioned-objects";

export interface LogStreamRead {
  readonly streamExists: boolean;
  /** Messages in the order CloudWatch Logs returns them (by timestamp), parsed as JSON where possible. */
  readonly events: unknown[];
}

function parseMessage(message: string | undefined): unknown {
  try {
    return JSON.parse(message ?? "");
  } catch {
    return message;
  }
}

export async function readLogStream(logs: CloudWatchLogsClient, logGroupName: string, logStreamName: string): Promise<LogStreamRead> {
  const events: unknown[] = [];
  let token: string | undefined;
  for (;;) {
    let page;
    try {
      page = await logs.send(new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true, nextToken: token }));
    } catch (error) {
      if ((error as { name?: string }).name === "ResourceNotFoundException") return { streamExists: false, events };
      throw error;
    }
    for (const event of page.events ?? []) events.push(parseMessage(event.message));
    // GetLogEvents signals the end by returning the token it was given
    if (page.nextForwardToken === undefined || page.nextForwardToken === token) break;
    token = page.nextForwardToken;
  }
  return { streamExists: true, events };
}

export interface AuditTrailReport {
  readonly runId: string;
  readonly streamExists: boolean;
  readonly logEventCount: number;
  /** undefined when verified without the chain index (tail deletion then goes unnoticed) */
  readonly indexEventCount: number | undefined;
  readonly verification: ChainVerification;
  /** chain index objects (events, signed heads) with versions after the first, or delete markers */
  readonly rewritten: readonly LaterVersions[];
  /** undefined when verified without the public key (signatures not checked) */
  readonly signatures: HeadVerification | undefined;
}

/** Whether the trail passed every check that was run. */
export function trailIntact(report: AuditTrailReport): boolean {
  return report.verification.ok && report.rewritten.length === 0 && (report.signatures?.findings.length ?? 0) === 0;
}

export interface VerifyAuditTrailProps {
  readonly logs: CloudWatchLogsClient;
  readonly logGroupName: string;
  readonly runId: string;
  readonly index?: ChainIndex;
  /** The audit signing key's public half and where the signed heads are; without them heads are not checked. */
  readonly signatures?: { readonly publicKey: KeyObject; readonly heads: ChainIndex };
}

export async function verifyAuditTrail(props: VerifyAuditTrailProps): Promise<AuditTrailReport> {
  const stream = await readLogStream(props.logs, props.logGroupName, props.runId);
  const audited = props.index === undefined ? undefined : await props.index.readForAudit(props.runId);
  const heads =
    props.signatures === undefined
      ? undefined
      : props.signatures.heads === props.index && audited !== undefined
        ? audited.heads
        : (await props.signatures.heads.readForAudit(props.runId)).heads;
  const indexed = audited?.events as Parameters<typeof verifyChain>[1]["index"];
  const verification = verifyChain(stream.events, { runId: props.runId, index: indexed });
  return {
    runId: props.runId,
    streamExists: stream.streamExists,
    logEventCount: stream.events.length,
    indexEventCount: audited?.events.length,
    verification,
    rewritten: audited?.rewritten ?? [],
    signatures:
      props.signatures === undefined ? undefined : verifySignedHeads(props.runId, stream.events, heads ?? [], props.signatures.publicKey),
  };
}
