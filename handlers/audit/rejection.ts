import type { Clock } from "../shared/clock";
import { MalformedEventError, type SchemaIssue } from "../shared/errors";
import type { AuditEntry, AuditSink } from "./audit-event";

/** Chain for events that name no pipeline run (they failed validation): one per UTC day. */
export function rejectionRunId(now: Date): string {
  return `rejected-${now.toISOString().slice(0, 10)}`;
}

export interface RejectionContext {
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly requestId: string;
  /** the handler that refused the event (its function ARN), the resource of the audit event */
  readonly handlerName: string;
}

/**
 * Records that a handler refused a malformed event (and nothing else), then returns the error to throw.
 * The audit event carries the schema issues (paths and expectations), never the event's values.
 */
export async function rejectMalformedEvent(
  context: RejectionContext,
  eventKind: string,
  issues: readonly SchemaIssue[],
): Promise<MalformedEventError> {
  const error = new MalformedEventError(eventKind, issues);
  await auditRefusal(context, "event.reject", { event_kind: eventKind, issues: issues.map((issue) => ({ ...issue })) });
  return error;
}

/**
 * Records that the handler refused a request: in the day's rejection chain (a refused request starts
 * no pipeline run), with the handler as the resource. `details` are ids and reasons, never data values.
 */
export async function auditRefusal(context: RejectionContext, action: string, details: AuditEntry["details"]): Promise<void> {
  await context.audit.record({
    run_id: rejectionRunId(context.clock()),
    action,
    resource: context.handlerName,
    outcome: "refused",
    request_id: context.requestId,
    details,
  });
}
