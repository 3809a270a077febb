/** Lambda entry point: EventBridge delivers a Glue or DataBrew job state change. */
import type { Context } from "aws-lambda";
import { createAuditWriter, retentionFrom } from "../audit/create-audit-writer";
import { callerPrincipal } from "../shared/actor";
import { createAwsClients } from "../shared/aws-clients";
import { systemClock } from "../shared/clock";
import { loadConfig } from "../shared/config";
import { handlerLogger, logFailure } from "../shared/logger";
import { lineageHandlerEnvironment } from "./config";
import { OpenLineageValidator } from "./openlineage-validator";
import { recordJobState, type LineageResult } from "./record-job-state";

const config = loadConfig(lineageHandlerEnvironment, process.env, "lineage handler");
const clients = createAwsClients();
const logger = handlerLogger("sentinel-lineage");
const audit = createAuditWriter(config, { s3: clients.s3, logs: clients.logs, actor: callerPrincipal(clients.sts), clock: systemClock });
const validator = new OpenLineageValidator();

export async function handler(event: unknown, context: Context): Promise<LineageResult> {
  logger.addContext(context);
  try {
    return await recordJobState(event, {
      config,
      s3: clients.s3,
      glue: clients.glue,
      databrew: clients.databrew,
      audit,
      validator,
      retention: retentionFrom(config),
      clock: systemClock,
      logger,
      requestId: context.awsRequestId,
      handlerName: context.invokedFunctionArn,
    });
  } catch (error) {
    logFailure(logger, error);
    throw error;
  }
}
