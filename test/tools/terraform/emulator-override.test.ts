import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../../local/emulator/emulator";
import { EMULATED_SERVICES } from "../../../contracts/emulated-services";
import { emulatorEnv, emulatorOverride, emulatorVariables } from "../../../tools/terraform/emulator-override";
import { stackRegion } from "../../../tools/terraform/operations";
import { prepareWorkDir, readStackConfig } from "../../../tools/terraform/stacks";
import { terraformEnv } from "../../../tools/terraform/terraform";
import { synthThrowawayStack } from "./fixtures/throwaway-stack";

const endpoint = "http://127.0.0.1:45678";
const emulator = { endpoint, tlsEndpoint: "https://127.0.0.1:45679", certificate: "/cache/sentinel/tls/loopback.pem" };

describe("emulatorOverride", () => {
  const stack = synthThrowawayStack(mkdtempSync(join(tmpdir(), "sentinel-override-")), "throwaway");
  const config = readStackConfig(stack);

  it("starts from a synthesized stack with an S3 backend and the pinned provider", () => {
    const terraform = config.terraform as { backend: Record<string, unknown>; required_providers: { aws: { version: string } } };
    expect(Object.keys(terraform.backend)).toEqual(["s3"]);
    expect(terraform.required_providers.aws.version).toBe("6.25.0");
  });

  it("points every platform service at the emulator's TLS listener with dummy credentials and AWS-only checks off", () => {
    const override = emulatorOverride(config, emulator) as { provider: { aws: Array<Record<string, unknown>> } };
    expect(override.provider.aws).toHaveLength(1);
    const [aws] = override.provider.aws;
    expect(aws).toMatchObject({
      access_key: EMULATOR_CREDENTIALS.accessKeyId,
      secret_key: EMULATOR_CREDENTIALS.secretAccessKey,
      skip_credentials_validation: true,
      skip_requesting_account_id: false,
      skip_metadata_api_check: "true",
      s3_use_path_style: true,
      max_retries: 3,
    });
    expect(aws).not.toHaveProperty("alias");
    const endpoints = (aws!.endpoints as Array<Record<string, string>>)[0]!;
    expect(Object.keys(endpoints).sort()).toEqual([...EMULATED_SERVICES].sort());
    const { s3control, ...overTls } = endpoints;
    expect(new Set(Object.values(overTls))).toEqual(new Set([emulator.tlsEndpoint]));
    // S3 Control's account-prefixed host goes through the plain listener as proxy (emulatorEnv)
    expect(s3control).toBe(endpoint);
    expect(aws).not.toHaveProperty("assume_role");
  });

  it("assumes the deployer role when given one, as the deployment pipeline does", () => {
    const arn = "arn:aws:iam::123456789012:role/sentinel-deployer";
    const override = emulatorOverride(config, emulator, { deployerRoleArn: arn }) as { provider: { aws: Array<Record<string, unknown>> } };
    expect(override.provider.aws[0]!.assume_role).toEqual([{ role_arn: arn, session_name: "sentinel-local-apply" }]);
  });

  it("declares no backend: the emulator working copies keep local state and never reach the S3 backend", () => {
    expect(emulatorOverride(config, emulator)).not.toHaveProperty("terraform");
  });

  it("keeps one override block per aliased provider configuration", () => {
    const twoRegions = { provider: { aws: [{ region: "eu-central-2" }, { region: "eu-west-1", alias: "replica" }] } };
    const aliases = (emulatorOverride(twoRegions, emulator).provider as { aws: Array<{ alias?: string }> }).aws.map((p) => p.alias);
    expect(aliases).toEqual([undefined, "replica"]);
  });

  it("refuses a stack with no AWS provider", () => {
    expect(() => emulatorOverride({ resource: {} }, emulator)).toThrow(/no AWS provider/);
  });

  it("is written next to an untouched copy of the stack", () => {
    const work = join(mkdtempSync(join(tmpdir(), "sentinel-work-")), "throwaway");
    prepareWorkDir(stack, work, { overrides: { "emulator_override.tf.json": emulatorOverride(config, emulator) } });
    expect(readFileSync(join(work, "cdk.tf.json"), "utf8")).toBe(readFileSync(stack.configFile, "utf8"));
    expect(JSON.parse(readFileSync(join(work, "emulator_override.tf.json"), "utf8")).provider.aws).toHaveLength(1);
    expect(() => prepareWorkDir(stack, work, { overrides: { "override.json": {} } })).toThrow(/_override\.tf\.json/);
  });

  it("drops only the backend block from the copy when asked, keeping state in the copy", () => {
    const work = join(mkdtempSync(join(tmpdir(), "sentinel-work-")), "throwaway");
    prepareWorkDir(stack, work, { withoutBackend: true });
    const copied = JSON.parse(readFileSync(join(work, "cdk.tf.json"), "utf8")) as Record<string, Record<string, unknown>>;
    const expected = { ...(config.terraform as Record<string, unknown>) };
    delete expected.backend;
    expect(copied.terraform).toEqual(expected);
    expect({ ...copied, terraform: undefined }).toEqual({ ...config, terraform: undefined });
  });

  it("reads the stack's region for the SDK checks", () => {
    expect(stackRegion(config)).toBe("eu-central-2");
    expect(stackRegion({ provider: { aws: [{ region: "${var.region}" }] } })).toBe(EMULATOR_CREDENTIALS.region);
  });
});

