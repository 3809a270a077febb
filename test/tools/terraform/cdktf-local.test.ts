import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProviderInstallation } from "../../../tools/terraform/cli-config";
import { CDKTF_LOCAL_COMMANDS, cdktfLocalOverride, npmStartStateFile, readEnvFile } from "../../../tools/terraform/cdktf-local";
import { emulatorOverride } from "../../../tools/terraform/emulator-override";
import { emulatorWorkDir } from "../../../tools/terraform/operations";
import { CDKTF_LOCAL_OVERRIDE_FILE, CDKTF_LOCAL_TFVARS_FILE, prepareWorkDir, readStackConfig } from "../../../tools/terraform/stacks";
import { synthThrowawayStack } from "./fixtures/throwaway-stack";

const emulator = { endpoint: "http://127.0.0.1:45678", tlsEndpoint: "https://127.0.0.1:45679", certificate: "/tls/loopback.pem" };
const installation = (version: string): ProviderInstallation => ({ path: "slim-build", version, dir: "/mirror", description: "test" });

describe("cdktfLocalOverride", () => {
  const stack = synthThrowawayStack(mkdtempSync(join(tmpdir(), "sentinel-cdktf-local-")), "throwaway");
  const config = readStackConfig(stack);

  it("points the provider at the emulator as the tf:* working copies do, and the backend at the given state", () => {
    const override = cdktfLocalOverride(config, { emulator, provider: installation("6.48.0-slim.abc"), stateFile: "/work/state.tfstate" });
    expect(override.provider).toEqual(emulatorOverride(config, emulator).provider);
    expect(override.terraform).toEqual({
      backend: { local: { path: "/work/state.tfstate" } },
      required_providers: { aws: { source: "aws", version: "6.48.0-slim.abc" } },
    });
  });

  it("leaves the provider version alone when the pinned release is installed", () => {
    const override = cdktfLocalOverride(config, { emulator, provider: installation("6.25.0"), stateFile: "/s" });
    expect(override.terraform).toEqual({ backend: { local: { path: "/s" } } });
  });

  it("is never copied into the tf:* working copies, nor are the emulator's variable values", () => {
    writeFileSync(join(stack.dir, CDKTF_LOCAL_OVERRIDE_FILE), "{}");
    writeFileSync(join(stack.dir, CDKTF_LOCAL_TFVARS_FILE), "{}");
    const copy = prepareWorkDir(stack, join(mkdtempSync(join(tmpdir(), "sentinel-cdktf-copy-")), "copy"));
    expect(existsSync(join(copy, "cdk.tf.json"))).toBe(true);
    expect(existsSync(join(copy, CDKTF_LOCAL_OVERRIDE_FILE))).toBe(false);
    expect(existsSync(join(copy, CDKTF_LOCAL_TFVARS_FILE))).toBe(false);
  });
});

describe("npmStartStateFile", () => {
  it("is the state in the working copy npm start applies the local stack in", () => {
    expect(npmStartStateFile("/root/work")).toBe(join(emulatorWorkDir("/root/work", "local"), "terraform.tfstate"));
  });
});

describe("readEnvFile", () => {
  it("reads back single-quoted values, quotes inside included, and skips comments", () => {
    expect(readEnvFile("# comment\nA='/a b'\nB='it'\\''s'\n")).toEqual({ A: "/a b", B: "it's" });
  });
});

describe("docs/environments.md", () => {
  it("shows exactly the CDKTF commands that npm start prints and the Terraform tier runs", () => {
    const docs = readFileSync(resolve(import.meta.dirname, "../../../docs/environments.md"), "utf8");
    const section = docs.slice(docs.indexOf("### `cdktf diff`, `deploy` and `destroy` against the local emulator"));
    const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block?.trim().split("\n")).toEqual([...CDKTF_LOCAL_COMMANDS]);
  });
});
