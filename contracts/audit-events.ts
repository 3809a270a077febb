/**
 * Audit events the trigger and lineage handlers send to the audit handler through EventBridge (only the
 * audit handler writes and signs the audit chain). The source names the sending handler; each handler's
 * role may put events only with its own source and this detail type (IAM conditions events:source and
 * events:detail-type), so the source the audit handler records is attributable.
 */
import type { HandlerName } from "./handler-names";

export const AUDIT_EVENT_DETAIL_TYPE = "Sentinel Audit Event";

/** The handlers that send their audit events to the audit handler. */
export const AUDIT_EVENT_SENDERS = ["trigger", "lineage"] as const satisfies readonly HandlerName[];
export type AuditEventSender = (typeof AUDIT_EVENT_SENDERS)[number];

/** EventBridge source of a sender's audit events, e.g. sentinel.trigger. */
export function auditEventSource(sender: AuditEventSender): string {
  return `sentinel.${sender}`;
}

/** The rule pattern routing every sender's audit events to the audit handler. */
export function auditEventPattern(): string {
  return JSON.stringify({ source: AUDIT_EVENT_SENDERS.map(auditEventSource), "detail-type": [AUDIT_EVENT_DETAIL_TYPE] });
}
