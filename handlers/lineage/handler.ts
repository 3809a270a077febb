/** Lambda entry point: EventBridge delivers a Glue or DataBrew job state change. */
import { EventBridgeAuditSender } from "../audit/audit-event-sender";
import { retentionFrom } from "../audit/create-audit-writer";
import { DataBrewClient } from "@aws-sdk/client-databrew";
import { GlueClient } from "@aws-sdk/client-glue";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { clientConfig, s3Client } from "../shared/aws-clients";
import { systemClock } from "../shared/clock";
import { loadConfig } from "../shared/config";
import { deployedClientOptions, lambdaHandler } from "../shared/lambda-handler";
import { lineageHandlerEnvironment } from "./config";
import { OpenLineageValidator } from "./openlineage-validator";
import { recordJobState } from "./record-job-state";

const config = loadConfig(lineageHandlerEnvironment, process.env, "lineage handler");
const aws = deployedClientOptions();
const s3 = s3Client(aws);
const glue = new GlueClient(clientConfig(aws));
const databrew = new DataBrewClient(clientConfig(aws));
// only the audit handler writes (and signs) the audit chain: this handler sends it its events
const audit = new EventBridgeAuditSender(new EventBridgeClient(clientConfig(aws)), "lineage");
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
