/**
 * Building binaries from Go modules served by the Go module proxy: the module download, the toolchain check, and a
 * niced `go build` measured with GNU time. `buildGoModule` builds a module as published (OpenTofu); the slim provider
 * build (slim-build.ts) builds a rewritten copy of its module with the same measured step.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { recordPathIn, sha256File, type BinaryLocation, type BuildRecord, type GoModuleBuild } from "./build-record";

export interface GoBuildOptions {
  /** `go build -p`: packages compiled at once. */
  readonly jobs: number;
  /** `nice -n`: the build yields the CPU to everything else on a shared machine. */
  readonly niceness: number;
}

export interface DownloadedModule {
  readonly Dir: string;
  readonly GoMod: string;
  readonly Sum: string;
  readonly Error?: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(command, args, { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? `${command} is not on PATH: building from Go modules needs a Go toolchain (https://go.dev/dl/)`
        : `${command} could not be started: ${result.error.message}`,
    );
  }
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status}):\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** "go version go1.26.8 linux/amd64" -> [1, 26, 8] */
export function parseGoVersion(text: string): readonly number[] {
  const match = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) throw new Error(`cannot read a Go version from: ${text.trim()}`);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** The `go` directive of a go.mod file: the oldest toolchain that may build the module. */
export function goDirective(goMod: string): readonly number[] {
  const match = /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod);
  if (!match) throw new Error("go.mod has no go directive");
  return parseGoVersion(`go${match[1]}`);
}

function atLeast(have: readonly number[], need: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) !== (need[i] ?? 0)) return (have[i] ?? 0) > (need[i] ?? 0);
  }
  return true;
}

export interface GnuTimeReport {
  readonly wallSeconds: number;
  readonly maxRssKiB: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
}

/** Reads `/usr/bin/time -v` output: "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03.45", "Maximum resident set size (kbytes): N", user and system time. */
export function parseGnuTime(report: string): GnuTimeReport {
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(report);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
  const user = /User time \(seconds\): ([\d.]+)/.exec(report);
  const system = /System time \(seconds\): ([\d.]+)/.exec(report);
  if (!wall || !rss || !user || !system) throw new Error(`not a GNU time -v report:\n${report}`);
  const wallSeconds = wall[1]!.split(":").reduce((total, part) => total * 60 + Number(part), 0);
  return { wallSeconds, maxRssKiB: Number(rss[1]), userSeconds: Number(user[1]), systemSeconds: Number(system[1]) };
}

function hasGnuTime(): boolean {
  const result = spawnSync("/usr/bin/time", ["--version"], { encoding: "utf8" });
  return result.status === 0 && /GNU/.test(`${result.stdout}${result.stderr}`);
}

export function goBuildEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    // Reproducible, path-free binaries; the installed toolchain rather than a downloaded one; no C toolchain needed.
    GOFLAGS: "-trimpath -buildvcs=false -mod=readonly",
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
  };
}

/** `go version` of the toolchain the build uses. */
export function goVersion(env: NodeJS.ProcessEnv): string {
  return run("go", ["version"], env).trim();
}

/** Downloads module@version through the Go module proxy (or finds it in the module cache) and checks the toolchain is new enough for it. */
export function downloadModule(module: string, version: string, env: NodeJS.ProcessEnv): DownloadedModule {
  const target = `${module}@${version}`;
  const result = spawnSync("go", ["mod", "download", "-json", target], { encoding: "utf8", env });
  if (result.error) throw new Error(`go could not be started: ${result.error.message}`);
  const downloaded = JSON.parse(result.stdout) as DownloadedModule;
  if (downloaded.Error) throw new Error(`the Go module proxy did not serve ${target}: ${downloaded.Error}`);
  const needed = goDirective(readFileSync(downloaded.GoMod, "utf8"));
  const have = goVersion(env);
  if (!atLeast(parseGoVersion(have), needed)) throw new Error(`${target} needs Go ${needed.join(".")} or newer; found ${have}`);
  return downloaded;
}

