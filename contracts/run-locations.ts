/**
 * The run locations: every S3 location a pipeline run reads or writes, named once. For each, the Glue job
 * argument that carries it (glue-jobs/sentinel_etl/glue_entry.py reads these; test/contracts compares
 * them), the trigger handler's environment variable holding its URI template, and the placeholders the
 * template must contain. The URI templates themselves come from `DataLayout.templates` (data-layout.ts).
 *
 * Adding a location: add it here and to `DataLayout.templates`; the trigger's configuration schema, its job
 * arguments, the handler environment and the contract test follow from this table.
 */
import type { LocationPlaceholder } from "./location-placeholders";

export interface RunLocation {
  /** `--name` argument of the Glue job. */
  readonly jobArgument: `--${string}`;
  /** Environment variable of the trigger handler holding the location's URI template. */
  readonly environmentVariable: `${string}_TEMPLATE`;
  /** Placeholders the template must contain. */
  readonly requiredPlaceholders: readonly LocationPlaceholder[];
  /** Whether a job run may go without it (the job then runs without that input). */
  readonly optional: boolean;
  /**
   * Whether each run passes it (the trigger's job arguments). A location that is the same for every
   * run is a non-overridable job argument instead (modules/glue/etl-job.ts) and the trigger leaves it out.
   */
  readonly perRun: boolean;
}

export const RUN_LOCATIONS = {
  inputPrefix: {
    jobArgument: "--input_prefix",
    environmentVariable: "INPUT_PREFIX_TEMPLATE",
    requiredPlaceholders: ["profile", "run_date"],
    optional: false,
    perRun: true,
  },
  configLocation: {
    jobArgument: "--config_location",
    environmentVariable: "CONFIG_LOCATION_TEMPLATE",
    requiredPlaceholders: ["profile"],
    optional: false,
    perRun: true,
  },
  outputLocation: {
    jobArgument: "--output_location",
    environmentVariable: "OUTPUT_LOCATION_TEMPLATE",
    requiredPlaceholders: ["profile"],
    optional: false,
    perRun: true,
  },
  quarantineLocation: {
    jobArgument: "--quarantine_location",
    environmentVariable: "QUARANTINE_LOCATION_TEMPLATE",
    requiredPlaceholders: ["profile"],
    optional: false,
    perRun: true,
  },
  // The metrics location identifies the pipeline run a Glue job run belongs to, hence {run_id}.
  metricsLocation: {
    jobArgument: "--metrics_location",
    environmentVariable: "METRICS_LOCATION_TEMPLATE",
    requiredPlaceholders: ["run_id"],
    optional: false,
    perRun: true,
  },
  stateLocation: {
    jobArgument: "--state_location",
    environmentVariable: "STATE_LOCATION_TEMPLATE",
    requiredPlaceholders: ["profile"],
    optional: false,
    perRun: true,
  },
  mappingLocation: {
    jobArgument: "--mapping_location",
    environmentVariable: "MAPPING_LOCATION_TEMPLATE",
    requiredPlaceholders: [],
    optional: true,
    perRun: false,
  },
  keyLocation: {
    jobArgument: "--key_location",
    environmentVariable: "KEY_LOCATION_TEMPLATE",
    requiredPlaceholders: ["profile"],
    optional: true,
    perRun: true,
  },
} as const satisfies Record<string, RunLocation>;

export type RunLocationName = keyof typeof RUN_LOCATIONS;
export type LocationTemplateVariable = (typeof RUN_LOCATIONS)[RunLocationName]["environmentVariable"];

export const RUN_LOCATION_NAMES = Object.keys(RUN_LOCATIONS) as RunLocationName[];

/** The locations each run passes; the others are fixed by the job definition. */
export const PER_RUN_LOCATION_NAMES = RUN_LOCATION_NAMES.filter((name) => RUN_LOCATIONS[name].perRun);

/** The URI template of each run location (s3:// URIs with placeholders). */
export type LocationTemplates = Readonly<Record<RunLocationName, string>>;

/** name -> value, keyed by each location's job argument. */
export function byJobArgument(
  values: Readonly<Record<RunLocationName, string>>,
  names: readonly RunLocationName[] = RUN_LOCATION_NAMES,
): Record<string, string> {
  return Object.fromEntries(names.map((name) => [RUN_LOCATIONS[name].jobArgument, values[name]]));
}

/** name -> value, keyed by each location's environment variable. */
export function byEnvironmentVariable(values: Readonly<Record<RunLocationName, string>>): Record<LocationTemplateVariable, string> {
  return Object.fromEntries(RUN_LOCATION_NAMES.map((name) => [RUN_LOCATIONS[name].environmentVariable, values[name]])) as Record<
    LocationTemplateVariable,
    string
  >;
}
