/**
 * The service packages of the slim offline provider build and the types they register, as committed in
 * aws-provider-services.json (written by `npm run tf:services`), and the check that every synthesized stack stays
 * inside them. The build reads the committed list, so what it compiles is reviewable and the same on every machine.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  readServiceRegistry,
  registeringPackages,
  stackTypes,
  withClientDependencies,
  type StackTypes,
  type TypeKind,
} from "./provider-services";

export const SLIM_SERVICES_FILE = join(import.meta.dirname, "aws-provider-services.json");

export interface SlimServices {
  readonly comment: string;
  /** Provider module version the list was derived from. */
  readonly moduleVersion: string;
  /** Packages registering a resource or data source type of some environment's cdk.tf.json. */
  readonly stackServices: readonly string[];
  /** What the build registers: stackServices plus every package whose API client they ask for (see provider-services.ts). */
  readonly services: readonly string[];
  /** Every type those packages register: what a stack may use without a new list and a rebuild. */
  readonly resourceTypes: readonly string[];
  readonly dataSourceTypes: readonly string[];
}

export function readSlimServices(file = SLIM_SERVICES_FILE): SlimServices {
  return JSON.parse(readFileSync(file, "utf8")) as SlimServices;
}

/** Derives the list from the provider source (a module directory) and synthesized configurations. */
export function deriveSlimServices(providerDir: string, moduleVersion: string, configs: Iterable<Record<string, unknown>>): SlimServices {
  const registry = readServiceRegistry(providerDir);
  const stackServices = registeringPackages(stackTypes(configs), registry);
  const services = withClientDependencies(providerDir, stackServices);
  const included = new Set(services);
  const typesOf = (kind: TypeKind) =>
    [...registry[kind]]
      .filter(([, pkg]) => included.has(pkg))
      .map(([type]) => type)
      .sort();
  return {
    comment: "Written by `npm run tf:services` (tools/terraform/services.ts) from every environment's cdk.tf.json; do not edit by hand.",
    moduleVersion,
    stackServices,
    services,
    resourceTypes: typesOf("resource"),
    dataSourceTypes: typesOf("data"),
  };
}

export function writeSlimServices(services: SlimServices, file = SLIM_SERVICES_FILE): void {
  writeFileSync(file, `${JSON.stringify(services, null, 2)}\n`);
}

/** One line per type a stack uses that the slim build does not register, naming the type, its kind and where it is used. */
export function typesOutsideSlimBuild(stacks: ReadonlyMap<string, StackTypes>, slim: SlimServices): string[] {
  const registered: Record<TypeKind, ReadonlySet<string>> = { resource: new Set(slim.resourceTypes), data: new Set(slim.dataSourceTypes) };
  const outside = new Map<string, string[]>();
  for (const [stack, types] of stacks) {
    for (const kind of ["resource", "data"] as const) {
      for (const type of types[kind]) {
        if (!type.startsWith("aws_") || registered[kind].has(type)) continue;
        const key = `${kind === "resource" ? "resource" : "data source"} ${type}`;
        outside.set(key, [...(outside.get(key) ?? []), stack]);
      }
    }
  }
  return [...outside]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([key, where]) =>
        `${key} (used by ${where.join(", ")}) is not in the slim provider build: run 'npm run tf:services', commit aws-provider-services.json, then 'npm run tf:build'`,
    );
}
