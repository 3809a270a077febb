import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkCachedBinary,
  sha256File,
  type BinaryLocation,
  type BuildRecord,
  type GoModuleBuild,
} from "../../../tools/terraform/build-record";
import { cacheRoot } from "../../../tools/terraform/cache";
import { renderCliConfig } from "../../../tools/terraform/cli-config";
import { goDirective, parseGnuTime, parseGoVersion } from "../../../tools/terraform/go-build";
import { AWS_PROVIDER } from "../../../tools/terraform/provider-source";
import {
  REGISTRY_HOSTS,
  SLIM_AWS_PROVIDER,
  checkSlimBuild,
  slimMirrorRoot,
  slimProviderLocation,
} from "../../../tools/terraform/slim-build";
import { readSlimServices } from "../../../tools/terraform/slim-services";
import { OPENTOFU, findTerraformCli, locateToolchain, opentofuLocation } from "../../../tools/terraform/toolchain";

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "sentinel-toolchain-"));
}

/** A stand-in binary with a build record, as the build scripts leave them. */
function fakeBuild(build: GoModuleBuild, location: BinaryLocation, overrides: Partial<BuildRecord> = {}): string {
  mkdirSync(location.dir, { recursive: true });
  writeFileSync(location.path, "#!/bin/sh\necho fake\n");
  chmodSync(location.path, 0o755);
  const record: BuildRecord = {
    module: build.module,
    moduleVersion: build.moduleVersion,
    moduleSum: "h1:x",
    version: build.version,
    goVersion: "go1.26",
    sha256: sha256File(location.path),
    binaryBytes: 20,
    builtAt: "2026-01-01T00:00:00Z",
    wallSeconds: 1,
    maxRssKiB: 1,
    userSeconds: 1,
    systemSeconds: 1,
    command: "go build",
    ...overrides,
  };
  mkdirSync(dirname(location.recordPath), { recursive: true });
  writeFileSync(location.recordPath, JSON.stringify(record));
  return location.path;
}

function fakeSlimBuild(root: string, services: readonly string[] = readSlimServices().services): void {
  fakeBuild(SLIM_AWS_PROVIDER, slimProviderLocation(root), { services });
  const opentofuHost = slimProviderLocation(root, "registry.opentofu.org");
  mkdirSync(opentofuHost.dir, { recursive: true });
  writeFileSync(opentofuHost.path, "");
}

describe("cache locations", () => {
  it("live under XDG_CACHE_HOME (or ~/.cache) /sentinel", () => {
    expect(cacheRoot({ XDG_CACHE_HOME: "/c" })).toBe("/c/sentinel");
    expect(cacheRoot({ SENTINEL_CACHE_DIR: "/s", XDG_CACHE_HOME: "/c" })).toBe("/s");
    expect(opentofuLocation("/c/sentinel").path).toMatch(/^\/c\/sentinel\/terraform-cli\/opentofu\/1\.10\.6\/linux_\w+\/tofu$/);
  });

  it("file the slim build in the unpacked filesystem mirror layout, its build record outside the package directory", () => {
    const location = slimProviderLocation("/c/sentinel");
    expect(location.path).toMatch(
      /^\/c\/sentinel\/terraform-mirror\/registry\.terraform\.io\/hashicorp\/aws\/6\.48\.0-slim\.5f2286d6d836\/linux_(amd64|arm64)\/terraform-provider-aws_v6\.48\.0-slim\.5f2286d6d836$/,
    );
    expect(location.recordPath.startsWith(slimMirrorRoot("/c/sentinel"))).toBe(false);
    expect(slimProviderLocation("/c/sentinel", "registry.opentofu.org").dir).toContain(
      "/terraform-mirror/registry.opentofu.org/hashicorp/aws/",
    );
  });

  it("never point into the repository", () => {
    expect(slimProviderLocation().path.startsWith(process.cwd())).toBe(false);
  });
});

describe("checkCachedBinary", () => {
  it("accepts a binary whose record names the declared module version and label and whose bytes match", () => {
    const location = opentofuLocation(scratch());
    fakeBuild(OPENTOFU, location);
    expect(checkCachedBinary(OPENTOFU, location)).toBeNull();
  });

  it("reports a missing binary, a record from another module version or label, and changed bytes", () => {
    const location = opentofuLocation(scratch());
    expect(checkCachedBinary(OPENTOFU, location)).toMatch(/is not built/);
    fakeBuild(OPENTOFU, location, { moduleVersion: "v1.9.0" });
    expect(checkCachedBinary(OPENTOFU, location)).toMatch(/built from v1\.9\.0, not the declared/);
    fakeBuild(OPENTOFU, location, { version: "1.9.0" });
    expect(checkCachedBinary(OPENTOFU, location)).toMatch(/labelled 1\.9\.0/);
    fakeBuild(OPENTOFU, location);
    writeFileSync(location.path, "truncated");
    expect(checkCachedBinary(OPENTOFU, location)).toMatch(/does not match the sha256/);
  });
});

describe("checkSlimBuild", () => {
  it("accepts the slim build only when it was built for the committed service list and is filed for both registry hosts", () => {
    const root = scratch();
    expect(checkSlimBuild(root)).toMatch(/is not built/);
    fakeBuild(SLIM_AWS_PROVIDER, slimProviderLocation(root), { services: ["s3"] });
    expect(checkSlimBuild(root)).toMatch(/was built with services s3, but aws-provider-services\.json lists/);
    fakeBuild(SLIM_AWS_PROVIDER, slimProviderLocation(root), { services: readSlimServices().services });
    expect(checkSlimBuild(root)).toMatch(/registry\.opentofu\.org.* is missing/);
    fakeSlimBuild(root);
    expect(checkSlimBuild(root)).toBeNull();
  });
});

