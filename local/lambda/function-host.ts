/**
 * Runs the deployed Lambda functions locally: for a function ARN it reads the function's configuration
 * from the emulator (environment, handler, timeout, log group), finds and unpacks its deployment
 * package, and keeps one warm execution environment (runtime-worker.ts) per function whose environment
 * is the function's own plus the endpoint of the local AWS and credentials of the function's execution role (with IAM
 * enforced, from sts:AssumeRole of that role: ../emulator/role-sessions.ts). Each invocation's log
 * output goes to the function's log group in the emulator and to a local file, framed by Lambda's
 * START / END / REPORT lines.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { GetFunctionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { shipLogLines } from "../job-runs/log-shipping";
import { findDeploymentPackage, unpackDeploymentPackage } from "./function-code";
import type { InvokeMessage, ReplyMessage } from "./runtime-worker";
import type { FunctionInvoker } from "../events/local-event-bus";
import type { ComponentWatch } from "../watch/component-watch";
import type { AwsCredentials } from "../emulator/iam-enforcement";

export interface DeployedFunction {
  readonly name: string;
  readonly arn: string;
  /** The execution role's ARN. */
  readonly role: string;
  readonly handler: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly logGroupName: string;
  readonly codeSha256: string;
  /** The subnets of its vpc_config (empty: the function runs outside any VPC). */
  readonly subnetIds: readonly string[];
}

export interface FunctionHostOptions {
  readonly lambda: LambdaClient;
  readonly logs: CloudWatchLogsClient;
  /** Folder of the synthesized stack, holding the deployment packages. */
  readonly stackDir: string;
  /** Where packages are unpacked and invocation logs written. */
  readonly workDir: string;
  /** The local AWS endpoint the functions' SDK clients use (AWS_ENDPOINT_URL). */
  readonly endpoint: string;
  /**
   * PEM file of the one extra CA the functions trust (NODE_EXTRA_CA_CERTS), the loopback certificate of the https
   * endpoints.
   * @default none: only Node's own CAs
   */
  readonly certificate?: string;
  /**
   * The endpoint a function's S3 client uses instead (AWS_ENDPOINT_URL_S3): for a function in a VPC, the listener of its
   * VPC's S3 gateway endpoint (local/emulator/s3-gateway-endpoints.ts); undefined: `endpoint`.
   * @default none: every function's S3 requests go to `endpoint`
   */
  readonly s3Endpoint?: (fn: DeployedFunction) => Promise<string | undefined>;
  readonly region: string;
  /** The credentials every function uses, or those of a function's execution role, by role ARN. */
  readonly credentials: AwsCredentials | ((roleArn: string) => Promise<AwsCredentials>);
  /**
   * Watches every execution environment: one exiting without being asked ends the local run at once.
   * @default none: a dead environment fails only the invocation in flight (Runtime.ExitError)
   */
  readonly watch?: ComponentWatch;
}

export class FunctionInvocationError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Environment {
  readonly fn: DeployedFunction;
  readonly worker: ChildProcess;
  readonly output: string[];
  readonly logStream: string;
  queue: Promise<unknown>;
}

export async function describeFunction(lambda: LambdaClient, functionArnOrName: string): Promise<DeployedFunction> {
  const { Configuration: config } = await lambda.send(new GetFunctionCommand({ FunctionName: functionArnOrName }));
  if (config?.FunctionName === undefined || config.FunctionArn === undefined)
    throw new Error(`Lambda function ${functionArnOrName} is not deployed in the local environment`);
  return {
    name: config.FunctionName,
    arn: config.FunctionArn,
    role: config.Role ?? "",
    handler: config.Handler ?? "index.handler",
    environment: config.Environment?.Variables ?? {},
    timeoutSeconds: config.Timeout ?? 3,
    memoryMb: config.MemorySize ?? 128,
    logGroupName: config.LoggingConfig?.LogGroup ?? `/aws/lambda/${config.FunctionName}`,
    codeSha256: config.CodeSha256 ?? "",
    subnetIds: config.VpcConfig?.SubnetIds ?? [],
  };
}

export class FunctionHost implements FunctionInvoker {
  private readonly environments = new Map<string, Promise<Environment>>();
  /** Workers this host stopped itself (close, a timed-out invocation): their exit is expected. */
  private readonly stopped = new WeakSet<ChildProcess>();

  constructor(private readonly options: FunctionHostOptions) {}

  invoke(functionArn: string, payload: unknown): Promise<unknown> {
    const environment = this.environmentOf(functionArn);
    return environment.then((env) => {
      const next = env.queue.then(() => this.invokeIn(env, payload));
      env.queue = next.catch(() => undefined);
      return next;
    });
  }

  async close(): Promise<void> {
    for (const environment of this.environments.values()) {
      const { worker } = await environment.catch(() => ({ worker: undefined }));
      if (worker !== undefined) this.stop(worker, "SIGTERM");
    }
    this.environments.clear();
  }

