/**
 * The audit handler's job: record an audit event sent by another part of the platform, either invoked
 * directly with an entry or through EventBridge (detail-type "Sentinel Audit Event").
 */
import { z } from "zod";
import type { Clock } from "../shared/clock";
import { schemaIssues } from "../shared/errors";
import { auditEntrySchema, type AuditRecorder, type ChainedAuditEvent } from "./audit-event";
import { rejectMalformedEvent } from "./rejection";

const entryWithoutRequestId = auditEntrySchema.extend({ request_id: auditEntrySchema.shape.request_id.optional() });

/** EventBridge envelope carrying an audit entry in `detail`. */
const auditEventBridgeEvent = z.object({
  "detail-type": z.literal("Sentinel Audit Event"),
  id: z.string().min(1),
  source: z.string().min(1),
  detail: entryWithoutRequestId,
});

export const externalAuditEventSchema = z.union([auditEventBridgeEvent, entryWithoutRequestId]);

export interface RecordAuditEventDeps {
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  readonly requestId: string;
  readonly handlerName: string;
}

export async function recordAuditEvent(event: unknown, deps: RecordAuditEventDeps): Promise<ChainedAuditEvent> {
  const parsed = externalAuditEventSchema.safeParse(event);
  if (!parsed.success) {
    throw await rejectMalformedEvent(deps, "audit event", schemaIssues(parsed.error));
  }
  if ("detail" in parsed.data) {
    const { detail, source, id } = parsed.data;
    return deps.audit.record({
      ...detail,
      request_id: detail.request_id ?? deps.requestId,
      details: { ...detail.details, event_source: source, event_id: id },
    });
  }
  return deps.audit.record({ ...parsed.data, request_id: parsed.data.request_id ?? deps.requestId });
}
