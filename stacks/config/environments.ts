/**
 * The platform's environments. Values here are code: reviewed, versioned, validated at synth.
 * Account ids, alarm e-mail and principal ARNs are per-deployment inputs (terraform.tfvars.example).
 *
 * The state bucket and key live in a tooling account (TOOLING_ACCOUNT: replace with yours when
 * bootstrapping, see docs/environments.md). Terraform's backend block cannot read variables, so
 * these are the only account-specific values in code.
 */
import type { EnvironmentConfig, EnvironmentConfigInput } from "./schema";
import { validateEnvironments } from "./validate";

const commonToAllEnvironments = {
  schedule: {
    expression: "cron(0 2 * * ? *)",
    timezone: "Europe/Zurich",
    // Spreads the nightly start over 15 minutes; the trigger's run window is the day, not the minute.
    flexibleWindowMinutes: 15,
    retryAttempts: 10,
    maximumEventAgeSeconds: 3600,
  },
  datasetProfiles: ["card-transactions", "baf"],
  tags: { owner: "platform-engineering", costCenter: "CC-4120-fraud-analytics", dataClassification: "restricted" },
  // The role the deployment pipeline assumes in each environment's account (docs/environments.md).
  deployerPrincipals: ["role/sentinel-deployer"],
} as const;

const TOOLING_ACCOUNT = "111122223333";
const STATE_REGION = "eu-central-2";

/** An AWS environment's Terraform state: its own bucket, encrypted with its own key, in the tooling account. */
function stateInToolingAccount(environment: string, stateKeyId: string) {
  return {
    kind: "s3",
    bucket: `sentinel-tfstate-${environment}-${TOOLING_ACCOUNT}`,
    kmsKeyArn: `arn:aws:kms:${STATE_REGION}:${TOOLING_ACCOUNT}:key/${stateKeyId}`,
    region: STATE_REGION,
  } as const;
}

const commonToAwsEnvironments = { ...commonToAllEnvironments, deploymentTarget: "aws" } as const;

const dev: EnvironmentConfigInput = {
  ...commonToAwsEnvironments,
  name: "dev",
  availabilityZones: ["eu-central-2a", "eu-central-2b"],
  vpcCidr: "10.20.0.0/16",
  logRetentionDays: 365,
  objectLock: { mode: "GOVERNANCE", days: 30 },
  lifecycle: {
    rawInfrequentAccessAfterDays: 30,
    rawGlacierAfterDays: 90,
    archiveDeepArchiveAfterDays: 180,
    noncurrentVersionExpiryDays: 30,
    abortIncompleteMultipartUploadDays: 7,
    accessLogExpiryDays: 365,
  },
  glue: { workerType: "G.1X", numberOfWorkers: 2, timeoutMinutes: 60, maxRetries: 0 },
  databrew: { nodeCount: 2, timeoutMinutes: 60, maxRetries: 0, sampleRows: 20_000, maxFiles: 20 },
  handlers: { reservedConcurrency: { trigger: 2, lineage: 5, audit: 5 } },
  alarms: { jobDurationMinutes: 45, quarantineRatio: 0.05, anomalyRate: 0.05 },
  stateBackend: stateInToolingAccount("dev", "0b7f3c1e-5d2a-4c8e-9f61-2a4d8e7c1b01"),
};

const staging: EnvironmentConfigInput = {
  ...commonToAwsEnvironments,
  name: "staging",
  availabilityZones: ["eu-central-2a", "eu-central-2b", "eu-central-2c"],
  vpcCidr: "10.21.0.0/16",
  logRetentionDays: 365,
  // Rehearses prod's COMPLIANCE behaviour with a short retention.
  objectLock: { mode: "COMPLIANCE", days: 7 },
  lifecycle: { ...dev.lifecycle, noncurrentVersionExpiryDays: 90 },
  glue: { workerType: "G.1X", numberOfWorkers: 5, timeoutMinutes: 120, maxRetries: 1 },
  databrew: { nodeCount: 5, timeoutMinutes: 120, maxRetries: 1, sampleRows: 100_000, maxFiles: 50 },
  handlers: { reservedConcurrency: { trigger: 2, lineage: 5, audit: 5 } },
  alarms: { jobDurationMinutes: 90, quarantineRatio: 0.05, anomalyRate: 0.05 },
  stateBackend: stateInToolingAccount("staging", "6c2e9a4d-1f3b-4a7e-8d52-9b1c3e5f7a02"),
};

const prod: EnvironmentConfigInput = {
  ...commonToAwsEnvironments,
  name: "prod",
  availabilityZones: ["eu-central-2a", "eu-central-2b", "eu-central-2c"],
  vpcCidr: "10.22.0.0/16",
  // Ten years: Swiss AMLA art. 7(3) keeps AML records for at least ten years.
  logRetentionDays: 3653,
  objectLock: { mode: "COMPLIANCE", days: 3653 },
  lifecycle: {
    rawInfrequentAccessAfterDays: 30,
    rawGlacierAfterDays: 180,
    archiveDeepArchiveAfterDays: 365,
    noncurrentVersionExpiryDays: 365,
    abortIncompleteMultipartUploadDays: 7,
    accessLogExpiryDays: 3653,
    // Transaction records are kept ten years (AMLA art. 7(3)); PII profiles only a year.
    landingExpiryDays: 3653,
    quarantineExpiryDays: 3653,
    piiProfileExpiryDays: 365,
  },
  glue: { workerType: "G.2X", numberOfWorkers: 10, timeoutMinutes: 240, maxRetries: 1 },
  databrew: { nodeCount: 10, timeoutMinutes: 180, maxRetries: 1, sampleRows: 500_000, maxFiles: 100 },
  handlers: { reservedConcurrency: { trigger: 2, lineage: 10, audit: 10 } },
  // Production data is steadier than test data: tighter thresholds catch drift sooner.
  alarms: { jobDurationMinutes: 180, quarantineRatio: 0.02, anomalyRate: 0.03 },
  stateBackend: stateInToolingAccount("prod", "9e4a7b2c-3d5f-4e81-a6c9-5f2b8d1e3c03"),
};

/**
 * dev's configuration applied to the local AWS API emulator: same modules, its own network range,
 * a one-day GOVERNANCE lock so local runs can be reset, and state in a local file because the
 * emulator's resources live only as long as the emulator.
 */
const local: EnvironmentConfigInput = {
  ...dev,
  name: "local",
  deploymentTarget: "emulator",
  vpcCidr: "10.29.0.0/16",
  objectLock: { mode: "GOVERNANCE", days: 1 },
  stateBackend: { kind: "local", path: "terraform.local.tfstate" },
};

export const ENVIRONMENT_INPUTS: readonly EnvironmentConfigInput[] = [dev, staging, prod, local];

/** Every environment, validated; throws ConfigError listing every problem. */
export function loadEnvironments(): EnvironmentConfig[] {
  return validateEnvironments(ENVIRONMENT_INPUTS);
}
