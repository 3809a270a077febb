/**
 * The CDKTF workflow against the emulator, with the real CDKTF CLI, Terraform and provider: the commands
 * `npm start -- --keep-running` prints (CDKTF_LOCAL_COMMANDS, also in docs/environments.md) run as a user runs them,
 * in a shell at the project root: `cdktf diff local` plans the whole local stack against a running emulator, `cdktf
 * deploy local` applies all of it (bucket policies and logging included, over TLS, as the deployer role) and `cdktf
 * destroy local` removes it again. The emulator here is a fresh one with empty state (an npm start would take
 * minutes): everything is to add. Between the deploy and the destroy, IAM is enforced as `npm start` enforces it (its
 * local deployer and operator, local/emulator/role-sessions.ts) and the files are written again with the local
 * deployer's keys, as npm start writes them: the diff then plans no change but the emulator's declared read-back gaps
 * (tools/terraform/read-back-gaps.ts), and the buckets are emptied and the stack destroyed under enforcement.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Client } from "@aws-sdk/client-s3";
import type { AwsCredentials } from "../../../local/emulator/iam-enforcement";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../../local/emulator/emulator";
import { enforceRolesOfAppliedStack } from "../../../local/emulator/role-sessions";
import { READ_BACK_GAPS } from "../../../tools/terraform/read-back-gaps";
import { CDKTF_LOCAL_COMMANDS, CDKTF_LOCAL_ENV_FILE, prepareCdktfLocal, readEnvFile } from "../../../tools/terraform/cdktf-local";
import { environmentBuckets } from "../../../tools/terraform/empty-buckets";
import { OUT_DIR, PROJECT_ROOT } from "../../../tools/terraform/session";
import { CDKTF_LOCAL_OVERRIDE_FILE, CDKTF_LOCAL_TFVARS_FILE, findStack, synthesize } from "../../../tools/terraform/stacks";
import { cliConfigFile, createTerraform } from "../../../tools/terraform/terraform";
import { terraformEnv } from "../../../tools/terraform/terraform-env";
import { locateToolchain, type Toolchain } from "../../../tools/terraform/toolchain";

const scratch = mkdtempSync(join(tmpdir(), "sentinel-cdktf-local-"));
const envFile = join(PROJECT_ROOT, CDKTF_LOCAL_ENV_FILE);
let emulator: Emulator;
let toolchain: Toolchain;
/** Files this test overwrites where a running npm start may have written its own: put back afterwards. */
const saved = new Map<string, string | undefined>();

beforeAll(async () => {
  const located = locateToolchain();
  if ("missing" in located) throw new Error(`the Terraform tier needs the built toolchain: ${located.missing.join("; ")}`);
  toolchain = located;
  createTerraform(toolchain, PROJECT_ROOT); // writes the CLI configuration the env file names
  synthesize(PROJECT_ROOT);
  const stack = findStack(OUT_DIR, "local");
  for (const file of [envFile, join(stack.dir, CDKTF_LOCAL_OVERRIDE_FILE), join(stack.dir, CDKTF_LOCAL_TFVARS_FILE)]) {
    saved.set(file, existsSync(file) ? readFileSync(file, "utf8") : undefined);
  }
  emulator = await startEmulator({ projectRoot: PROJECT_ROOT });
  await prepareCdktfLocal(stack, cdktfLocalOptions());
});

/** What npm start passes (with `credentials`: once it enforces IAM, its local deployer's keys). */
function cdktfLocalOptions(credentials?: AwsCredentials) {
  return {
    emulator,
    cliConfigFile: cliConfigFile(PROJECT_ROOT),
    provider: toolchain.provider,
    stateFile: join(scratch, "terraform.tfstate"),
    envFile,
    ...(credentials === undefined ? {} : { credentials }),
  };
}

