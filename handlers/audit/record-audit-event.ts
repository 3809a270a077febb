/**
 * The audit handler's job: record an audit event sent by another part of the platform, either invoked
 * directly with an entry or through EventBridge (detail-type "Sentinel Audit Event").
 *
 * Who did it is never taken from the payload: the event's `actor` is the principal of the writing
 * function (STS caller identity), and `details.invocation` says how the request arrived, from fields the
 * sender cannot choose: for EventBridge the envelope's `account` (set by EventBridge) and `source`
 * (`aws.*` sources can only be sent by AWS services), for a direct invocation the function that was
 * invoked. A payload that names an `actor` or an `invocation` is refused and the refusal is audited.
 */
import { z } from "zod";
import { AUDIT_EVENT_DETAIL_TYPE } from "../../contracts/audit-events";
import type { Clock } from "../shared/clock";
import { schemaIssues, type SchemaIssue } from "../shared/errors";
import { auditEntrySchema, type AuditRecorder, type ChainedAuditEvent } from "./audit-event";
import { rejectMalformedEvent } from "./rejection";

const entryWithoutRequestId = auditEntrySchema.extend({ request_id: auditEntrySchema.shape.request_id.optional() });

/** EventBridge envelope carrying an audit entry in `detail`. */
const auditEventBridgeEvent = z.object({
  "detail-type": z.literal(AUDIT_EVENT_DETAIL_TYPE),
  id: z.string().min(1),
  source: z.string().min(1),
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  detail: entryWithoutRequestId,
});

export const externalAuditEventSchema = z.union([auditEventBridgeEvent, entryWithoutRequestId]);

/** Fields only the handler may set: naming them in the payload is an attempt to choose attribution. */
const ATTRIBUTION_FIELDS = ["actor"] as const;

export interface RecordAuditEventDeps {
  readonly audit: AuditRecorder;
  readonly clock: Clock;
  readonly requestId: string;
  /** the invoked function's ARN (Lambda context) */
  readonly handlerName: string;
}

function attributionIssues(event: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const check = (value: unknown, path: string) => {
    if (typeof value !== "object" || value === null) return;
    for (const field of ATTRIBUTION_FIELDS) {
      if (field in value)
        issues.push({
          path: `${path}${field}`,
          code: "attribution_in_payload",
          message: "the actor is taken from the invocation, never from the payload",
        });
    }
    const details = (value as { details?: unknown }).details;
    if (typeof details === "object" && details !== null && "invocation" in details) {
      issues.push({
        path: `${path}details.invocation`,
        code: "attribution_in_payload",
        message: "the invocation is recorded by the audit handler, never taken from the payload",
      });
    }
  };
  check(event, "");
  if (typeof event === "object" && event !== null && "detail" in event) check((event as { detail: unknown }).detail, "detail.");
  return issues;
}

export async function recordAuditEvent(event: unknown, deps: RecordAuditEventDeps): Promise<ChainedAuditEvent> {
  const attribution = attributionIssues(event);
  if (attribution.length > 0) throw await rejectMalformedEvent(deps, "audit event", attribution);
  const parsed = externalAuditEventSchema.safeParse(event);
  if (!parsed.success) {
    throw await rejectMalformedEvent(deps, "audit event", schemaIssues(parsed.error));
  }
  if ("detail" in parsed.data) {
    const { detail, source, id, account } = parsed.data;
    const invocation = {
      via: "eventbridge",
      source,
      aws_service_source: source.startsWith("aws."),
      ...(account === undefined ? {} : { account }),
      event_id: id,
      function: deps.handlerName,
    };
    return deps.audit.record({
      ...detail,
      request_id: detail.request_id ?? deps.requestId,
      details: { ...detail.details, event_source: source, event_id: id, invocation },
    });
  }
  const invocation = { via: "direct", function: deps.handlerName, request_id: deps.requestId };
  return deps.audit.record({
    ...parsed.data,
    request_id: parsed.data.request_id ?? deps.requestId,
    details: { ...parsed.data.details, invocation },
  });
}
