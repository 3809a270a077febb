import { z } from "zod";
import { PROFILE_NAME, commonConfigSchema, glueName, locationTemplate } from "../shared/config";

/**
 * Environment of the trigger handler. Location templates are s3:// URIs that may use {environment},
 * {profile}, {run_date} and {run_id}; the metrics location must contain {run_id} because it identifies
 * the pipeline run a Glue job run belongs to.
 */
export const triggerHandlerEnvironment = commonConfigSchema.extend({
  GLUE_JOB_NAME: glueName,
  /** e.g. `sentinel-prod-{profile}-pii-profile`: one DataBrew profile job per dataset profile */
  DATABREW_JOB_NAME_TEMPLATE: z
    .string()
    .refine((value) => value.includes("{profile}"), "must contain {profile}")
    .refine((value) => /^[\w.{}-]{1,240}$/.test(value), "must be a DataBrew job name template (letters, digits, _ . - and {profile})"),
  /** comma-separated dataset profiles the schedule may run, e.g. `card-transactions,baf` */
  DATASET_PROFILES: z
    .string()
    .transform((value) => value.split(",").map((profile) => profile.trim()).filter((profile) => profile !== ""))
    .pipe(z.array(z.string().regex(PROFILE_NAME, "each profile must be lower-case letters, digits and -")).min(1, "must name at least one profile")),
  /** a schedule firing on day D processes the data of day D minus this many days */
  RUN_DATE_LAG_DAYS: z.coerce.number().int().min(0).max(31).default(1),
  /** how long a claimed run window stays reserved for the invocation starting it; at least the Lambda timeout */
  RUN_WINDOW_LEASE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  INPUT_PREFIX_TEMPLATE: locationTemplate("profile", "run_date"),
  CONFIG_LOCATION_TEMPLATE: locationTemplate("profile"),
  OUTPUT_LOCATION_TEMPLATE: locationTemplate("profile"),
  QUARANTINE_LOCATION_TEMPLATE: locationTemplate("profile"),
  METRICS_LOCATION_TEMPLATE: locationTemplate("run_id"),
  STATE_LOCATION_TEMPLATE: locationTemplate("profile"),
  MAPPING_LOCATION_TEMPLATE: locationTemplate(),
  KEY_LOCATION_TEMPLATE: locationTemplate("profile"),
});
export type TriggerConfig = z.infer<typeof triggerHandlerEnvironment>;
