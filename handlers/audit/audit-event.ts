/**
 * Audit events: what happened (action, resource, outcome), who did it (actor principal), for which
 * pipeline run, and the hash link to the previous event of the same run.
 */
import { z } from "zod";

/** Name of the log stream and chain a run's events belong to: the pipeline run id, or `rejected-<day>`. */
export const auditRunId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "must be a pipeline run id (letters, digits, _ . -)");

export const auditOutcome = z.enum(["success", "skipped", "refused", "failure"]);
export type AuditOutcome = z.infer<typeof auditOutcome>;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be a lower-case hex SHA-256 digest");

/** What a caller asks to record. */
export const auditEntrySchema = z.object({
  run_id: auditRunId,
  /** dotted verb, e.g. `pipeline.start`, `lineage.record`, `event.reject` */
  action: z.string().regex(/^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/, "must be a dotted lower-case action such as pipeline.start"),
  /** ARN or URI of the thing acted on */
  resource: z.string().min(1).max(2048),
  outcome: auditOutcome,
  request_id: z.string().min(1).max(256),
  /** Ids, counts and reasons only: never data values or key material. */
  details: z.record(z.string(), z.json()).default({}),
});
export type AuditEntry = z.input<typeof auditEntrySchema>;

/** One event as stored in the log stream and in the chain index. */
export const chainedAuditEventSchema = z.object({
  schema_version: z.literal(1),
  run_id: auditRunId,
  /** 1-based position in the run's chain */
  seq: z.number().int().min(1),
  /** ISO-8601 with milliseconds; also the CloudWatch Logs timestamp, strictly increasing along the chain */
  time: z.iso.datetime(),
  actor: z.string().min(1),
  action: z.string(),
  resource: z.string(),
  outcome: auditOutcome,
  request_id: z.string(),
  details: z.record(z.string(), z.json()),
  prev_hash: sha256Hex,
  hash: sha256Hex,
});
export type ChainedAuditEvent = z.infer<typeof chainedAuditEventSchema>;

/** Anything that records audit events; domain code depends on this, not on CloudWatch. */
export interface AuditRecorder {
  record(entry: AuditEntry): Promise<ChainedAuditEvent>;
}

/**
 * Where a handler sends its audit events: the audit writer itself (the audit handler), or the sender
 * that hands them to the audit handler (trigger and lineage, audit-event-sender.ts).
 */
export interface AuditSink {
  record(entry: AuditEntry): Promise<unknown>;
}
