/**
 * Executes one Glue job run on local Spark, as Glue 5.0 would: the deployed entry script, the
 * deployed transformation package (--extra-py-files) and Java libraries (--extra-jars: the
 * tokenization jar) are fetched from the artifacts bucket, the script
 * runs with the run's effective arguments (job defaults overridden by the run's own), reading and
 * writing the emulator's S3 through s3:// URIs, and its driver log goes to the log group Glue would write it to.
 * Third-party Python packages come from the project's .venv (see glue-runtime-parameters.ts).
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { Job } from "@aws-sdk/client-glue";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, delimiter, join } from "node:path";
import { shipLogLines } from "../job-runs/log-shipping";
import type { JobRun } from "../job-runs/job-runs";
import { parseS3Uri } from "../../handlers/shared/s3-uri";
import { APPLIED_LOCALLY, driverLogGroup, s3UrisOf, scriptArguments } from "./glue-runtime-parameters";
import type { ComponentWatch } from "../watch/component-watch";
import type { AwsCredentials } from "../emulator/iam-enforcement";
import { pysparkSubmitArgs } from "./spark-s3";
import { caBundle, loopbackTls, trustStoreJavaOptions, type LoopbackTls } from "../emulator/loopback-tls";

export interface GlueRuntime {
  readonly projectRoot: string;
  /**
   * The emulator's TLS listener (Emulator.tlsEndpoint, not the service front): Spark and boto3 talk to S3 and KMS
   * directly, over TLS, trusting the emulator's certificate.
   */
  readonly emulatorEndpoint: string;
  /**
   * Where the job's S3 requests go (S3A and boto3's S3): for a job with a connection, the listener of the S3 gateway
   * endpoint of the connection's VPC (local/emulator/s3-gateway-endpoints.ts), so they carry aws:SourceVpce as the job's
   * requests from its VPC do on AWS.
   * @default emulatorEndpoint
   */
  readonly s3Endpoint?: string;
  readonly region: string;
  /** The driver's credentials: the job role's (from sts:AssumeRole) when IAM is enforced. */
  readonly credentials: AwsCredentials;
  /** Fetches the script and libraries (with the job role's credentials, as Glue does). */
  readonly s3: S3Client;
  readonly logs: CloudWatchLogsClient;
  /** Per-run working folder (script, libraries, driver log). */
  readonly workDir: string;
  /**
   * Watches the Spark driver: a driver killed by anyone but this run ends the local run at once.
   * @default none: a killed driver makes the run FAILED
   */
  readonly watch?: ComponentWatch;
}

export interface GlueRunOutcome {
  readonly state: "SUCCEEDED" | "FAILED" | "TIMEOUT";
  /** Glue's ErrorMessage: the exception that ended the script, e.g. "InputError: ...". */
  readonly errorMessage?: string;
  readonly driverLog: string;
}

async function download(s3: S3Client, uri: string, directory: string): Promise<string> {
  const { bucket, key } = parseS3Uri(uri);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const target = join(directory, basename(key));
  writeFileSync(target, await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  return target;
}

/** Only the named variables of this process's environment, and only those that are set. */
function inherited(names: readonly string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(names.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])));
}

/** The last line of a Python traceback names the exception: what Glue reports as the run's ErrorMessage. */
export function pythonErrorMessage(log: string): string | undefined {
  const lines = log
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = lines[i]!.match(/^(?:[\w.]+\.)?(\w*(?:Error|Exception|Exit)\w*):?\s*(.*)$/);
    if (match) return match[2] ? `${match[1]}: ${match[2]}` : match[1];
  }
  return undefined;
}

export async function executeGlueRun(
  run: Readonly<JobRun>,
  job: Job,
  effective: Readonly<Record<string, string>>,
  runtime: GlueRuntime,
): Promise<GlueRunOutcome> {
  const scriptLocation = job.Command?.ScriptLocation;
  if (scriptLocation === undefined) throw new Error(`Glue job ${job.Name} has no Command.ScriptLocation`);
  mkdirSync(join(runtime.workDir, "lib"), { recursive: true });
  const script = await download(runtime.s3, scriptLocation, runtime.workDir);
  const libraries: DeployedLibraries = { python: [], jars: [] };
  for (const uri of s3UrisOf(effective[APPLIED_LOCALLY.extraPyFiles]))
    libraries.python.push(await download(runtime.s3, uri, join(runtime.workDir, "lib")));
  for (const uri of s3UrisOf(effective[APPLIED_LOCALLY.extraJars]))
    libraries.jars.push(await download(runtime.s3, uri, join(runtime.workDir, "lib")));

  if (![runtime.emulatorEndpoint, runtime.s3Endpoint ?? runtime.emulatorEndpoint].every((url) => url.startsWith("https:"))) {
    // S3A refuses to send SSE-KMS parameters (every copy of a platform object carries them) over plain HTTP
    throw new Error(`the Glue driver reaches the emulator over TLS only (Emulator.tlsEndpoint), not ${runtime.emulatorEndpoint}`);
  }
  return runGlueScript(run, job, effective, runtime, script, libraries, loopbackTls());
}

