/**
 * Lineage records in the lineage bucket: one immutable object per (namespace, job, run, event type) at
 * a key derived from exactly those, written create-only with Object Lock retention. A redelivered
 * event computes the same key and finds the record already there.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { createJsonIfAbsent, type Retention } from "../shared/object-store";
import { formatS3Uri } from "../shared/s3-uri";
import type { OpenLineageRunEvent } from "./run-event-builder";

export const LINEAGE_PREFIX = "lineage/";

export function lineageRecordKey(event: Pick<OpenLineageRunEvent, "eventType" | "job" | "run">): string {
  return `${LINEAGE_PREFIX}${event.job.namespace}/${event.job.name}/${event.run.runId}/${event.eventType}.json`;
}

export interface StoredLineageRecord {
  readonly uri: string;
  readonly written: boolean;
}

export async function writeLineageRecord(
  s3: S3Client,
  bucket: string,
  event: OpenLineageRunEvent,
  retention: Retention,
): Promise<StoredLineageRecord> {
  const key = lineageRecordKey(event);
  const { outcome } = await createJsonIfAbsent(s3, bucket, key, event, retention);
  return { uri: formatS3Uri({ bucket, key }), written: outcome === "created" };
}
