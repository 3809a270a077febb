/** Lambda entry point: EventBridge Scheduler (or an operator) asks for a pipeline run. */
import { createAuditWriter } from "../audit/create-audit-writer";
import { callerPrincipal } from "../shared/actor";
import { DataBrewClient } from "@aws-sdk/client-databrew";
import { GlueClient } from "@aws-sdk/client-glue";
import { STSClient } from "@aws-sdk/client-sts";
import { clientConfig, logsClient, s3Client } from "../shared/aws-clients";
import { systemClock } from "../shared/clock";
import { loadConfig } from "../shared/config";
import { deployedClientOptions, lambdaHandler } from "../shared/lambda-handler";
import { triggerHandlerEnvironment } from "./config";
import { startPipelineRun } from "./start-pipeline-run";

const config = loadConfig(triggerHandlerEnvironment, process.env, "trigger handler");
const aws = deployedClientOptions();
const s3 = s3Client(aws);
const glue = new GlueClient(clientConfig(aws));
const databrew = new DataBrewClient(clientConfig(aws));
const audit = createAuditWriter(config, { s3, logs: logsClient(aws), actor: callerPrincipal(new STSClient(clientConfig(aws))), clock: systemClock });

export const handler = lambdaHandler("sentinel-trigger", (event, invocation) =>
  startPipelineRun(event, { config, s3, glue, databrew, audit, clock: systemClock, ...invocation }),
);