afterAll(async () => {
  await emulator?.stop();
  for (const [file, content] of saved) {
    if (content === undefined) rmSync(file, { force: true });
    else writeFileSync(file, content);
  }
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * Runs the printed commands in one shell at the project root, without the caller's AWS or Terraform settings.
 * Asynchronously: this process reads the emulator's request log from a pipe, and a synchronous wait would let that
 * pipe fill during a deploy's thousands of requests, which blocks the emulator.
 */
async function runCommands(commands: readonly string[]): Promise<{ status: number | null; output: string }> {
  const env = terraformEnv(cliConfigFile(PROJECT_ROOT));
  delete env.TF_CLI_CONFIG_FILE; // the env file must provide it
  // a user's shell may carry its own CA bundle for AWS (this machine's does): the env file must override it
  env.AWS_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
  const child = spawn("bash", ["-c", commands.join("\n")], { cwd: PROJECT_ROOT, env, timeout: 20 * 60_000 });
  let text = "";
  child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const status = await new Promise<number | null>((done) => child.once("close", (code) => done(code)));
  // eslint-disable-next-line no-control-regex -- the CDKTF CLI colours its output
  const output = text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
  return { status, output };
}

function managedResourceCount(configFile: string): number {
  const config = JSON.parse(readFileSync(configFile, "utf8")) as { resource: Record<string, Record<string, unknown>> };
  return Object.values(config.resource).reduce((total, ofType) => total + Object.keys(ofType).length, 0);
}

describe("npx cdktf diff/deploy/destroy local against a running emulator", () => {
  it("the env file names the generated CLI configuration and sends every AWS call to the emulator", () => {
    const env = readEnvFile(readFileSync(envFile, "utf8"));
    // the catch-all endpoint keeps the services the stack names no endpoint for (Athena, CloudTrail) off real AWS
    expect(env).toMatchObject({
      TF_CLI_CONFIG_FILE: cliConfigFile(PROJECT_ROOT),
      AWS_ENDPOINT_URL: emulator.tlsEndpoint,
      HTTP_PROXY: emulator.endpoint,
      SSL_CERT_FILE: expect.stringMatching(/ca-bundle\.pem$/),
      AWS_CA_BUNDLE: expect.stringMatching(/ca-bundle\.pem$/),
      SENTINEL_DEPLOYER_ROLE_ARN: expect.stringMatching(/^arn:aws:iam::\d{12}:role\/sentinel-deployer$/),
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
    });
  });

  it("installs the toolchain's provider and plans every resource of the local stack to add", async () => {
    const [sourceEnv, diff] = CDKTF_LOCAL_COMMANDS;
    const { status, output } = await runCommands([sourceEnv!, diff!]);
    expect(status, output.slice(-4000)).toBe(0);
    const version = toolchain.provider.version.replaceAll(".", "\\.");
    expect(output).toMatch(new RegExp(`(Installed|Using previously-installed) hashicorp/aws v${version}\\b`));
    const resources = managedResourceCount(findStack(OUT_DIR, "local").configFile);
    expect(output).toMatch(new RegExp(`Plan: ${resources} to add, 0 to change, 0 to destroy\\.`));
  });

  it("deploys the whole local stack, diffs it with IAM enforced as npm start enforces it, and destroys it again", async () => {
    const [sourceEnv, diff, deploy, empty, destroy] = CDKTF_LOCAL_COMMANDS;
    const resources = managedResourceCount(findStack(OUT_DIR, "local").configFile);
    const deployed = await runCommands([sourceEnv!, deploy!]);
    expect(deployed.status, deployed.output.slice(-6000)).toBe(0);
    expect(deployed.output).toMatch(new RegExp(`Apply complete! Resources: ${resources} added, 0 changed, 0 destroyed\\.`));

    // as npm start: its deployer and operator, enforcement on, the files written again with the deployer's keys
    const enforced = await enforceRolesOfAppliedStack(emulator.endpoint, EMULATOR_CREDENTIALS.region);
    await prepareCdktfLocal(findStack(OUT_DIR, "local"), cdktfLocalOptions(enforced.deployer));
    const rediffed = await runCommands([sourceEnv!, diff!]);
    expect(rediffed.status, rediffed.output.slice(-6000)).toBe(0);
    expect(rediffed.output).toMatch(/Plan: 0 to add, \d+ to change, 0 to destroy\.|No changes\./);
    // every change is an in-place update of a type with a declared read-back gap (none are declared today: the plan is
    // empty): no role's trust or policy among them
    const changed = [...rediffed.output.matchAll(/# (aws_[a-z0-9_]+)\.\S+ .*(will be|must be) ([a-z -]+)/g)];
    const tolerated = new Set(READ_BACK_GAPS.map(({ resourceType }) => resourceType));
    expect(changed.filter(([, type, , action]) => !tolerated.has(type!) || action !== "updated in-place").map(([line]) => line)).toEqual(
      [],
    );
    // the buckets hold the deploy's objects (the job's code, wheels, configuration and keys): Terraform refuses to delete a
    // bucket that is not empty (force_destroy stays off), so the buckets are emptied first, as on AWS
    const emptied = await runCommands([sourceEnv!, empty!]);
    expect(emptied.status, emptied.output.slice(-4000)).toBe(0);
    expect(emptied.output).toMatch(/\[empty-buckets\] deleted [1-9]\d* object versions and delete markers from 8 buckets/);
    const destroyed = await runCommands([sourceEnv!, destroy!]);
    expect(destroyed.status, destroyed.output.slice(-6000)).toBe(0);
    // the emulator holds none of the environment's buckets any more (they were the last things Terraform deleted)
    // (as the local deployer: IAM is enforced now)
    const s3 = new S3Client({ ...emulatorClientConfig(emulator.tlsEndpoint), credentials: enforced.deployer, forcePathStyle: true });
    expect(await environmentBuckets(s3, "local")).toEqual([]);
    s3.destroy();
  });
});
