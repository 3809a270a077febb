import { Logger } from "@aws-lambda-powertools/logger";

/**
 * Structured JSON logs for one handler. Callers log ids, states and counts only: never event payloads,
 * data values, arguments that could carry PII, or key material.
 */
export function handlerLogger(serviceName: string): Logger {
  return new Logger({ serviceName, persistentKeys: { component: "sentinel-handlers" } });
}

export type { Logger };

/** Logs a failed invocation by error class and message only (messages never carry event values). */
export function logFailure(logger: Logger, error: unknown): void {
  const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
  logger.error("invocation failed", { error_name: name, error_message: message });
}
