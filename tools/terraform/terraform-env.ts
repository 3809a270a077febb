/**
 * The environment every Terraform command runs in: the generated CLI configuration, non-interactive, and none of the
 * caller's AWS or Terraform settings (its own module so provider-source.ts can use it without importing the runner).
 */
/** Variables that could point Terraform or the AWS provider at a real account or a user's own CLI settings. */
const INHERITED_AWS_VARIABLES = /^(AWS_|TF_CLI_ARGS|TF_VAR_|TF_WORKSPACE$|TF_DATA_DIR$|TF_PLUGIN_CACHE_DIR$)/;

export function terraformEnv(cliConfigPath: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (!INHERITED_AWS_VARIABLES.test(name)) env[name] = value;
  }
  return {
    ...env,
    TF_CLI_CONFIG_FILE: cliConfigPath,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    // Never reach for instance-metadata credentials, even by accident.
    AWS_EC2_METADATA_DISABLED: "true",
  };
}
