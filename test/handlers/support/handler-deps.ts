/**
 * What the trigger's and the lineage handler's execution environments are given on the emulated
 * platform, wired as their Lambda bootstraps wire it: the clients on the emulator, the system clock and
 * a quiet logger. DataBrew is a fresh client that the tests replace with aws-sdk-client-mock (moto has
 * no DataBrew runs). A test overrides only what it varies.
 */
import { DataBrewClient } from "@aws-sdk/client-databrew";
import type { AuditRecorder } from "../../../handlers/audit/audit-event";
import { retentionFrom } from "../../../handlers/audit/create-audit-writer";
import { OpenLineageValidator } from "../../../handlers/lineage/openlineage-validator";
import type { LineageDeps } from "../../../handlers/lineage/record-job-state";
import { systemClock } from "../../../handlers/shared/clock";
import type { TriggerDeps } from "../../../handlers/trigger/start-pipeline-run";
import { REGION, type AwsClients } from "./emulated-platform";
import { lineageConfig, triggerConfig } from "./handler-config";
import { quietLogger } from "./quiet-logger";

export function triggerDeps(clients: AwsClients, audit: AuditRecorder, overrides: Partial<TriggerDeps> = {}): TriggerDeps {
  return {
    config: triggerConfig,
    s3: clients.s3,
    glue: clients.glue,
    databrew: new DataBrewClient({ region: REGION }),
    audit,
    clock: systemClock,
    logger: quietLogger,
    requestId: "req-trigger",
    handlerName: "trigger",
    ...overrides,
  };
}

/** Object Lock retention follows `overrides.config` when a test gives its own configuration. */
export function lineageDeps(clients: AwsClients, audit: AuditRecorder, overrides: Partial<LineageDeps> = {}): LineageDeps {
  const config = overrides.config ?? lineageConfig;
  return {
    config,
    s3: clients.s3,
    glue: clients.glue,
    databrew: new DataBrewClient({ region: REGION }),
    audit,
    validator: new OpenLineageValidator(),
    retention: retentionFrom(config),
    clock: systemClock,
    logger: quietLogger,
    requestId: "req-lineage",
    handlerName: "lineage",
    ...overrides,
  };
}
