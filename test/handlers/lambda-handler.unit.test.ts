/** The one Lambda wrapper (handlers/shared/lambda-handler.ts): context into the log, failures logged without values and rethrown. */
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deployedClientOptions, lambdaHandler } from "../../handlers/shared/lambda-handler";

const context = {
  awsRequestId: "req-1",
  functionName: "sentinel-test-trigger",
  invokedFunctionArn: "arn:aws:lambda:eu-central-2:111122223333:function:sentinel-test-trigger",
  functionVersion: "$LATEST",
  memoryLimitInMB: "256",
} as Context;

/** Every JSON log line Powertools wrote while `body` ran. */
async function logLines(body: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  // Powertools writes errors to stderr, everything else to stdout.
  const writes = [
    vi.spyOn(process.stdout, "write").mockImplementation(capture),
    vi.spyOn(process.stderr, "write").mockImplementation(capture),
  ];
  try {
    await body().catch(() => undefined);
  } finally {
    for (const write of writes) write.mockRestore();
  }
  return lines
    .flatMap((line) => line.split("\n"))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => vi.restoreAllMocks());

describe("the Lambda wrapper", () => {
  it("hands the domain function the request id, the function ARN and a logger carrying the invocation context", async () => {
    const handler = lambdaHandler("sentinel-test", async (event, invocation) => {
      invocation.logger.info("ran", { event_kind: typeof event });
      return { requestId: invocation.requestId, handlerName: invocation.handlerName };
    });
    let result: unknown;
    const lines = await logLines(async () => {
      result = await handler({ any: "event" }, context);
    });
    expect(result).toEqual({ requestId: "req-1", handlerName: context.invokedFunctionArn });
    expect(lines.find((line) => line.message === "ran")).toMatchObject({
      service: "sentinel-test",
      function_request_id: "req-1",
      function_name: "sentinel-test-trigger",
    });
  });

  it("logs a failure by error class and message, without the event, and rethrows the same error", async () => {
    const failure = new TypeError("no run window for profile x");
    const handler = lambdaHandler("sentinel-test", async () => {
      throw failure;
    });
    await expect(handler({ secret: "4111111111111111" }, context)).rejects.toBe(failure);
    const lines = await logLines(() => handler({ secret: "4111111111111111" }, context));
    const logged = lines.find((line) => line.message === "invocation failed");
    expect(logged).toMatchObject({
      level: "ERROR",
      error_name: "TypeError",
      error_message: "no run window for profile x",
      function_request_id: "req-1",
    });
    expect(JSON.stringify(lines)).not.toContain("4111111111111111");
  });

  it("asks for path-style S3 only when an endpoint override points the SDK at the emulator", () => {
    expect(deployedClientOptions({})).toEqual({ forcePathStyle: false });
    expect(deployedClientOptions({ AWS_ENDPOINT_URL: "http://127.0.0.1:4566" })).toEqual({ forcePathStyle: true });
  });
});
