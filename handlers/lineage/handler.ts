/** Lambda entry point: EventBridge delivers a Glue or DataBrew job state change. */
import { createAuditWriter, retentionFrom } from "../audit/create-audit-writer";
import { callerPrincipal } from "../shared/actor";
import { DataBrewClient } from "@aws-sdk/client-databrew";
import { GlueClient } from "@aws-sdk/client-glue";
import { STSClient } from "@aws-sdk/client-sts";
import { clientConfig, logsClient, s3Client } from "../shared/aws-clients";
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
const audit = createAuditWriter(config, { s3, logs: logsClient(aws), actor: callerPrincipal(new STSClient(clientConfig(aws))), clock: systemClock });
const validator = new OpenLineageValidator();

export const handler = lambdaHandler("sentinel-lineage", (event, invocation) =>
  recordJobState(event, { config, s3, glue, databrew, audit, validator, retention: retentionFrom(config), clock: systemClock, ...invocation }),
);
