import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderCliConfig } from "../../../tools/terraform/cli-config";
import { goDirective, parseGnuTime, parseGoVersion } from "../../../tools/terraform/go-build";
import {
  AWS_PROVIDER,
  BUILD_RECORD_FILE,
  OPENTOFU,
  cacheRoot,
  checkCachedBinary,
  findTerraformCli,
  locateToolchain,
  opentofuLocation,
  providerLocation,
  sha256File,
  type BuildRecord,
  type GoModuleBuild,
  type Toolchain,
} from "../../../tools/terraform/toolchain";

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "sentinel-toolchain-"));
}

function fakeBuild(build: GoModuleBuild, dir: string, overrides: Partial<BuildRecord> = {}): string {
  mkdirSync(dir, { recursive: true });
  const binary = join(dir, build.binaryName);
  writeFileSync(binary, "#!/bin/sh\necho fake\n");
  chmodSync(binary, 0o755);
  const record: BuildRecord = {
    module: build.module, moduleVersion: build.moduleVersion, moduleSum: "h1:x", version: build.version, goVersion: "go1.26",
    sha256: sha256File(binary), builtAt: "2026-01-01T00:00:00Z", wallSeconds: 1, maxRssKiB: 1, command: "go build", ...overrides,
  };
  writeFileSync(join(dir, BUILD_RECORD_FILE), JSON.stringify(record));
  return binary;
}

describe("cache locations", () => {
  it("live under XDG_CACHE_HOME (or ~/.cache) /sentinel, keyed by source, version and platform", () => {
    expect(cacheRoot({ XDG_CACHE_HOME: "/c" })).toBe("/c/sentinel");
    expect(cacheRoot({ SENTINEL_CACHE_DIR: "/s", XDG_CACHE_HOME: "/c" })).toBe("/s");
    expect(providerLocation(AWS_PROVIDER, "/c/sentinel").path).toMatch(
      /^\/c\/sentinel\/terraform-providers\/registry\.terraform\.io\/hashicorp\/aws\/6\.48\.0-dev\+5f2286d6d836\/linux_(amd64|arm64)\/terraform-provider-aws$/,
    );
    expect(opentofuLocation("/c/sentinel").path).toMatch(/^\/c\/sentinel\/terraform-cli\/opentofu\/1\.10\.6\/linux_\w+\/tofu$/);
  });

  it("never point into the repository", () => {
    expect(providerLocation(AWS_PROVIDER).path.startsWith(process.cwd())).toBe(false);
  });
});

describe("checkCachedBinary", () => {
  it("accepts a binary whose record names the declared module version and whose bytes match", () => {
    const location = providerLocation(AWS_PROVIDER, scratch());
    fakeBuild(AWS_PROVIDER, location.dir);
    expect(checkCachedBinary(AWS_PROVIDER, location)).toBeNull();
  });

  it("reports a missing binary, a record from another module version, and changed bytes", () => {
    const location = providerLocation(AWS_PROVIDER, scratch());
    expect(checkCachedBinary(AWS_PROVIDER, location)).toMatch(/is not built/);
    fakeBuild(AWS_PROVIDER, location.dir, { moduleVersion: "v1.60.0" });
    expect(checkCachedBinary(AWS_PROVIDER, location)).toMatch(/built from v1\.60\.0, not the declared/);
    fakeBuild(AWS_PROVIDER, location.dir);
    writeFileSync(location.path, "truncated");
    expect(checkCachedBinary(AWS_PROVIDER, location)).toMatch(/does not match the sha256/);
  });
});

