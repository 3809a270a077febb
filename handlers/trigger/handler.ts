/** Lambda entry point: EventBridge Scheduler (or an operator) asks for a pipeline run. */
import { EventBridgeAuditSender } from "../audit/audit-event-sender";
import { DataBrewClient } from "@aws-sdk/client-databrew";
import { GlueClient } from "@aws-sdk/client-glue";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { clientConfig, s3Client } from "../shared/aws-clients";
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
// only the audit handler writes (and signs) the audit chain: this handler sends it its events
const audit = new EventBridgeAuditSender(new EventBridgeClient(clientConfig(aws)), "trigger");

export const handler = lambdaHandler("sentinel-trigger", (event, invocation) =>
  startPipelineRun(event, { config, s3, glue, databrew, audit, clock: systemClock, ...invocation }),
);