describe("findTerraformCli", () => {
  it("prefers SENTINEL_TERRAFORM, then terraform on PATH, then tofu on PATH, then the cached OpenTofu build", () => {
    const bin = scratch();
    const cache = scratch();
    const empty = { PATH: scratch() };
    expect(findTerraformCli(empty, cache)).toBeNull();
    const cachedTofu = fakeBuild(OPENTOFU, opentofuLocation(cache));
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
  const isolated = (cache: string) => ({ PATH: scratch(), HOME: scratch(), SENTINEL_CACHE_DIR: cache, SENTINEL_TERRAFORM_REGISTRY: "off" });

  it("lists every missing piece, one line each, with the three provider paths", () => {
    const result = locateToolchain(isolated(scratch()));
    expect(result).toEqual({
      missing: [
        expect.stringMatching(/no terraform or tofu/),
        expect.stringMatching(/hashicorp\/aws cannot be installed: 1\. .*; 2\. .*; 3\. slim offline build: .* is not built/),
      ],
    });
  });

  it("returns the CLI and the slim build's mirror once both are built", () => {
    const cache = scratch();
    fakeBuild(OPENTOFU, opentofuLocation(cache));
    fakeSlimBuild(cache);
    const result = locateToolchain(isolated(cache));
    if ("missing" in result) throw new Error(result.missing.join("; "));
    expect(result.host).toBe("registry.opentofu.org");
    expect(result.provider).toMatchObject({ path: "slim-build", version: SLIM_AWS_PROVIDER.version, dir: slimMirrorRoot(cache) });
  });
});

describe("the slim build's version label", () => {
  it("is a semver prerelease naming the commit, never the pinned 6.25.0, and is what the binary is stamped and filed with", () => {
    expect(AWS_PROVIDER.pinnedVersion).toBe("6.25.0");
    expect(SLIM_AWS_PROVIDER.version).not.toBe(AWS_PROVIDER.pinnedVersion);
    // semver.org's grammar, prerelease identifiers without leading zeros
    expect(SLIM_AWS_PROVIDER.version).toMatch(
      /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)$/,
    );
    expect(SLIM_AWS_PROVIDER.version).toContain(SLIM_AWS_PROVIDER.commit);
    expect(SLIM_AWS_PROVIDER.moduleVersion.endsWith(SLIM_AWS_PROVIDER.commit)).toBe(true);
    expect(SLIM_AWS_PROVIDER.versionStamp).toBe(
      `github.com/hashicorp/terraform-provider-aws/version.ProviderVersion=${SLIM_AWS_PROVIDER.version}`,
    );
    expect(SLIM_AWS_PROVIDER.binaryName).toBe(`terraform-provider-aws_v${SLIM_AWS_PROVIDER.version}`);
  });
});

describe("renderCliConfig", () => {
  it("installs hashicorp/aws from the mirror and everything else directly, with no development override", () => {
    const config = renderCliConfig("registry.terraform.io", {
      path: "slim-build",
      version: SLIM_AWS_PROVIDER.version,
      dir: "/cache/terraform-mirror",
      description: "",
    });
    expect(config).toContain(
      [
        "provider_installation {",
        "  filesystem_mirror {",
        '    path    = "/cache/terraform-mirror"',
        '    include = ["registry.terraform.io/hashicorp/aws"]',
        "  }",
        "  direct {",
        '    exclude = ["registry.terraform.io/hashicorp/aws"]',
        "  }",
        "}",
      ].join("\n"),
    );
    expect(config).not.toContain("dev_overrides");
    for (const host of REGISTRY_HOSTS) {
      expect(renderCliConfig(host, { path: "local-release", version: "6.25.0", dir: "/m", description: "" })).toContain(
        `include = ["${host}/hashicorp/aws"]`,
      );
    }
  });

  it("goes to the registry through the project's plugin cache on the registry path", () => {
    const config = renderCliConfig("registry.terraform.io", {
      path: "registry",
      version: "6.25.0",
      dir: "/cache/plugins",
      description: "",
    });
    expect(config).toContain('plugin_cache_dir = "/cache/plugins"\nprovider_installation {\n  direct {}\n}');
  });
});

describe("Go build helpers", () => {
  it("read Go versions and go.mod directives", () => {
    expect(parseGoVersion("go version go1.26.8 linux/amd64")).toEqual([1, 26, 8]);
    expect(parseGoVersion("go1.24")).toEqual([1, 24, 0]);
    expect(goDirective("module x\n\ngo 1.26.3\n\nrequire y v1\n")).toEqual([1, 26, 3]);
    expect(() => goDirective("module x\n")).toThrow(/no go directive/);
  });

  it("read wall time, peak RSS and CPU time from GNU time -v, in h:mm:ss and m:ss forms", () => {
    const report = (wall: string) =>
      `\tUser time (seconds): 812.40\n\tSystem time (seconds): 95.10\n\tElapsed (wall clock) time (h:mm:ss or m:ss): ${wall}\n\tMaximum resident set size (kbytes): 3145728\n`;
    expect(parseGnuTime(report("1:02:03.50"))).toEqual({
      wallSeconds: 3723.5,
      maxRssKiB: 3145728,
      userSeconds: 812.4,
      systemSeconds: 95.1,
    });
    expect(parseGnuTime(report("12:34.25")).wallSeconds).toBe(754.25);
    expect(() => parseGnuTime("real 1.0")).toThrow(/not a GNU time/);
  });
});
