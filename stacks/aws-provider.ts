/**
 * The AWS provider of an environment: its region, the one account it may touch, and the tags every
 * resource carries. The emulator environment instead points every service endpoint at the local
 * emulator (loopback only, so it cannot reach AWS at all) with path-style S3, since bucket
 * subdomains do not resolve on loopback. It sets no allowed_account_ids: the emulator has no real
 * account, and the local tooling skips the account lookup that check needs.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";
import { EMULATED_SERVICES } from "../contracts/emulated-services";
import type { EnvironmentConfig } from "./config/schema";
import type { PlatformInputs } from "./platform-inputs";

export function platformDefaultTags(config: EnvironmentConfig): Record<string, string> {
  return {
    Project: "sentinel",
    Environment: config.name,
    Owner: config.tags.owner,
    DataClassification: config.tags.dataClassification,
    CostCenter: config.tags.costCenter,
  };
}

export function configureAwsProvider(scope: Construct, config: EnvironmentConfig, inputs: PlatformInputs): AwsProvider {
  const emulator = inputs.emulatorEndpoint;
  return new AwsProvider(scope, "aws", {
    region: config.region,
    defaultTags: [{ tags: platformDefaultTags(config) }],
    ...(emulator === undefined
      ? { allowedAccountIds: [inputs.accountId] }
      : {
          s3UsePathStyle: true,
          skipMetadataApiCheck: "true",
          endpoints: [Object.fromEntries(EMULATED_SERVICES.map((service) => [service, emulator]))],
        }),
  });
}
