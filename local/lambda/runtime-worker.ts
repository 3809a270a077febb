/**
 * One warm Lambda execution environment, as a child process: its environment is the function's
 * configuration, LAMBDA_TASK_ROOT holds the unpacked deployment package and _HANDLER names the export
 * (e.g. index.handler). The module is loaded once (the cold start); each invocation arrives over IPC and
 * its result or error goes back the same way. Whatever the handler logs goes to this process's stdout,
 * which the host ships to the function's log group.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export interface InvokeMessage {
  readonly type: "invoke";
  readonly requestId: string;
  readonly payload: unknown;
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
}

export type ReplyMessage =
  | { readonly type: "result"; readonly requestId: string; readonly result: unknown }
  | { readonly type: "error"; readonly requestId: string; readonly errorType: string; readonly errorMessage: string };

type Handler = (event: unknown, context: Record<string, unknown>) => Promise<unknown>;

async function loadHandler(): Promise<Handler> {
  const root = process.env.LAMBDA_TASK_ROOT ?? "";
  const [moduleName, exportName] = (process.env._HANDLER ?? "").split(".") as [string, string];
  const file = ["mjs", "js", "cjs"].map((extension) => join(root, `${moduleName}.${extension}`)).find((path) => existsSync(path));
  if (file === undefined) throw new Error(`Runtime.ImportModuleError: no ${moduleName}.mjs/.js/.cjs in ${root}`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = module[exportName] ?? (module.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof handler !== "function") throw new Error(`Runtime.HandlerNotFound: ${file} does not export ${exportName}`);
  return handler as Handler;
}

const handler = loadHandler();

// the host went away (ended or killed): an execution environment never outlives it
process.on("disconnect", () => process.exit(0));

process.on("message", (message: InvokeMessage) => {
  const context = {
    awsRequestId: message.requestId,
    invokedFunctionArn: message.invokedFunctionArn,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: "$LATEST",
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(message.deadlineMs - Date.now(), 0),
  };
  handler
    .then((fn) => fn(message.payload, context))
    .then(
      (result) => process.send?.({ type: "result", requestId: message.requestId, result: result ?? null } satisfies ReplyMessage),
      (error: unknown) => {
        const { name, message: text } = error instanceof Error ? error : { name: "Error", message: String(error) };
        process.send?.({ type: "error", requestId: message.requestId, errorType: name, errorMessage: text } satisfies ReplyMessage);
      },
    );
});
