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

/** A change to dev that sets the setting at `path` (dotted, e.g. `databrew.nodeCount`) to `value` and keeps the rest. */
export function setInDev(path: string, value: unknown): Partial<Record<keyof EnvironmentConfigInput, unknown>> {
  const set = (base: unknown, [field, ...rest]: string[]): Record<string, unknown> => {
    const object = (base ?? {}) as Record<string, unknown>;
    return { ...object, [field as string]: rest.length === 0 ? value : set(object[field as string], rest) };
  };
  const [top, ...rest] = path.split(".");
  const field = top as keyof EnvironmentConfigInput;
  return { [field]: rest.length === 0 ? value : set(dev[field], rest) };
}

/** A table case: the integer setting at `path` set to `got`, outside min..max, and the problem validation reports. */
export function integerOutside(
  label: string,
  path: string,
  got: number,
  [min, max]: readonly [number, number],
): [string, Record<string, unknown>, string] {
  return [label, setInDev(path, got), `dev: ${path} must be an integer from ${min} to ${max} (got ${got})`];
}

/** A table case: the fraction setting at `path` set to `got`, not strictly between 0 and 1, and the problem reported. */
export function fractionOutside(label: string, path: string, got: number): [string, Record<string, unknown>, string] {
  return [label, setInDev(path, got), `dev: ${path} must be a number greater than 0 and less than 1 (got ${got})`];
}
