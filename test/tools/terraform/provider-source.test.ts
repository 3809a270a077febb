import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PLATFORM } from "../../../tools/terraform/cache";
import {
  AWS_PROVIDER,
  PROVIDER_VERSION_OVERRIDE_FILE,
  findLocalRelease,
  holdsRelease,
  localReleaseDirs,
  projectPluginCache,
  providerVersionOverride,
  registryFailureReason,
  resolveProvider,
  type ProviderInstallation,
} from "../../../tools/terraform/provider-source";
import { SLIM_AWS_PROVIDER } from "../../../tools/terraform/slim-build";

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "sentinel-provider-source-"));
}

/** A mirror holding hashicorp/aws `version` for this platform, unpacked (as `terraform providers mirror` or a plugin cache leaves it) or packed. */
function mirrorWith(version: string, layout: "unpacked" | "packed", host = "registry.terraform.io"): string {
  const mirror = scratch();
  const base = join(mirror, host, "hashicorp", "aws");
  if (layout === "unpacked") {
    mkdirSync(join(base, version, PLATFORM), { recursive: true });
    writeFileSync(join(base, version, PLATFORM, `terraform-provider-aws_v${version}_x5`), "");
  } else {
    mkdirSync(base, { recursive: true });
    writeFileSync(join(base, `terraform-provider-aws_${version}_${PLATFORM}.zip`), "");
  }
  return mirror;
}

const isolated = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  HOME: scratch(),
  SENTINEL_CACHE_DIR: scratch(),
  SENTINEL_TERRAFORM_REGISTRY: "off",
  ...extra,
});

describe("path 1: a local release", () => {
  it("is the pinned version for this platform in an unpacked or packed mirror, under the CLI's registry host", () => {
    expect(holdsRelease(mirrorWith("6.25.0", "unpacked"), "registry.terraform.io", "6.25.0")).toBe(true);
    expect(holdsRelease(mirrorWith("6.25.0", "packed"), "registry.terraform.io", "6.25.0")).toBe(true);
    expect(holdsRelease(mirrorWith("6.24.0", "unpacked"), "registry.terraform.io", "6.25.0")).toBe(false);
    expect(holdsRelease(mirrorWith("6.25.0", "unpacked"), "registry.opentofu.org", "6.25.0")).toBe(false);
  });

  it("is looked for in SENTINEL_PROVIDER_MIRROR, the project's plugin cache, TF_PLUGIN_CACHE_DIR, then Terraform's implied mirrors", () => {
    const env = { HOME: "/home/u", SENTINEL_PROVIDER_MIRROR: "/site/mirror", TF_PLUGIN_CACHE_DIR: "/tf-cache" };
    expect(localReleaseDirs(env, "/c/sentinel")).toEqual([
      "/site/mirror",
      "/c/sentinel/terraform-plugin-cache",
      "/tf-cache",
      "/home/u/.terraform.d/plugins",
      "/home/u/.local/share/terraform/plugins",
      "/usr/local/share/terraform/plugins",
      "/usr/share/terraform/plugins",
    ]);
    const site = mirrorWith("6.25.0", "packed");
    expect(findLocalRelease("registry.terraform.io", isolated({ SENTINEL_PROVIDER_MIRROR: site }), scratch())).toBe(site);
  });

  it("comes first, and installs the pinned release without touching the registry", () => {
    const site = mirrorWith("6.25.0", "unpacked");
    const resolved = resolveProvider({
      cliPath: "/nonexistent/terraform",
      host: "registry.terraform.io",
      env: isolated({ SENTINEL_PROVIDER_MIRROR: site }),
    });
    expect(resolved).toEqual({ installation: expect.objectContaining({ path: "local-release", version: "6.25.0", dir: site }) });
  });

  it("includes what an earlier registry install left in the project's plugin cache", () => {
    const env = isolated();
    const root = env.SENTINEL_CACHE_DIR!;
    const cached = join(projectPluginCache(root), "registry.terraform.io", "hashicorp", "aws", "6.25.0", PLATFORM);
    mkdirSync(cached, { recursive: true });
    writeFileSync(join(cached, "terraform-provider-aws_v6.25.0_x5"), "");
    expect(findLocalRelease("registry.terraform.io", env, root)).toBe(projectPluginCache(root));
  });
});

describe("path 2: the registry", () => {
  it("reports Terraform's own reason for failing, in one line", () => {
    const output = `
Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider hashicorp/aws:
could not connect to registry.terraform.io: failed to request discovery
document: Get "https://registry.terraform.io/.well-known/terraform.json":
dial tcp: lookup registry.terraform.io on 10.255.255.53:53: no such host

To see which modules are currently depending on hashicorp/aws and what
versions are specified, run the following command:
    terraform providers
`;
    expect(registryFailureReason(output)).toBe(
      'could not connect to registry.terraform.io: failed to request discovery document: Get "https://registry.terraform.io/.well-known/terraform.json": dial tcp: lookup registry.terraform.io on 10.255.255.53:53: no such host',
    );
  });
});

describe("when no path works", () => {
  it("says why for each of the three, in order", () => {
    const resolved = resolveProvider({ cliPath: null, host: "registry.terraform.io", env: isolated() });
    expect(resolved).toEqual({
      missing: [
        expect.stringMatching(/^1\. no hashicorp\/aws 6\.25\.0 for \w+ in /),
        "2. registry not tried: no Terraform CLI",
        expect.stringMatching(/^3\. slim offline build: .* is not built .*npm run tf:build/),
      ],
    });
  });
});

describe("providerVersionOverride", () => {
  const stack = { terraform: { required_providers: { aws: { source: "aws", version: "6.25.0" } } } };
  const installation = (path: ProviderInstallation["path"], version: string): ProviderInstallation => ({
    path,
    version,
    dir: "/m",
    description: "",
  });

  it("adds nothing when Terraform installs the pinned release", () => {
    expect(providerVersionOverride(stack, installation("local-release", AWS_PROVIDER.pinnedVersion))).toEqual({});
    expect(providerVersionOverride(stack, installation("registry", AWS_PROVIDER.pinnedVersion))).toEqual({});
  });

  it("requires exactly the slim build's version in an override file, keeping the stack's source", () => {
    expect(providerVersionOverride(stack, installation("slim-build", SLIM_AWS_PROVIDER.version))).toEqual({
      [PROVIDER_VERSION_OVERRIDE_FILE]: {
        terraform: { required_providers: { aws: { source: "aws", version: SLIM_AWS_PROVIDER.version } } },
      },
    });
    expect(PROVIDER_VERSION_OVERRIDE_FILE.endsWith("_override.tf.json")).toBe(true);
  });

  it("refuses a stack that pins another version or no aws provider", () => {
    const other = { terraform: { required_providers: { aws: { source: "aws", version: "6.26.0" } } } };
    expect(() => providerVersionOverride(other, installation("slim-build", SLIM_AWS_PROVIDER.version))).toThrow(
      /pins hashicorp\/aws 6\.26\.0.*expects 6\.25\.0/,
    );
    expect(() => providerVersionOverride({}, installation("slim-build", SLIM_AWS_PROVIDER.version))).toThrow(
      /does not require the 'aws' provider/,
    );
  });
});
