/**
 * Writes hash-chained audit events: claim the next sequence number in the S3 chain index (one writer
 * wins each number), append the same event to the run's log stream in the KMS-encrypted log group, and,
 * where the writer holds the signing key (the audit handler), sign the new chain head (signed-head.ts).
 */
import {
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClient,
} from "@aws-sdk/client-cloudwatch-logs";
import type { Clock } from "../shared/clock";
import { ConfigurationError } from "../shared/errors";
import type { Retention } from "../shared/object-store";
import { auditEntrySchema, type AuditEntry, type AuditRecorder, type ChainedAuditEvent } from "./audit-event";
import type { ChainIndex } from "./chain-index";
import { chainHeadOf, linkEvent, verifyChain } from "./hash-chain";
import { signHead, type HeadSigner } from "./signed-head";

export interface AuditWriterProps {
  readonly logs: CloudWatchLogsClient;
  readonly index: ChainIndex;
  readonly logGroupName: string;
  /** The principal the events are attributed to (the handler's execution role). */
  readonly actor: () => Promise<string>;
  readonly clock: Clock;
  /** Object Lock retention for chain index objects. */
  readonly retention: (now: Date) => Retention;
  /** Bound on claim attempts when many writers race for the same run. */
  readonly maxClaimAttempts?: number;
  /** Signs each new chain head (only the audit handler's role may use the key); none: heads stay unsigned. */
  readonly signer?: HeadSigner;
}

export class AuditWriter implements AuditRecorder {
  private encryptionChecked = false;
  private readonly streams = new Set<string>();

  constructor(private readonly props: AuditWriterProps) {}

  async record(entry: AuditEntry): Promise<ChainedAuditEvent> {
    const parsed = auditEntrySchema.parse(entry);
    await this.requireEncryptedLogGroup();
    const actor = await this.props.actor();
    const attempts = this.props.maxClaimAttempts ?? 20;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const head = await this.props.index.head(parsed.run_id);
      const now = this.props.clock();
      const event = linkEvent(head && chainHeadOf(head), { ...parsed, actor }, now);
      if ((await this.props.index.claim(event, this.props.retention(now))) === "created") {
        await this.append(event);
        await this.sign(event);
        return event;
      }
      // another writer took this seq: back off a little, with jitter, and re-read the head
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
    throw new Error(`audit: could not claim a chain position for run ${parsed.run_id} after ${attempts} attempts`);
  }

  /**
   * Signs the head this writer just created; the signature covers every earlier event too, including
   * those other handlers wrote, so the chain up to it is checked first and a broken chain is never signed.
   */
  private async sign(event: ChainedAuditEvent): Promise<void> {
    const { signer } = this.props;
    if (signer === undefined) return;
    const chain = (await this.props.index.events(event.run_id)).filter((indexed) => indexed.seq <= event.seq);
    const checked = verifyChain(chain, { runId: event.run_id });
    if (!checked.ok || checked.head?.hash !== event.hash) {
      const reason = checked.ok
        ? `the index ends at seq ${checked.head?.seq ?? 0}, not at ${event.seq}`
        : `seq ${checked.broken.seq ?? "?"}: ${checked.broken.reason}`;
      throw new Error(
        `audit: chain of run ${event.run_id} is broken (${reason}); event seq ${event.seq} was recorded but its head is NOT signed`,
      );
    }
    const now = this.props.clock();
    await this.props.index.storeSignedHead(await signHead(signer, event, now), this.props.retention(now));
  }

  private async requireEncryptedLogGroup(): Promise<void> {
    if (this.encryptionChecked) return;
    const { logGroupName } = this.props;
    const response = await this.props.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }));
    const group = response.logGroups?.find((candidate) => candidate.logGroupName === logGroupName);
    if (group === undefined) throw new ConfigurationError(`audit log group ${logGroupName} does not exist`);
    if (group.kmsKeyId === undefined || group.kmsKeyId === "") {
      throw new ConfigurationError(`audit log group ${logGroupName} is not encrypted with a KMS key: refusing to write audit events to it`);
    }
    this.encryptionChecked = true;
  }

  private async append(event: ChainedAuditEvent): Promise<void> {
    const { logs, logGroupName } = this.props;
    if (!this.streams.has(event.run_id)) {
      try {
        await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: event.run_id }));
      } catch (error) {
        if ((error as { name?: string }).name !== "ResourceAlreadyExistsException") throw error;
      }
      this.streams.add(event.run_id);
    }
    const response = await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: event.run_id,
        logEvents: [{ timestamp: Date.parse(event.time), message: JSON.stringify(event) }],
      }),
    );
    const rejected = response.rejectedLogEventsInfo;
    if (rejected !== undefined && Object.values(rejected).some((index) => index !== undefined)) {
      throw new Error(
        `audit: CloudWatch Logs rejected event seq ${event.seq} of run ${event.run_id} (${JSON.stringify(rejected)}); ` +
          "it is kept in the chain index and `sentinel audit verify` will report it missing from the stream",
      );
    }
  }
}
