/**
 * The Glue ETL job's arguments: the contract with glue-jobs/. Locations only; the tokenization key is
 * passed as the location of its KMS-wrapped form, never as key material.
 */
import { expandTemplate } from "../shared/config";
import type { RunWindow } from "../shared/run-identity";
import type { TriggerConfig } from "./config";

export function glueJobArguments(config: TriggerConfig, window: RunWindow, runId: string, inputPrefix: string | undefined, refit: boolean): Record<string, string> {
  const values = { environment: window.environment, profile: window.profile, run_date: window.runDate, run_id: runId };
  return {
    "--run_date": window.runDate,
    "--input_prefix": inputPrefix ?? expandTemplate(config.INPUT_PREFIX_TEMPLATE, values),
    "--profile": window.profile,
    "--config_location": expandTemplate(config.CONFIG_LOCATION_TEMPLATE, values),
    "--output_location": expandTemplate(config.OUTPUT_LOCATION_TEMPLATE, values),
    "--quarantine_location": expandTemplate(config.QUARANTINE_LOCATION_TEMPLATE, values),
    "--metrics_location": expandTemplate(config.METRICS_LOCATION_TEMPLATE, values),
    "--state_location": expandTemplate(config.STATE_LOCATION_TEMPLATE, values),
    "--mapping_location": expandTemplate(config.MAPPING_LOCATION_TEMPLATE, values),
    "--key_location": expandTemplate(config.KEY_LOCATION_TEMPLATE, values),
    ...(refit ? { "--refit": "true" } : {}),
  };
}

export function databrewJobName(config: TriggerConfig, profile: string): string {
  return config.DATABREW_JOB_NAME_TEMPLATE.replaceAll("{profile}", profile);
}
