/**
 * Validates the set of environment configs: each one against the schema, then the rules that span
 * environments (unique names, non-overlapping networks, separate state). All problems are reported
 * at once, each prefixed with the environment and the field path.
 */
import { cidrsOverlap } from "../../modules/network/cidr";
import { environmentConfigSchema, type EnvironmentConfig, type EnvironmentConfigInput } from "./schema";

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid environment configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

export function validateEnvironments(inputs: readonly EnvironmentConfigInput[]): EnvironmentConfig[] {
  const problems: string[] = [];
  const configs: EnvironmentConfig[] = [];
  inputs.forEach((input, index) => {
    const label = typeof input.name === "string" ? input.name : `#${index}`;
    const result = environmentConfigSchema.safeParse(input);
    if (result.success) {
      configs.push(result.data);
      return;
    }
    for (const issue of result.error.issues) {
      const field = issue.path.map(String).join(".") || "(config)";
      problems.push(`${label}: ${field} ${issue.message}`);
    }
  });
  if (problems.length === 0) problems.push(...crossEnvironmentProblems(configs));
  if (problems.length > 0) throw new ConfigError(problems);
  return configs;
}

function crossEnvironmentProblems(configs: readonly EnvironmentConfig[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const config of configs) {
    if (seen.has(config.name)) problems.push(`${config.name}: name is used by more than one environment`);
    seen.add(config.name);
  }
  configs.forEach((left, index) => {
    for (const right of configs.slice(index + 1)) {
      if (cidrsOverlap(left.vpcCidr, right.vpcCidr)) {
        problems.push(
          `${right.name}: vpcCidr ${right.vpcCidr} overlaps vpcCidr ${left.vpcCidr} of ${left.name}; environments must not overlap`,
        );
      }
      if (left.stateBackend.kind === "s3" && right.stateBackend.kind === "s3" && left.stateBackend.bucket === right.stateBackend.bucket) {
        problems.push(
          `${right.name}: stateBackend.bucket ${right.stateBackend.bucket} is also ${left.name}'s; each environment keeps its own state`,
        );
      }
    }
  });
  return problems;
}
