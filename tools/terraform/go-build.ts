/**
 * Builds one binary from a Go module served by the Go module proxy, niced, measured with GNU time, and moves it into
 * its cache directory only once it is complete (with a build record holding its sha256 and the measurements).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BUILD_RECORD_FILE, sha256File, type BinaryLocation, type BuildRecord, type GoModuleBuild } from "./toolchain";

export interface GoBuildOptions {
  /** `go build -p`: packages compiled at once. */
  readonly jobs: number;
  /** `nice -n`: the build yields the CPU to everything else on a shared machine. */
  readonly niceness: number;
}

interface DownloadedModule {
  readonly Dir: string;
  readonly GoMod: string;
  readonly Sum: string;
  readonly Error?: string;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(missing ? `${command} is not on PATH: building from Go modules needs a Go toolchain (https://go.dev/dl/)` : `${command} could not be started: ${result.error.message}`);
  }
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status}):\n${result.stderr}${result.stdout}`);
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
}

/** Reads `/usr/bin/time -v` output: "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03.45", "Maximum resident set size (kbytes): N". */
export function parseGnuTime(report: string): GnuTimeReport {
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(report);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
  if (!wall || !rss) throw new Error(`not a GNU time -v report:\n${report}`);
  const wallSeconds = wall[1]!.split(":").reduce((total, part) => total * 60 + Number(part), 0);
  return { wallSeconds, maxRssKiB: Number(rss[1]) };
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

export function buildGoModule(build: GoModuleBuild, location: BinaryLocation, options: GoBuildOptions): BuildRecord {
  const env = goBuildEnv();
  const goVersionText = run("go", ["version"], env).trim();
  const target = `${build.module}@${build.moduleVersion}`;
  const downloadResult = spawnSync("go", ["mod", "download", "-json", target], { encoding: "utf8", env });
  if (downloadResult.error) throw new Error(`go could not be started: ${downloadResult.error.message}`);
  const downloaded = JSON.parse(downloadResult.stdout) as DownloadedModule;
  if (downloaded.Error) throw new Error(`the Go module proxy did not serve ${target}: ${downloaded.Error}`);
  const needed = goDirective(readFileSync(downloaded.GoMod, "utf8"));
  if (!atLeast(parseGoVersion(goVersionText), needed)) {
    throw new Error(`${target} needs Go ${needed.join(".")} or newer; found ${goVersionText}`);
  }

  const staging = `${location.dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const output = join(staging, build.binaryName);
  const timeReport = join(staging, "time-v.txt");
  // `go build -C <module dir>` rather than `go install module@version`: go install refuses modules whose go.mod has
  // replace directives (OpenTofu's does), while building inside the downloaded module honours them.
  const goArgs = [
    "build", "-C", downloaded.Dir, "-p", String(options.jobs),
    "-ldflags", `-s -w -X ${build.versionStamp}`, "-o", output, build.mainPackage,
  ];
  const niced = ["nice", "-n", String(options.niceness), "go", ...goArgs];
  const measured = hasGnuTime();
  const [command, ...args] = measured ? ["/usr/bin/time", "-v", "-o", timeReport, ...niced] : niced;
  console.log(`[tf:build] ${target}: ${[command, ...args].join(" ")}`);
  const started = process.hrtime.bigint();
  const result = spawnSync(command!, args, { stdio: "inherit", env });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0 || !existsSync(output)) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`building ${target} failed (exit ${result.status ?? result.signal})`);
  }

  const record: BuildRecord = {
    module: build.module,
    moduleVersion: build.moduleVersion,
    moduleSum: downloaded.Sum,
    version: build.version,
    goVersion: goVersionText,
    sha256: sha256File(output),
    builtAt: new Date().toISOString(),
    wallSeconds: Math.round(wallSeconds),
    maxRssKiB: measured ? parseGnuTime(readFileSync(timeReport, "utf8")).maxRssKiB : null,
    command: ["go", ...goArgs.map((arg) => (arg === downloaded.Dir ? `<${target}>` : arg === output ? build.binaryName : arg))].join(" "),
  };
  writeFileSync(join(staging, BUILD_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  rmSync(location.dir, { recursive: true, force: true });
  mkdirSync(dirname(location.dir), { recursive: true });
  renameSync(staging, location.dir);
  return record;
}
