/**
 * The override file that turns a synthesized stack into one Terraform can plan and apply against the local AWS
 * emulator: every AWS provider configuration gets dummy credentials, the emulator's endpoints and the checks that
 * only make sense against real AWS switched off. (The S3 remote backend is dropped from the working copy instead,
 * see `prepareWorkDir`'s `withoutBackend`: state stays in the copy.)
 */
import { dirname, join } from "node:path";
import { EMULATED_SERVICES } from "../../contracts/emulated-services";
import { EMULATOR_CREDENTIALS, type Emulator } from "../../local/emulator/emulator";
import type { TerraformJson } from "./stacks";

/**
 * The keys Terraform signs with: the emulator's dummy ones, or (once `npm start` enforces IAM) the local deployer's;
 * either way the provider then assumes the deployer role.
 */
export interface EmulatorCallerKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Where Terraform reaches the emulator: its TLS listener for every service, its plain one for S3 Control (below). */
export type EmulatorAddress = Pick<Emulator, "endpoint" | "tlsEndpoint" | "certificate">;

/** The CA bundle beside the emulator's certificate (local/emulator/loopback-tls.ts caBundle): the system's roots plus it. */
export function emulatorCaBundle(emulator: EmulatorAddress): string {
  return join(dirname(emulator.certificate), "ca-bundle.pem");
}

export const EMULATOR_OVERRIDE_FILE = "emulator_override.tf.json";
export const EMULATOR_TFVARS_FILE = "emulator.auto.tfvars.json";

/**
 * Environment for Terraform runs against the emulator: the same dummy credentials, a catch-all endpoint (TLS), the
 * CA bundle that makes Go trust the emulator's certificate (SSL_CERT_FILE and AWS_CA_BUNDLE: the system's roots plus that one; nothing
 * skips verification), and the emulator's plain listener as HTTP proxy. The proxy is for the names the SDK derives
 * from an endpoint by prefixing the account id (S3 Control: `123456789012.127.0.0.1:<port>`, which has no DNS record
 * and which no certificate for 127.0.0.1 could match): Go sends such plain requests to the proxy, and the emulator
 * serves the absolute-URI request itself. Loopback addresses are never proxied, so every other call goes straight
 * to the emulator; nothing can leave the machine either way.
 */
export function emulatorEnv(emulator: EmulatorAddress, credentials: EmulatorCallerKeys = EMULATOR_CREDENTIALS): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL: emulator.tlsEndpoint,
    HTTP_PROXY: emulator.endpoint,
    SSL_CERT_FILE: emulatorCaBundle(emulator),
    // the provider (and the AWS CLI) take AWS_CA_BUNDLE over SSL_CERT_FILE, and a user's shell may already set it to
    // the system roots alone (this machine's does): then every call to the emulator fails certificate verification
    AWS_CA_BUNDLE: emulatorCaBundle(emulator),
  };
}

/**
 * Retries per API call against the emulator. The provider's default (25, with back-off up to 20 s each) turns an
 * API the emulator does not implement (HTTP 500) into a silent wait of many minutes per resource; 3 still absorbs
 * the emulator's occasional dropped connection.
 */
export const EMULATOR_MAX_RETRIES = 3;

function providerConfigs(stack: TerraformJson): Array<Record<string, unknown>> {
  const providers = (stack.provider ?? {}) as Record<string, unknown>;
  const aws = providers.aws;
  if (aws === undefined) return [];
  return (Array.isArray(aws) ? aws : [aws]) as Array<Record<string, unknown>>;
}

export interface EmulatorOverrideOptions {
  /**
   * The role the provider assumes, as the deployment pipeline does on AWS (the artifacts bucket's policy lets only it
   * write the job's code and configuration): see local/emulator/emulator-deployer.ts.
   * @default none: the keys' own identity
   */
  readonly deployerRoleArn?: string;
  /** @default the emulator's dummy keys */
  readonly credentials?: EmulatorCallerKeys;
}

export function emulatorOverride(stack: TerraformJson, emulator: EmulatorAddress, options: EmulatorOverrideOptions = {}): TerraformJson {
  const { deployerRoleArn, credentials = EMULATOR_CREDENTIALS } = options;
  const configs = providerConfigs(stack);
  if (configs.length === 0) throw new Error("the stack configures no AWS provider: nothing to point at the emulator");
  // every service over TLS (the TLS-only bucket policies hold) but S3 Control, which goes through the proxy (above)
  const endpoints = Object.fromEntries(
    EMULATED_SERVICES.map((service) => [service, service === "s3control" ? emulator.endpoint : emulator.tlsEndpoint]),
  );
  return {
    provider: {
      // Override blocks merge into the provider block with the same alias; one per configuration in the stack.
      aws: configs.map((config) => ({
        ...(typeof config.alias === "string" ? { alias: config.alias } : {}),
        access_key: credentials.accessKeyId,
        secret_key: credentials.secretAccessKey,
        skip_credentials_validation: true,
        // The provider asks the emulator's STS for the account id instead of skipping the lookup: the AWS
        // environments set allowed_account_ids, and with the lookup skipped the provider refuses to configure
        // ("AWS account ID not allowed: " with an empty id). Asking keeps that guard exercised.
        skip_requesting_account_id: false,
        skip_metadata_api_check: "true",
        skip_region_validation: true,
        s3_use_path_style: true,
        max_retries: EMULATOR_MAX_RETRIES,
        endpoints: [endpoints],
        ...(deployerRoleArn === undefined ? {} : { assume_role: [{ role_arn: deployerRoleArn, session_name: "sentinel-local-apply" }] }),
      })),
    },
  };
}

interface VariableDeclaration {
  readonly default?: unknown;
}

/**
 * Input values for planning an environment against the emulator, for the variables the stack declares: the
 * emulator's account, placeholder principals in it, and the emulator endpoint. A required variable without an
 * emulator value is an error naming it, rather than an interactive prompt or a silent default.
 */
export function emulatorVariables(stack: TerraformJson, endpoint: string, accountId: string): Record<string, unknown> {
  const candidates: Record<string, unknown> = {
    account_id: accountId,
    alarm_email: "alarms@sentinel.invalid",
    auditor_principal_arns: [`arn:aws:iam::${accountId}:role/sentinel-emulator-auditor`],
    data_scientist_principal_arns: [`arn:aws:iam::${accountId}:role/sentinel-emulator-data-scientist`],
    reidentification_principal_arns: [`arn:aws:iam::${accountId}:role/sentinel-emulator-reidentification`],
    emulator_endpoint: endpoint,
  };
  const declared = (stack.variable ?? {}) as Record<string, VariableDeclaration>;
  const values: Record<string, unknown> = {};
  for (const [name, declaration] of Object.entries(declared)) {
    if (name in candidates) values[name] = candidates[name];
    else if (!("default" in declaration)) {
      throw new Error(
        `variable '${name}' is required and has no emulator value: add one to emulatorVariables() in tools/terraform/emulator-override.ts`,
      );
    }
  }
  return values;
}
