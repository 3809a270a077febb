/** Lambda entry point: record an audit event sent by another source. */
import type { Context } from "aws-lambda";
import { systemClock } from "../shared/clock";
import { callerPrincipal } from "../shared/actor";
import { STSClient } from "@aws-sdk/client-sts";
import { clientConfig, logsClient, s3Client } from "../shared/aws-clients";
import { loadConfig } from "../shared/config";
import { handlerLogger, logFailure } from "../shared/logger";
import { auditHandlerEnvironment } from "./config";
import { createAuditWriter } from "./create-audit-writer";
import { recordAuditEvent } from "./record-audit-event";

const config = loadConfig(auditHandlerEnvironment, process.env, "audit handler");
// the SDK resolves endpoints itself (AWS_ENDPOINT_URL is set only against the local emulator, which needs path-style S3)
const aws = { forcePathStyle: process.env.AWS_ENDPOINT_URL !== undefined };
const logger = handlerLogger("sentinel-audit");
const audit = createAuditWriter(config, { s3: s3Client(aws), logs: logsClient(aws), actor: callerPrincipal(new STSClient(clientConfig(aws))), clock: systemClock });

export async function handler(event: unknown, context: Context): Promise<{ run_id: string; seq: number; hash: string }> {
  logger.addContext(context);
  try {
    const recorded = await recordAuditEvent(event, {
      audit,
      clock: systemClock,
      requestId: context.awsRequestId,
      handlerName: context.invokedFunctionArn,
    });
    logger.info("audit event recorded", { run_id: recorded.run_id, seq: recorded.seq, action: recorded.action, outcome: recorded.outcome });
    return { run_id: recorded.run_id, seq: recorded.seq, hash: recorded.hash };
  } catch (error) {
    logFailure(logger, error);
    throw error;
  }
}
