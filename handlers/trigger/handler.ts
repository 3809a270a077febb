/** Lambda entry point: EventBridge Scheduler (or an operator) asks for a pipeline run. */
import { EventBridgeAuditSender } from "../audit/audit-event-sender";
import { systemClock } from "../shared/clock";
import { jobClients } from "../shared/job-clients";
import { loadConfig } from "../shared/config";
import { deployedClientOptions, lambdaHandler } from "../shared/lambda-handler";
import { triggerHandlerEnvironment } from "./config";
import { startPipelineRun } from "./start-pipeline-run";

const config = loadConfig(triggerHandlerEnvironment, process.env, "trigger handler");
const { s3, glue, databrew, eventBridge } = jobClients(deployedClientOptions());
// only the audit handler writes (and signs) the audit chain: this handler sends it its events
const audit = new EventBridgeAuditSender(eventBridge, "trigger");

export const handler = lambdaHandler("sentinel-trigger", (event, invocation) =>
  startPipelineRun(event, { config, s3, glue, databrew, audit, clock: systemClock, ...invocation }),
);
