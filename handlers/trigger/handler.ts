/** Lambda entry point: EventBridge Scheduler (or an operator) asks for a pipeline run. */
import type { Context } from "aws-lambda";
import { createAuditWriter } from "../audit/create-audit-writer";
import { callerPrincipal } from "../shared/actor";
import { DataBrewClient } from "@aws-sdk/client-databrew";
import { GlueClient } from "@aws-sdk/client-glue";
import { STSClient } from "@aws-sdk/client-sts";
import { clientConfig, logsClient, s3Client } from "../shared/aws-clients";
import { systemClock } from "../shared/clock";
import { loadConfig } from "../shared/config";
import { handlerLogger, logFailure } from "../shared/logger";
import { triggerHandlerEnvironment } from "./config";
import { startPipelineRun, type TriggerResult } from "./start-pipeline-run";

const config = loadConfig(triggerHandlerEnvironment, process.env, "trigger handler");
// the SDK resolves endpoints itself (AWS_ENDPOINT_URL is set only against the local emulator, which needs path-style S3)
const aws = { forcePathStyle: process.env.AWS_ENDPOINT_URL !== undefined };
const s3 = s3Client(aws);
const glue = new GlueClient(clientConfig(aws));
const databrew = new DataBrewClient(clientConfig(aws));
const logger = handlerLogger("sentinel-trigger");
const audit = createAuditWriter(config, { s3, logs: logsClient(aws), actor: callerPrincipal(new STSClient(clientConfig(aws))), clock: systemClock });

export async function handler(event: unknown, context: Context): Promise<TriggerResult> {
  logger.addContext(context);
  try {
    return await startPipelineRun(event, {
      config,
      s3,
      glue,
      databrew,
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
