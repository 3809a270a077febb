import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  clientDependencies,
  parseServicePackage,
  readClientAccessors,
  readServiceRegistry,
  registeringPackages,
  stackTypes,
  withClientDependencies,
} from "../../../tools/terraform/provider-services";
import { fakeProviderSource } from "./fixtures/fake-provider-source";

const provider = fakeProviderSource();

describe("reading the provider's generated service packages", () => {
  it("takes resource and data source types from their registration functions only (not list resources)", () => {
    const source = readFileSync(join(provider, "internal/service/queue/service_package_gen.go"), "utf8");
    expect(parseServicePackage(source)).toEqual({ resource: ["aws_queue"], data: ["aws_queues"] });
  });

  it("maps every type to the package that registers it, per kind", () => {
    const registry = readServiceRegistry(provider);
    expect(Object.fromEntries(registry.resource)).toEqual({
      aws_audit_trail: "audit",
      aws_network_vpc: "network",
      aws_queue: "queue",
      aws_storage_bucket: "storage",
      aws_tagging_rule: "tagging",
    });
    expect(Object.fromEntries(registry.data)).toEqual({ aws_queues: "queue", aws_storage_bucket: "storage" });
  });

  it("refuses a directory that is not a provider source tree", () => {
    expect(() => readServiceRegistry(join(provider, "internal", "conns"))).toThrow();
  });
});

describe("the service packages a set of stacks needs", () => {
  const configs = [
    { resource: { aws_storage_bucket: { a: {} } }, data: { aws_queues: { q: {} } } },
    { resource: { aws_network_vpc: { v: {} }, random_id: { r: {} } } },
  ];

  it("collects the keys of resource and data from every configuration", () => {
    const types = stackTypes(configs);
    expect([...types.resource].sort()).toEqual(["aws_network_vpc", "aws_storage_bucket", "random_id"]);
    expect([...types.data]).toEqual(["aws_queues"]);
  });

  it("are the registering packages, other providers' types ignored", () => {
    expect(registeringPackages(stackTypes(configs), readServiceRegistry(provider))).toEqual(["network", "queue", "storage"]);
  });

  it("names every type the provider does not register", () => {
    const types = stackTypes([{ resource: { aws_dynamodb_table: {} }, data: { aws_region: {}, aws_queues: {} } }]);
    expect(() => registeringPackages(types, readServiceRegistry(provider))).toThrow(
      "the provider source registers no resource aws_dynamodb_table, data aws_region",
    );
  });

  it("add the packages whose API clients they ask for at run time, transitively, but not for sweepers or tests", () => {
    const accessors = readClientAccessors(provider);
    expect(accessors.get("TaggingClient")).toBe("tagging");
    expect([...clientDependencies(provider, "storage", accessors)]).toEqual(["tagging"]);
    expect([...clientDependencies(provider, "network", accessors)]).toEqual([]);
    expect(withClientDependencies(provider, ["network", "storage"])).toEqual(["network", "storage", "tagging"]);
  });
});
