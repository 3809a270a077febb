/**
 * The Glue ETL job's arguments: the contract with glue-jobs/. Per-run locations only (the job checks
 * each against what its environment, account and profile allow, and refuses the run otherwise); the
 * locations every run shares, the code and the trust arguments are non-overridable in the job definition
 * (modules/glue/etl-job.ts) and not passed here. The tokenization key is passed as the location of its
 * KMS-wrapped form, never as key material.
 */
import { expandTemplate } from "../../contracts/location-placeholders";
import {
  PER_RUN_LOCATION_NAMES,
  RUN_LOCATIONS,
  RUN_LOCATION_NAMES,
  byJobArgument,
  type RunLocationName,
} from "../../contracts/run-locations";
import type { RunWindow } from "../../contracts/run-identity";
import type { TriggerConfig } from "./config";

export function glueJobArguments(
  config: TriggerConfig,
  window: RunWindow,
  runId: string,
  inputPrefix: string | undefined,
  refit: boolean,
): Record<string, string> {
  const values = { environment: window.environment, profile: window.profile, run_date: window.runDate, run_id: runId };
  const locations = Object.fromEntries(
    RUN_LOCATION_NAMES.map((name) => [name, expandTemplate(config[RUN_LOCATIONS[name].environmentVariable], values)]),
  ) as Record<RunLocationName, string>;
  return {
    "--run_date": window.runDate,
    "--profile": window.profile,
    ...byJobArgument({ ...locations, inputPrefix: inputPrefix ?? locations.inputPrefix }, PER_RUN_LOCATION_NAMES),
    ...(refit ? { "--refit": "true" } : {}),
  };
}

export function databrewJobName(config: TriggerConfig, profile: string): string {
  return config.DATABREW_JOB_NAME_TEMPLATE.replaceAll("{profile}", profile);
}