  private environmentOf(functionArn: string): Promise<Environment> {
    let environment = this.environments.get(functionArn);
    if (environment === undefined) {
      environment = this.start(functionArn);
      this.environments.set(functionArn, environment);
    }
    return environment;
  }

  private async start(functionArn: string): Promise<Environment> {
    const { options } = this;
    const fn = await describeFunction(options.lambda, functionArn);
    const credentials = typeof options.credentials === "function" ? await options.credentials(fn.role) : options.credentials;
    const s3Endpoint = await options.s3Endpoint?.(fn);
    const logStream = logStreamName();
    const taskRoot = unpackDeploymentPackage(
      findDeploymentPackage(options.stackDir, fn.codeSha256),
      join(options.workDir, "functions", fn.name),
    );
    const worker = fork(join(import.meta.dirname, "runtime-worker.ts"), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: {
        PATH: process.env.PATH,
        ...fn.environment,
        LAMBDA_TASK_ROOT: taskRoot,
        _HANDLER: fn.handler,
        TZ: "UTC",
        AWS_REGION: options.region,
        AWS_DEFAULT_REGION: options.region,
        AWS_ENDPOINT_URL: options.endpoint,
        ...(s3Endpoint === undefined ? {} : { AWS_ENDPOINT_URL_S3: s3Endpoint }),
        ...(options.certificate === undefined ? {} : { NODE_EXTRA_CA_CERTS: options.certificate }),
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        ...(credentials.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: credentials.sessionToken }),
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
        AWS_LAMBDA_LOG_STREAM_NAME: logStream,
      },
    });
    this.options.watch?.watch(`the Lambda execution environment of ${fn.name}`, worker, () => this.stopped.has(worker));
    const output: string[] = [];
    const collect = (chunk: Buffer) =>
      output.push(
        ...chunk
          .toString("utf8")
          .split("\n")
          .filter((line) => line !== ""),
      );
    worker.stdout?.on("data", collect);
    worker.stderr?.on("data", collect);
    return { fn, worker, output, logStream, queue: Promise.resolve() };
  }

  private async invokeIn(environment: Environment, payload: unknown): Promise<unknown> {
    const { fn, worker, output } = environment;
    const requestId = randomUUID();
    const started = Date.now();
    output.length = 0;
    const reply = await new Promise<ReplyMessage | { type: "timeout" } | { type: "exit"; code: number | null }>((resolve) => {
      const timer = setTimeout(() => resolve({ type: "timeout" }), fn.timeoutSeconds * 1000);
      const onMessage = (message: ReplyMessage) => {
        if (message.requestId !== requestId) return;
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("exit", onExit);
        resolve(message);
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        resolve({ type: "exit", code });
      };
      worker.on("message", onMessage);
      worker.once("exit", onExit);
      worker.send({
        type: "invoke",
        requestId,
        payload,
        deadlineMs: started + fn.timeoutSeconds * 1000,
        invokedFunctionArn: fn.arn,
      } satisfies InvokeMessage);
    });
    // let the last log lines of the invocation arrive before framing them
    await new Promise((resolve) => setTimeout(resolve, 20));
    const duration = Date.now() - started;
    const lines = [
      `START RequestId: ${requestId} Version: $LATEST`,
      ...output,
      `END RequestId: ${requestId}`,
      `REPORT RequestId: ${requestId}\tDuration: ${duration} ms\tMemory Size: ${fn.memoryMb} MB`,
    ];
    await this.record(environment, lines);
    if (reply.type === "result") return reply.result;
    if (reply.type === "error") throw new FunctionInvocationError(reply.errorType, reply.errorMessage);
    if (reply.type === "timeout") {
      this.stop(worker, "SIGKILL");
      this.environments.delete(fn.arn);
      throw new FunctionInvocationError("Sandbox.Timedout", `Task timed out after ${fn.timeoutSeconds} seconds`);
    }
    this.environments.delete(fn.arn);
    throw new FunctionInvocationError("Runtime.ExitError", `the execution environment exited (code ${reply.code}) before answering`);
  }

  private stop(worker: ChildProcess, signal: NodeJS.Signals): void {
    this.stopped.add(worker);
    worker.kill(signal);
  }

  private async record({ fn, logStream }: Environment, lines: readonly string[]): Promise<void> {
    mkdirSync(this.options.workDir, { recursive: true });
    appendFileSync(join(this.options.workDir, `${fn.name}.log`), `${lines.join("\n")}\n`);
    const now = Date.now();
    await shipLogLines(
      this.options.logs,
      fn.logGroupName,
      logStream,
      lines.map((message) => ({ timestamp: now, message })),
    );
  }
}

function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${randomUUID().replaceAll("-", "")}`;
}
