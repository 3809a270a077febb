import { z } from "zod";
import { PROFILE_NAME, commonConfigSchema, glueName, locationTemplate } from "../shared/config";
import { RUN_LOCATIONS, RUN_LOCATION_NAMES, type LocationTemplateVariable } from "../../contracts/run-locations";
import { RUN_DATE_LAG_DAYS, RUN_WINDOW_LEASE_SECONDS } from "../../contracts/trigger-settings";

/** One variable per run location (contracts/run-locations.ts), each a template with its required placeholders. */
function locationTemplateVariables(): Record<LocationTemplateVariable, ReturnType<typeof locationTemplate>> {
  const entries = RUN_LOCATION_NAMES.map((name) => [
    RUN_LOCATIONS[name].environmentVariable,
    locationTemplate(...RUN_LOCATIONS[name].requiredPlaceholders),
  ]);
  return Object.fromEntries(entries) as Record<LocationTemplateVariable, ReturnType<typeof locationTemplate>>;
}

/**
 * Environment of the trigger handler. Location templates are s3:// URIs that may use {environment},
 * {profile}, {run_date} and {run_id}, with the placeholders contracts/run-locations.ts requires of each.
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
    .transform((value) =>
      value
        .split(",")
        .map((profile) => profile.trim())
        .filter((profile) => profile !== ""),
    )
    .pipe(
      z
        .array(z.string().regex(PROFILE_NAME, "each profile must be lower-case letters, digits and -"))
        .min(1, "must name at least one profile"),
    ),
  /** a schedule firing on day D processes the data of day D minus this many days */
  RUN_DATE_LAG_DAYS: z.coerce.number().int().min(0).max(31).default(RUN_DATE_LAG_DAYS),
  /** how long a claimed run window stays reserved for the invocation starting it; at least the Lambda timeout */
  RUN_WINDOW_LEASE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(RUN_WINDOW_LEASE_SECONDS),
  ...locationTemplateVariables(),
});
export type TriggerConfig = z.infer<typeof triggerHandlerEnvironment>;
