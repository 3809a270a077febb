/** Handler configurations for tests, parsed through the same zod schemas as the Lambda environment. */
import { lineageHandlerEnvironment, type LineageConfig } from "../../../handlers/lineage/config";
import { triggerHandlerEnvironment, type TriggerConfig } from "../../../handlers/trigger/config";
import {
  ARTIFACTS_BUCKET,
  AUDIT_LOG_GROUP,
  CATALOG_DATABASE,
  GLUE_JOB,
  LINEAGE_AUDIT_BUCKET,
  PROCESSED_BUCKET,
  RAW_BUCKET,
  commonConfig,
} from "./emulated-platform";

export const triggerEnvironment: Record<string, string> = {
  SENTINEL_ENVIRONMENT: "local",
  LINEAGE_AUDIT_BUCKET,
  AUDIT_LOG_GROUP_NAME: AUDIT_LOG_GROUP,
  OBJECT_LOCK_MODE: "COMPLIANCE",
  OBJECT_LOCK_RETENTION_DAYS: "30",
  GLUE_JOB_NAME: GLUE_JOB,
  DATABREW_JOB_NAME_TEMPLATE: "sentinel-local-{profile}-pii-profile",
  DATASET_PROFILES: "card-transactions, baf",
  INPUT_PREFIX_TEMPLATE: `s3://${RAW_BUCKET}/{profile}/run_date={run_date}/`,
  CONFIG_LOCATION_TEMPLATE: `s3://${ARTIFACTS_BUCKET}/config/profiles/{profile}.json`,
  OUTPUT_LOCATION_TEMPLATE: `s3://${PROCESSED_BUCKET}/{profile}/`,
  QUARANTINE_LOCATION_TEMPLATE: `s3://${PROCESSED_BUCKET}/quarantine/{profile}/`,
  METRICS_LOCATION_TEMPLATE: `s3://${LINEAGE_AUDIT_BUCKET}/run-metrics/{profile}/{run_date}/{run_id}`,
  STATE_LOCATION_TEMPLATE: `s3://${ARTIFACTS_BUCKET}/state/{profile}/`,
  MAPPING_LOCATION_TEMPLATE: `s3://${ARTIFACTS_BUCKET}/mappings/mcc-categories.json`,
  KEY_LOCATION_TEMPLATE: `s3://${ARTIFACTS_BUCKET}/keys/{profile}/data-key.json`,
};

export const triggerConfig: TriggerConfig = triggerHandlerEnvironment.parse(triggerEnvironment);

/** The lineage handler's configuration on the emulated platform (the common variables as the Lambda sees them: strings). */
export const lineageConfig: LineageConfig = lineageHandlerEnvironment.parse({
  ...Object.fromEntries(Object.entries(commonConfig).map(([name, value]) => [name, String(value)])),
  GLUE_JOB_NAME: GLUE_JOB,
  CATALOG_DATABASE_NAME: CATALOG_DATABASE,
});