export interface GoBuildStep {
  /** Directory of the main module to build in. */
  readonly dir: string;
  readonly mainPackage: string;
  readonly versionStamp: string;
  readonly output: string;
  /** How the source directory is shown in the recorded command (it is a temporary or cache path). */
  readonly dirLabel: string;
}

export interface MeasuredBuild {
  readonly wallSeconds: number;
  readonly report: GnuTimeReport | null;
  readonly command: string;
}

/**
 * `nice -n <niceness> go build -C <dir> -p <jobs> -ldflags "-s -w -X <stamp>" -o <output> <main>` under GNU time.
 * `go build -C <dir>` rather than `go install module@version`: go install refuses modules whose go.mod has replace
 * directives (OpenTofu's does), while building inside the module directory honours them. -s -w leave out the symbol
 * table and DWARF: smaller binary, and a link step that holds less in memory.
 */
export function measuredGoBuild(step: GoBuildStep, options: GoBuildOptions, env: NodeJS.ProcessEnv): MeasuredBuild {
  const timeReport = `${step.output}.time-v.txt`;
  const goArgs = [
    "build",
    "-C",
    step.dir,
    "-p",
    String(options.jobs),
    "-ldflags",
    `-s -w -X ${step.versionStamp}`,
    "-o",
    step.output,
    step.mainPackage,
  ];
  const niced = ["nice", "-n", String(options.niceness), "go", ...goArgs];
  const measured = hasGnuTime();
  const [command, ...args] = measured ? ["/usr/bin/time", "-v", "-o", timeReport, ...niced] : niced;
  console.log(`[tf:build] ${[command, ...args].join(" ")}`);
  const started = process.hrtime.bigint();
  const result = spawnSync(command!, args, { stdio: "inherit", env });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0 || !existsSync(step.output))
    throw new Error(`go build in ${step.dirLabel} failed (exit ${result.status ?? result.signal})`);
  const report = measured ? parseGnuTime(readFileSync(timeReport, "utf8")) : null;
  rmSync(timeReport, { force: true });
  const shown = goArgs.map((arg) => (arg === step.dir ? step.dirLabel : arg === step.output ? "<output>" : arg));
  return { wallSeconds, report, command: ["go", ...shown].join(" ") };
}

export function buildRecordOf(
  build: GoModuleBuild,
  downloaded: DownloadedModule,
  goVersionText: string,
  binary: string,
  measured: MeasuredBuild,
  services?: readonly string[],
): BuildRecord {
  return {
    module: build.module,
    moduleVersion: build.moduleVersion,
    moduleSum: downloaded.Sum,
    version: build.version,
    goVersion: goVersionText,
    sha256: sha256File(binary),
    binaryBytes: statSync(binary).size,
    builtAt: new Date().toISOString(),
    wallSeconds: Math.round(measured.wallSeconds),
    maxRssKiB: measured.report?.maxRssKiB ?? null,
    userSeconds: measured.report?.userSeconds ?? null,
    systemSeconds: measured.report?.systemSeconds ?? null,
    command: measured.command,
    ...(services === undefined ? {} : { services }),
  };
}

/** Builds a module as published into its cache directory (binary and build record), moved into place only once complete. */
export function buildGoModule(build: GoModuleBuild, location: BinaryLocation, options: GoBuildOptions): BuildRecord {
  const env = goBuildEnv();
  const downloaded = downloadModule(build.module, build.moduleVersion, env);
  const staging = `${location.dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const output = join(staging, build.binaryName);
    const measured = measuredGoBuild(
      {
        dir: downloaded.Dir,
        mainPackage: build.mainPackage,
        versionStamp: build.versionStamp,
        output,
        dirLabel: `<${build.module}@${build.moduleVersion}>`,
      },
      options,
      env,
    );
    const record = buildRecordOf(build, downloaded, goVersion(env), output, measured);
    writeFileSync(recordPathIn(staging), `${JSON.stringify(record, null, 2)}\n`);
    rmSync(location.dir, { recursive: true, force: true });
    mkdirSync(dirname(location.dir), { recursive: true });
    renameSync(staging, location.dir);
    return record;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
