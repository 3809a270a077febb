/**
 * How the trigger and lineage handlers record audit events: they send them to the audit handler through
 * EventBridge, because only the audit handler may write and sign the audit chain, so every chain head is
 * signed and `sentinel audit verify --public-key` tells a head the audit handler wrote from anything else.
 *
 * The event's source names the sender (contracts/audit-events.ts); IAM lets each handler's role put events
 * only with its own source, and the audit handler records that source, the event id and the account from
 * EventBridge's envelope. The actor is still never in the payload: the audit handler refuses one that
 * names it. A PutEvents entry EventBridge did not accept is an error, as a failed chain write was.
 */
import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { AUDIT_EVENT_DETAIL_TYPE, auditEventSource, type AuditEventSender } from "../../contracts/audit-events";
import { auditEntrySchema, type AuditEntry, type AuditSink } from "./audit-event";

export class AuditEventNotSentError extends Error {
  constructor(detail: string) {
    super(`the audit event was not sent to the audit handler: ${detail}`);
    this.name = "AuditEventNotSentError";
  }
}

export class EventBridgeAuditSender implements AuditSink {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly sender: AuditEventSender,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    // the audit handler validates too; checking here fails the sender, where the mistake is
    const detail = auditEntrySchema.parse(entry);
    const response = await this.events.send(
      new PutEventsCommand({
        Entries: [{ Source: auditEventSource(this.sender), DetailType: AUDIT_EVENT_DETAIL_TYPE, Detail: JSON.stringify(detail) }],
      }),
    );
    const failed = response.Entries?.find((result) => result.ErrorCode !== undefined);
    if ((response.FailedEntryCount ?? 0) > 0 || failed !== undefined) {
      throw new AuditEventNotSentError(`${failed?.ErrorCode ?? "FailedEntry"}: ${failed?.ErrorMessage ?? "no reason given"}`);
    }
  }
}
