/** What the environment validation says of dev (or another environment) with some fields changed. */
import { ENVIRONMENT_INPUTS } from "../../../stacks/config/environments";
import type { EnvironmentConfigInput } from "../../../stacks/config/schema";
import { ConfigError, validateEnvironments } from "../../../stacks/config/validate";

export const [dev, staging, prod, local] = ENVIRONMENT_INPUTS as [
  EnvironmentConfigInput,
  EnvironmentConfigInput,
  EnvironmentConfigInput,
  EnvironmentConfigInput,
];

/** The problems reported for `base` (dev unless given) changed by `change`; none for a valid result. */
export function problemsOf(
  change: Partial<Record<keyof EnvironmentConfigInput, unknown>>,
  base: EnvironmentConfigInput = dev,
): readonly string[] {
  try {
    validateEnvironments([{ ...base, ...change } as EnvironmentConfigInput]);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