describe("findTerraformCli", () => {
  it("prefers SENTINEL_TERRAFORM, then terraform on PATH, then tofu on PATH, then the cached OpenTofu build", () => {
    const bin = scratch();
    const cache = scratch();
    const empty = { PATH: scratch() };
    expect(findTerraformCli(empty, cache)).toBeNull();
    const cachedTofu = fakeBuild(OPENTOFU, opentofuLocation(cache).dir);
    expect(findTerraformCli(empty, cache)).toEqual({ path: cachedTofu, flavour: "opentofu" });
    writeFileSync(join(bin, "tofu"), "");
    expect(findTerraformCli({ PATH: bin }, cache)).toEqual({ path: join(bin, "tofu"), flavour: "opentofu" });
    writeFileSync(join(bin, "terraform"), "");
    expect(findTerraformCli({ PATH: bin }, cache)).toEqual({ path: join(bin, "terraform"), flavour: "terraform" });
    expect(findTerraformCli({ PATH: bin, SENTINEL_TERRAFORM: cachedTofu }, cache)).toEqual({ path: cachedTofu, flavour: "opentofu" });
    expect(() => findTerraformCli({ SENTINEL_TERRAFORM: "/nope/terraform" }, cache)).toThrow(/does not exist/);
  });
});

describe("locateToolchain", () => {
  it("lists every missing piece, one line each", () => {
    const result = locateToolchain({ PATH: scratch(), SENTINEL_CACHE_DIR: scratch() });
    expect(result).toEqual({ missing: [expect.stringMatching(/no terraform or tofu/), expect.stringMatching(/terraform-provider-aws .* is not built/)] });
  });

  it("returns the CLI and the providers once both are built", () => {
    const cache = scratch();
    fakeBuild(OPENTOFU, opentofuLocation(cache).dir);
    fakeBuild(AWS_PROVIDER, providerLocation(AWS_PROVIDER, cache).dir);
    const result = locateToolchain({ PATH: scratch(), SENTINEL_CACHE_DIR: cache });
    expect("missing" in result).toBe(false);
  });
});

describe("the declared aws provider build", () => {
  it("says why it is not the pinned 6.25.0", () => {
    expect(AWS_PROVIDER.pinnedVersion).toBe("6.25.0");
    expect(AWS_PROVIDER.version).not.toBe(AWS_PROVIDER.pinnedVersion);
    expect(AWS_PROVIDER.versionGap).toMatch(/6\.25\.0/);
    expect(AWS_PROVIDER.versionStamp).toBe(`github.com/hashicorp/terraform-provider-aws/version.ProviderVersion=${AWS_PROVIDER.version}`);
  });
});

describe("renderCliConfig", () => {
  const providers = [{ build: AWS_PROVIDER, location: providerLocation(AWS_PROVIDER, "/cache") }];

  it("overrides hashicorp/aws on the registry host each CLI resolves 'aws' to", () => {
    const terraform = renderCliConfig({ cli: { path: "/bin/terraform", flavour: "terraform" }, providers } satisfies Toolchain);
    expect(terraform).toContain(`"registry.terraform.io/hashicorp/aws" = "${providers[0]!.location.dir}"`);
    expect(terraform).toMatch(/provider_installation \{\n {2}dev_overrides \{[\s\S]*\}\n {2}direct \{\}\n\}/);
    const tofu = renderCliConfig({ cli: { path: "/bin/tofu", flavour: "opentofu" }, providers });
    expect(tofu).toContain(`"registry.opentofu.org/hashicorp/aws" = `);
  });
});

describe("Go build helpers", () => {
  it("read Go versions and go.mod directives", () => {
    expect(parseGoVersion("go version go1.26.8 linux/amd64")).toEqual([1, 26, 8]);
    expect(parseGoVersion("go1.24")).toEqual([1, 24, 0]);
    expect(goDirective("module x\n\ngo 1.26.3\n\nrequire y v1\n")).toEqual([1, 26, 3]);
    expect(() => goDirective("module x\n")).toThrow(/no go directive/);
  });

  it("read wall time and peak RSS from GNU time -v, in h:mm:ss and m:ss forms", () => {
    const report = (wall: string) => `\tElapsed (wall clock) time (h:mm:ss or m:ss): ${wall}\n\tMaximum resident set size (kbytes): 3145728\n`;
    expect(parseGnuTime(report("1:02:03.50"))).toEqual({ wallSeconds: 3723.5, maxRssKiB: 3145728 });
    expect(parseGnuTime(report("12:34.25"))).toEqual({ wallSeconds: 754.25, maxRssKiB: 3145728 });
    expect(() => parseGnuTime("real 1.0")).toThrow(/not a GNU time/);
  });
});
