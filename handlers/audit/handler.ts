/** Lambda entry point: record an audit event sent by another source. */
import { systemClock } from "../shared/clock";
import { callerPrincipal } from "../shared/actor";
import { STSClient } from "@aws-sdk/client-sts";
import { KMSClient } from "@aws-sdk/client-kms";
import { clientConfig, logsClient, s3Client } from "../shared/aws-clients";
import { loadConfig } from "../shared/config";
import { deployedClientOptions, lambdaHandler } from "../shared/lambda-handler";
import { auditHandlerEnvironment } from "./config";
import { createAuditWriter } from "./create-audit-writer";
import { recordAuditEvent } from "./record-audit-event";
import { KmsHeadSigner } from "./signed-head";

const config = loadConfig(auditHandlerEnvironment, process.env, "audit handler");
const aws = deployedClientOptions();
const signer = new KmsHeadSigner(new KMSClient(clientConfig(aws)), config.AUDIT_SIGNING_KEY_ARN);
const audit = createAuditWriter(config, {
  s3: s3Client(aws),
  logs: logsClient(aws),
  actor: callerPrincipal(new STSClient(clientConfig(aws))),
  clock: systemClock,
  signer,
});

export const handler = lambdaHandler("sentinel-audit", async (event, { logger, requestId, handlerName }) => {
  const recorded = await recordAuditEvent(event, { audit, clock: systemClock, requestId, handlerName });
  logger.info("audit event recorded", { run_id: recorded.run_id, seq: recorded.seq, action: recorded.action, outcome: recorded.outcome });
  return { run_id: recorded.run_id, seq: recorded.seq, hash: recorded.hash };
});
