/**
 * Which terraform-provider-aws service package registers which resource and data source type, read from the
 * provider's own generated code, and which service packages a set of synthesized stacks needs at run time.
 *
 * Everything here reads Go source as text (no Go toolchain): the generated files have a fixed shape, and every
 * reader fails loudly when that shape is not found rather than returning a short list.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type TypeKind = "resource" | "data";

/** Registration functions of internal/service/<pkg>/service_package_gen.go, by the kind of type they register. */
const REGISTRATION_KINDS: Readonly<Record<string, TypeKind>> = {
  SDKResources: "resource",
  FrameworkResources: "resource",
  SDKDataSources: "data",
  FrameworkDataSources: "data",
};

/** Type name -> service package (the directory name under internal/service), per kind. */
export interface ServiceRegistry {
  readonly resource: ReadonlyMap<string, string>;
  readonly data: ReadonlyMap<string, string>;
}

/**
 * The resource and data source type names one service_package_gen.go registers. List resources, ephemeral resources
 * and actions are registered by other functions and cannot appear under `resource` or `data` in a configuration.
 */
export function parseServicePackage(source: string): Record<TypeKind, string[]> {
  const found: Record<TypeKind, string[]> = { resource: [], data: [] };
  for (const body of source.split(/^func /m).slice(1)) {
    const name = /^\(p \*servicePackage\) (\w+)\(/.exec(body)?.[1];
    const kind = name === undefined ? undefined : REGISTRATION_KINDS[name];
    if (kind === undefined) continue;
    for (const match of body.matchAll(/TypeName:\s*"(aws_\w+)"/g)) found[kind].push(match[1]!);
  }
  return found;
}

export function serviceRoot(providerDir: string): string {
  return join(providerDir, "internal", "service");
}

export function readServiceRegistry(providerDir: string): ServiceRegistry {
  const root = serviceRoot(providerDir);
  const registry = { resource: new Map<string, string>(), data: new Map<string, string>() };
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const file = join(root, entry.name, "service_package_gen.go");
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const types = parseServicePackage(readFileSync(file, "utf8"));
    for (const kind of ["resource", "data"] as const) {
      for (const type of types[kind]) {
        const other = registry[kind].get(type);
        if (other !== undefined && other !== entry.name)
          throw new Error(`${kind} ${type} is registered by both ${other} and ${entry.name}`);
        registry[kind].set(type, entry.name);
      }
    }
  }
  if (registry.resource.size === 0) throw new Error(`no service packages under ${root}: not a terraform-provider-aws source tree`);
  return registry;
}

export interface StackTypes {
  readonly resource: ReadonlySet<string>;
  readonly data: ReadonlySet<string>;
}

/** The resource and data source types of synthesized Terraform JSON configurations: the keys of `resource` and `data`. */
export function stackTypes(configs: Iterable<Record<string, unknown>>): StackTypes {
  const resource = new Set<string>();
  const data = new Set<string>();
  for (const config of configs) {
    for (const type of Object.keys((config.resource ?? {}) as object)) resource.add(type);
    for (const type of Object.keys((config.data ?? {}) as object)) data.add(type);
  }
  return { resource, data };
}

/** The service packages that register the stacks' AWS types; an error naming every type that no package registers. */
export function registeringPackages(types: StackTypes, registry: ServiceRegistry): string[] {
  const packages = new Set<string>();
  const unknown: string[] = [];
  for (const kind of ["resource", "data"] as const) {
    for (const type of types[kind]) {
      if (!type.startsWith("aws_")) continue; // another provider's type
      const pkg = registry[kind].get(type);
      if (pkg === undefined) unknown.push(`${kind} ${type}`);
      else packages.add(pkg);
    }
  }
  if (unknown.length > 0) throw new Error(`the provider source registers no ${unknown.join(", ")}`);
  return [...packages].sort();
}

/**
 * `AWSClient.<Name>Client(ctx)` accessor -> the service package that creates that API client. Provider code reaches
 * another service's client through these accessors, which look the client factory up among the registered service
 * packages at run time and panic (errs.Must) when that package is not registered: aws_s3_bucket, for one, reads and
 * writes its tags through the S3 Control client.
 */
export function readClientAccessors(providerDir: string): ReadonlyMap<string, string> {
  const constants = new Map<string, string>();
  for (const match of readFileSync(join(providerDir, "names", "consts_gen.go"), "utf8").matchAll(/^\t(\w+)\s*=\s*"(\w+)"$/gm)) {
    constants.set(match[1]!, match[2]!);
  }
  const accessors = new Map<string, string>();
  const source = readFileSync(join(providerDir, "internal", "conns", "awsclient_gen.go"), "utf8");
  for (const match of source.matchAll(
    /func \(c \*AWSClient\) (\w+Client)\(ctx context\.Context\)[^{]*\{\s*return errs\.Must\(client\[[^\]]+\]\(ctx, c, names\.(\w+),/g,
  )) {
    const pkg = constants.get(match[2]!);
    if (pkg === undefined)
      throw new Error(`awsclient_gen.go: ${match[1]} uses names.${match[2]}, which names/consts_gen.go does not define`);
    accessors.set(match[1]!, pkg);
  }
  if (accessors.size === 0) throw new Error("no client accessors in internal/conns/awsclient_gen.go: its format changed");
  return accessors;
}

/**
 * The Go files of one package that go into the provider binary (tests never do). Sweepers (sweep.go) are compiled
 * in but run only under the provider's own acceptance-test tooling: `withSweepers` says whether to count them.
 */
export function providerGoFiles(dir: string, withSweepers: boolean): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".go") && !file.endsWith("_test.go") && (withSweepers || file !== "sweep.go"))
    .map((file) => join(dir, file));
}

/** Service packages whose API clients one package's provider code asks for. */
export function clientDependencies(providerDir: string, pkg: string, accessors: ReadonlyMap<string, string>): Set<string> {
  const used = new Set<string>();
  for (const file of providerGoFiles(join(serviceRoot(providerDir), pkg), false)) {
    for (const match of readFileSync(file, "utf8").matchAll(/\.(\w+Client)\(ctx\)/g)) {
      const other = accessors.get(match[1]!);
      if (other !== undefined && other !== pkg) used.add(other);
    }
  }
  return used;
}

/** `packages` plus every service package whose client they ask for, transitively. */
export function withClientDependencies(providerDir: string, packages: readonly string[]): string[] {
  const accessors = readClientAccessors(providerDir);
  const closed = new Set(packages);
  const pending = [...packages];
  while (pending.length > 0) {
    for (const other of clientDependencies(providerDir, pending.pop()!, accessors)) {
      if (closed.has(other)) continue;
      closed.add(other);
      pending.push(other);
    }
  }
  return [...closed].sort();
}