describe("emulatorVariables", () => {
  const stackWith = (variable: Record<string, unknown>) => ({ variable });

  it("fills the declared inputs with the emulator's account, placeholder principals in it and the endpoint", () => {
    const stack = stackWith({ account_id: {}, auditor_principal_arns: {}, emulator_endpoint: { default: "http://127.0.0.1:5000" } });
    expect(emulatorVariables(stack, endpoint, "123456789012")).toEqual({
      account_id: "123456789012",
      auditor_principal_arns: ["arn:aws:iam::123456789012:role/sentinel-emulator-auditor"],
      emulator_endpoint: endpoint,
    });
  });

  it("leaves variables with a default alone and names a required one it has no value for", () => {
    expect(emulatorVariables(stackWith({ retention_days: { default: 30 } }), endpoint, "1")).toEqual({});
    expect(() => emulatorVariables(stackWith({ vpc_cidr: { type: "string" } }), endpoint, "1")).toThrow(
      /variable 'vpc_cidr' is required and has no emulator value/,
    );
  });

  it("declares nothing for a stack without variables", () => {
    expect(emulatorVariables({}, endpoint, "1")).toEqual({});
  });
});

describe("Terraform process environment", () => {
  it("drops the caller's AWS and TF_VAR settings and uses the generated CLI config", () => {
    const env = terraformEnv("/work/cli.tfrc", {
      PATH: "/bin",
      AWS_PROFILE: "prod",
      AWS_SECRET_ACCESS_KEY: "real",
      TF_VAR_x: "1",
      TF_CLI_CONFIG_FILE: "/root/.terraformrc",
    });
    expect(env).toMatchObject({
      PATH: "/bin",
      TF_CLI_CONFIG_FILE: "/work/cli.tfrc",
      TF_IN_AUTOMATION: "1",
      CHECKPOINT_DISABLE: "1",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    expect(env).not.toHaveProperty("AWS_PROFILE");
    expect(env).not.toHaveProperty("AWS_SECRET_ACCESS_KEY");
    expect(env).not.toHaveProperty("TF_VAR_x");
  });

  it("gives emulator runs dummy credentials, a catch-all TLS endpoint and the CA bundle that trusts it", () => {
    expect(emulatorEnv(emulator)).toEqual({
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_ENDPOINT_URL: emulator.tlsEndpoint,
      HTTP_PROXY: endpoint,
      SSL_CERT_FILE: "/cache/sentinel/tls/ca-bundle.pem",
      // the provider prefers AWS_CA_BUNDLE, which a user's shell may set to the system roots alone
      AWS_CA_BUNDLE: "/cache/sentinel/tls/ca-bundle.pem",
    });
  });
});
