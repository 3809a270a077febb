import type { AuditEntry, AuditRecorder, ChainedAuditEvent } from "../../../handlers/audit/audit-event";
import { chainHeadOf, linkEvent } from "../../../handlers/audit/hash-chain";

/** An in-memory audit recorder for unit tests: the same chaining, no AWS. */
export class RecordingAudit implements AuditRecorder {
  readonly events: ChainedAuditEvent[] = [];

  async record(entry: AuditEntry): Promise<ChainedAuditEvent> {
    const previous = this.events.filter((event) => event.run_id === entry.run_id).at(-1);
    const event = linkEvent(
      previous && chainHeadOf(previous),
      { ...entry, details: entry.details ?? {}, actor: "arn:aws:iam::123456789012:role/test" },
      new Date(),
    );
    this.events.push(event);
    return event;
  }

  outcomes(): string[] {
    return this.events.map((event) => `${event.action}:${event.outcome}`);
  }
}
