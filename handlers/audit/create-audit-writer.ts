import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Clock } from "../shared/clock";
import type { CommonConfig } from "../shared/config";
import type { Retention } from "../shared/object-store";
import { AuditWriter } from "./audit-writer";
import { ChainIndex } from "./chain-index";
import type { HeadSigner } from "./signed-head";

const DAY_MS = 86_400_000;

/** Object Lock retention for write-once records written at `now`, from the handler configuration. */
export function retentionFrom(config: Pick<CommonConfig, "OBJECT_LOCK_MODE" | "OBJECT_LOCK_RETENTION_DAYS">): (now: Date) => Retention {
  return (now) => ({ mode: config.OBJECT_LOCK_MODE, until: new Date(now.getTime() + config.OBJECT_LOCK_RETENTION_DAYS * DAY_MS) });
}

export interface AuditWriterDeps {
  readonly s3: S3Client;
  readonly logs: CloudWatchLogsClient;
  readonly actor: () => Promise<string>;
  readonly clock: Clock;
  /** The audit handler's KMS signing key (signed-head.ts); other writers have none. */
  readonly signer?: HeadSigner;
}

/** The audit writer every handler shares, wired from the common configuration. */
export function createAuditWriter(config: CommonConfig, deps: AuditWriterDeps): AuditWriter {
  return new AuditWriter({
    logs: deps.logs,
    index: new ChainIndex(deps.s3, config.LINEAGE_AUDIT_BUCKET),
    logGroupName: config.AUDIT_LOG_GROUP_NAME,
    actor: deps.actor,
    clock: deps.clock,
    retention: retentionFrom(config),
    signer: deps.signer,
  });
}
