import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CLIENT_ACCESSOR_FILE,
  REGISTRATION_FILE,
  calledAccessors,
  compiledServicePackages,
  prepareSlimSource,
  slimClientAccessors,
  slimRegistration,
} from "../../../tools/terraform/slim-source";
import { FAKE_SERVICES, clientAccessorGen, fakeProviderSource, registrationGen } from "./fixtures/fake-provider-source";

const provider = fakeProviderSource();

describe("slimRegistration", () => {
  it("imports and registers only the given services and keeps the rest of the file", () => {
    const slim = slimRegistration(registrationGen(FAKE_SERVICES), ["network", "storage"]);
    expect(slim).toContain('internal/service/network"');
    expect(slim).toContain("\t\tstorage.ServicePackage(ctx),");
    expect(slim).not.toMatch(/audit|queue|tagging/);
    expect(slim).toContain("\treturn slices.Clone(v)");
    expect(slim.startsWith("// Slimmed by Sentinel")).toBe(true);
  });

  it("fails naming a service the file does not register, and when the file's shape is not the expected one", () => {
    expect(() => slimRegistration(registrationGen(FAKE_SERVICES), ["storage", "dynamodb"])).toThrow(/does not register: dynamodb/);
    expect(() => slimRegistration("package sdkv2\n", ["storage"])).toThrow(/format changed/);
  });
});

describe("slimClientAccessors", () => {
  it("keeps only the named accessors and the SDK imports they use", () => {
    const slim = slimClientAccessors(clientAccessorGen(FAKE_SERVICES), new Set(["StorageClient", "AuditClient"]));
    expect(slim.match(/^func /gm)).toHaveLength(2);
    expect(slim).toContain("func (c *AWSClient) AuditClient(ctx context.Context) *audit.Client {");
    expect(slim).toContain('\t"github.com/aws/aws-sdk-go-v2/service/storage"\n');
    expect(slim).not.toMatch(/service\/(network|queue|tagging)"/);
    expect(slim).toContain('"github.com/hashicorp/terraform-provider-aws/names"');
    expect(slim.endsWith("}\n")).toBe(true);
  });

  it("fails when the file holds no accessor in the expected shape", () => {
    expect(() => slimClientAccessors("package conns\n", new Set(["StorageClient"]))).toThrow(/format changed/);
  });
});

describe("what the slimmed build compiles", () => {
  it("includes service packages imported by registered ones", () => {
    expect(compiledServicePackages(provider, ["network", "storage"])).toEqual(["audit", "network", "storage", "tagging"]);
  });

  it("keeps accessors that compiled code calls, sweepers and conns included, tests not", () => {
    expect([...calledAccessors(provider, ["network", "storage"])].sort()).toEqual(["AuditClient", "StorageClient", "TaggingClient"]);
  });

  it("prepares a writable copy with both generated files slimmed and the module cache untouched", () => {
    const work = join(provider, "..", `${provider.split("/").pop()}-slim`);
    prepareSlimSource(provider, work, ["network", "storage"]);
    expect(readFileSync(join(work, REGISTRATION_FILE), "utf8")).not.toContain("queue");
    expect(readFileSync(join(work, CLIENT_ACCESSOR_FILE), "utf8")).not.toContain("QueueClient");
    expect(readFileSync(join(provider, REGISTRATION_FILE), "utf8")).toContain("queue.ServicePackage(ctx)");
  });
});