/** The job's libraries, downloaded: Python (--extra-py-files) and Java (--extra-jars). */
interface DeployedLibraries {
  readonly python: string[];
  readonly jars: string[];
}

async function runGlueScript(
  run: Readonly<JobRun>,
  job: Job,
  effective: Readonly<Record<string, string>>,
  runtime: GlueRuntime,
  script: string,
  libraries: DeployedLibraries,
  tls: LoopbackTls,
): Promise<GlueRunOutcome> {
  const driverLog = join(runtime.workDir, "driver.log");
  const log = createWriteStream(driverLog);
  const s3Endpoint = runtime.s3Endpoint ?? runtime.emulatorEndpoint;
  const python = join(runtime.projectRoot, ".venv", "bin", "python");
  const env: NodeJS.ProcessEnv = {
    ...inherited(["PATH", "HOME", "JAVA_HOME", "TMPDIR"]),
    LANG: "C.UTF-8",
    // the deployed package first, as Glue puts --extra-py-files ahead of its own libraries
    PYTHONPATH: libraries.python.join(delimiter),
    PYSPARK_PYTHON: python,
    // S3A and boto3 over the emulator's TLS listener, trusting its certificate (the JDK trust store with it added, and
    // the CA bundle with it added): S3A refuses SSE-KMS copies over plain HTTP, and the buckets' policies refuse it
    PYSPARK_SUBMIT_ARGS: pysparkSubmitArgs(s3Endpoint, runtime.region, trustStoreJavaOptions(tls), libraries.jars),
    AWS_ENDPOINT_URL: runtime.emulatorEndpoint,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_CA_BUNDLE: caBundle(tls),
    AWS_ACCESS_KEY_ID: runtime.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: runtime.credentials.secretAccessKey,
    // S3A's EnvironmentVariableCredentialsProvider and boto3 both read a session token from here
    ...(runtime.credentials.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: runtime.credentials.sessionToken }),
    AWS_REGION: runtime.region,
    AWS_DEFAULT_REGION: runtime.region,
  };
  const timeoutMs = (job.Timeout ?? 2880) * 60_000;
  let timedOut = false;
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    // its own process group: the driver's JVM goes with it
    const child = spawn(python, [script, ...scriptArguments(run.jobName, run.runId, effective)], {
      cwd: runtime.workDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stopping = false;
    // the Spark driver must not outlive the pipeline (Ctrl-C, failure, a dead emulator)
    const stopDriver = () => {
      stopping = true;
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
    };
    // A driver that exits with a status has ended its run (SUCCEEDED or FAILED, reported below); only one killed by a
    // signal nobody sent died under the run.
    runtime.watch?.watch(`the Spark driver of Glue run ${run.runId}`, child, (_code, signal) => stopping || signal === null);
    process.on("exit", stopDriver);
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const timer = setTimeout(() => {
      timedOut = true;
      stopDriver();
    }, timeoutMs);
    runtime.watch?.failure.catch(stopDriver);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      process.off("exit", stopDriver);
      resolve({ code, signal });
    });
  });
  await new Promise<void>((resolve) => log.end(resolve));
  const exitCode = exit.code;

  const text = readFileSync(driverLog, "utf8");
  const now = Date.now();
  await shipLogLines(
    runtime.logs,
    driverLogGroup(effective),
    run.runId,
    text.split("\n").map((message) => ({ timestamp: now, message })),
  );
  if (exitCode === 0) return { state: "SUCCEEDED", driverLog };
  if (timedOut) return { state: "TIMEOUT", errorMessage: `the run exceeded its timeout of ${job.Timeout ?? 2880} minutes`, driverLog };
  if (exitCode === null) return { state: "FAILED", errorMessage: `the Spark driver was killed by ${exit.signal ?? "a signal"}`, driverLog };
  return { state: "FAILED", errorMessage: pythonErrorMessage(text) ?? `the job script exited with status ${exitCode}`, driverLog };
}
