/** Placeholders a run location template may use; the trigger fills them per pipeline run. */
export const LOCATION_PLACEHOLDERS = ["environment", "profile", "run_date", "run_id"] as const;
export type LocationPlaceholder = (typeof LOCATION_PLACEHOLDERS)[number];

export function expandTemplate(template: string, values: Readonly<Record<LocationPlaceholder, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (_, name: LocationPlaceholder) => values[name]);
}
