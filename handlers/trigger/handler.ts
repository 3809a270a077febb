/** Lambda entry point: EventBridge Scheduler (or an operator) asks for a pipeline run. */
import type { Context } from "aws-lambda";
import { createAuditWriter } from "../audit/create-audit-writer";
import { callerPrincipal } from "../shared/actor";
import { createAwsClients } from "../shared/aws-clients";
import { systemClock } from "../shared/clock";
import { loadConfig } from "../shared/config";
import { handlerLogger, logFailure } from "../shared/logger";
import { triggerHandlerEnvironment } from "./config";
import { startPipelineRun, type TriggerResult } from "./start-pipeline-run";

const config = loadConfig(triggerHandlerEnvironment, process.env, "trigger handler");
const clients = createAwsClients();
const logger = handlerLogger("sentinel-trigger");
const audit = createAuditWriter(config, { s3: clients.s3, logs: clients.logs, actor: callerPrincipal(clients.sts), clock: systemClock });

export async function handler(event: unknown, context: Context): Promise<TriggerResult> {
  logger.addContext(context);
  try {
    return await startPipelineRun(event, {
      config,
      s3: clients.s3,
      glue: clients.glue,
      databrew: clients.databrew,
      audit,
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
