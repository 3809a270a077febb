/** Lambda entry point: EventBridge delivers a Glue or DataBrew job state change. */
import { EventBridgeAuditSender } from "../audit/audit-event-sender";
import { retentionFrom } from "../audit/create-audit-writer";
import { systemClock } from "../shared/clock";
import { jobClients } from "../shared/job-clients";
import { loadConfig } from "../shared/config";
import { deployedClientOptions, lambdaHandler } from "../shared/lambda-handler";
import { lineageHandlerEnvironment } from "./config";
import { OpenLineageValidator } from "./openlineage-validator";
import { recordJobState } from "./record-job-state";

const config = loadConfig(lineageHandlerEnvironment, process.env, "lineage handler");
const { s3, glue, databrew, eventBridge } = jobClients(deployedClientOptions());
// only the audit handler writes (and signs) the audit chain: this handler sends it its events
const audit = new EventBridgeAuditSender(eventBridge, "lineage");
const validator = new OpenLineageValidator();

export const handler = lambdaHandler("sentinel-lineage", (event, invocation) =>
  recordJobState(event, {
    config,
    s3,
    glue,
    databrew,
    audit,
    validator,
    retention: retentionFrom(config),
    clock: systemClock,
    ...invocation,
  }),
);
