/**
 * A writable copy of the terraform-provider-aws module source that builds a provider with only the given service
 * packages. Two generated files decide what the build compiles:
 *
 *  - internal/provider/sdkv2/service_packages_gen.go imports and registers every service package (265). It is the
 *    only file that imports them, so listing fewer there drops the rest, and whatever only they import, from the build.
 *  - internal/conns/awsclient_gen.go holds one API client accessor per service and so imports the AWS SDK client
 *    package of every service (264; the EC2 client alone is a large compile). Only the accessors that compiled code
 *    calls are kept.
 *
 * Both rewrites only delete lines of the generated files; if either file's shape changes, they fail instead.
 */
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { providerGoFiles, serviceRoot } from "./provider-services";

export const REGISTRATION_FILE = join("internal", "provider", "sdkv2", "service_packages_gen.go");
export const CLIENT_ACCESSOR_FILE = join("internal", "conns", "awsclient_gen.go");

const SLIMMED_NOTE = "// Slimmed by Sentinel's tools/terraform/slim-source.ts: only the service packages its stacks need.\n";
const SERVICE_IMPORT_LINE = /^\t"github\.com\/hashicorp\/terraform-provider-aws\/internal\/service\/(\w+)"$/;
const REGISTRATION_LINE = /^\t\t(\w+)\.ServicePackage\(ctx\),$/;

/** service_packages_gen.go importing and registering only `services`; fails naming any service it does not list. */
export function slimRegistration(source: string, services: readonly string[]): string {
  const wanted = new Set(services);
  const imported = new Set<string>();
  const registered = new Set<string>();
  const kept = source.split("\n").filter((line) => {
    const imports = SERVICE_IMPORT_LINE.exec(line)?.[1];
    if (imports !== undefined) {
      imported.add(imports);
      return wanted.has(imports);
    }
    const registers = REGISTRATION_LINE.exec(line)?.[1];
    if (registers !== undefined) {
      registered.add(registers);
      return wanted.has(registers);
    }
    return true;
  });
  if (imported.size === 0 || imported.size !== registered.size) {
    throw new Error(`${REGISTRATION_FILE} imports ${imported.size} service packages and registers ${registered.size}: its format changed`);
  }
  const missing = services.filter((service) => !imported.has(service) || !registered.has(service));
  if (missing.length > 0) throw new Error(`${REGISTRATION_FILE} does not register: ${missing.join(", ")}`);
  return SLIMMED_NOTE + kept.join("\n");
}

const ACCESSOR_CALL = /\.(\w+Client)\(ctx\)/g;
const SERVICE_IMPORT = /"github\.com\/hashicorp\/terraform-provider-aws\/internal\/service\/(\w+)"/g;

/** Service packages the build compiles: the registered ones and every service package they import, transitively. */
export function compiledServicePackages(providerDir: string, registered: readonly string[]): string[] {
  const compiled = new Set(registered);
  const pending = [...registered];
  while (pending.length > 0) {
    for (const file of providerGoFiles(join(serviceRoot(providerDir), pending.pop()!), true)) {
      for (const match of readFileSync(file, "utf8").matchAll(SERVICE_IMPORT)) {
        if (compiled.has(match[1]!)) continue;
        compiled.add(match[1]!);
        pending.push(match[1]!);
      }
    }
  }
  return [...compiled].sort();
}

/**
 * Accessor names called anywhere in compiled code: the compiled service packages (sweepers included: they are
 * compiled) and the hand-written part of internal/conns. The provider's other internal packages call none
 * (checked against 5f2286d6d836); if one ever did, the build would fail to compile rather than misbehave.
 */
export function calledAccessors(providerDir: string, registered: readonly string[]): Set<string> {
  const files = [
    ...compiledServicePackages(providerDir, registered).flatMap((pkg) => providerGoFiles(join(serviceRoot(providerDir), pkg), true)),
    ...providerGoFiles(join(providerDir, "internal", "conns"), true).filter((file) => !file.endsWith("awsclient_gen.go")),
  ];
  const called = new Set<string>();
  for (const file of files) for (const match of readFileSync(file, "utf8").matchAll(ACCESSOR_CALL)) called.add(match[1]!);
  return called;
}

const ACCESSOR_BLOCK = /^func \(c \*AWSClient\) (\w+Client)\(ctx context\.Context\) \*\w+\.Client \{\n[^\n]*\n\}\n\n?/gm;
const SDK_IMPORT_LINE = /^\t"github\.com\/aws\/aws-sdk-go-v2\/service\/(\w+)"\n/gm;

/** awsclient_gen.go with only the `keep` accessors and the SDK client imports they still use. */
export function slimClientAccessors(source: string, keep: ReadonlySet<string>): string {
  let accessors = 0;
  const withoutAccessors = source.replace(ACCESSOR_BLOCK, (block, name: string) => {
    accessors++;
    return keep.has(name) ? block : "";
  });
  if (accessors === 0) throw new Error(`${CLIENT_ACCESSOR_FILE} has no accessors in the expected form: its format changed`);
  const body = withoutAccessors.slice(withoutAccessors.indexOf("\n)\n"));
  const slimmed = withoutAccessors.replace(SDK_IMPORT_LINE, (line, pkg: string) => (new RegExp(`\\b${pkg}\\.`).test(body) ? line : ""));
  return `${SLIMMED_NOTE}${slimmed.trimEnd()}\n`;
}

function makeWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(path);
    else chmodSync(path, statSync(path).mode | 0o200);
  }
}

/** Copies the (read-only) module cache directory to `workDir` and slims both generated files to `services`. */
export function prepareSlimSource(moduleDir: string, workDir: string, services: readonly string[]): void {
  rmSync(workDir, { recursive: true, force: true });
  cpSync(moduleDir, workDir, { recursive: true });
  makeWritable(workDir);
  const registration = join(workDir, REGISTRATION_FILE);
  writeFileSync(registration, slimRegistration(readFileSync(registration, "utf8"), services));
  const accessors = join(workDir, CLIENT_ACCESSOR_FILE);
  writeFileSync(accessors, slimClientAccessors(readFileSync(accessors, "utf8"), calledAccessors(workDir, services)));
}
