/**
 * The provider paths with the real Terraform CLI: `terraform init` installs hashicorp/aws from a local release in a
 * mirror (path 1) without the registry, and from the toolchain's own path into every working copy, writing the lock
 * file. `init` only copies and hashes the package, so path 1 is exercised with a stand-in binary.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PLATFORM } from "../../../tools/terraform/cache";
import { validateStack } from "../../../tools/terraform/operations";
import { AWS_PROVIDER, PROVIDER_VERSION_OVERRIDE_FILE } from "../../../tools/terraform/provider-source";
import { PROJECT_ROOT } from "../../../tools/terraform/session";
import { createTerraform } from "../../../tools/terraform/terraform";
import { locateToolchain } from "../../../tools/terraform/toolchain";
import { synthThrowawayStack } from "./fixtures/throwaway-stack";

const scratch = () => mkdtempSync(join(tmpdir(), "sentinel-provider-paths-"));

function lockedVersionAndHashes(dir: string): { version: string; hashes: string[] } {
  const lock = readFileSync(join(dir, ".terraform.lock.hcl"), "utf8");
  return {
    version: /version\s+=\s+"([^"]+)"/.exec(lock)![1]!,
    hashes: [...lock.matchAll(/"((?:h1|zh):[^"]+)"/g)].map((match) => match[1]!),
  };
}

describe("path 1: a local release in a mirror", () => {
  it("is installed by terraform init without the registry, and locked with its h1 hash", async () => {
    const mirror = scratch();
    const packageDir = join(mirror, "registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER.pinnedVersion, PLATFORM);
    mkdirSync(packageDir, { recursive: true });
    writeFileSync(join(packageDir, `terraform-provider-aws_v${AWS_PROVIDER.pinnedVersion}_x5`), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const env = { ...process.env, SENTINEL_PROVIDER_MIRROR: mirror, SENTINEL_CACHE_DIR: scratch(), SENTINEL_TERRAFORM_REGISTRY: "off" };
    const toolchain = locateToolchain(env);
    if ("missing" in toolchain) throw new Error(toolchain.missing.join("; "));
    expect(toolchain.provider).toMatchObject({ path: "local-release", version: AWS_PROVIDER.pinnedVersion, dir: mirror });

    const dir = scratch();
    writeFileSync(
      join(dir, "main.tf.json"),
      JSON.stringify({ terraform: { required_providers: { aws: { source: "aws", version: AWS_PROVIDER.pinnedVersion } } } }),
    );
    const init = await createTerraform(toolchain, scratch()).run(dir, ["init", "-input=false", "-backend=false"]);
    expect(init.stdout).toContain(`Installed hashicorp/aws v${AWS_PROVIDER.pinnedVersion}`);
    const locked = lockedVersionAndHashes(dir);
    expect(locked.version).toBe(AWS_PROVIDER.pinnedVersion);
    expect(locked.hashes).toEqual([expect.stringMatching(/^h1:/)]);
  });
});

describe("the toolchain's own path", () => {
  it("installs its provider into a working copy through init and locks the version it installed", async () => {
    const toolchain = locateToolchain();
    if ("missing" in toolchain) throw new Error(`the Terraform tier needs the toolchain: ${toolchain.missing.join("; ")}`);
    const stack = synthThrowawayStack(join(scratch(), "stack"), "locked");
    const workRoot = scratch();
    await validateStack(createTerraform(toolchain, PROJECT_ROOT), stack, workRoot);
    const dir = join(workRoot, "validate", stack.name);
    expect(lockedVersionAndHashes(dir).version).toBe(toolchain.provider.version);
    const overridden = toolchain.provider.version !== AWS_PROVIDER.pinnedVersion;
    expect(readFileSync(join(dir, "cdk.tf.json"), "utf8")).toBe(readFileSync(stack.configFile, "utf8"));
    if (overridden) {
      const override = JSON.parse(readFileSync(join(dir, PROVIDER_VERSION_OVERRIDE_FILE), "utf8"));
      expect(override.terraform.required_providers.aws.version).toBe(toolchain.provider.version);
    }
  });
});
