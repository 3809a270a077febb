import type { z } from "zod";

/** A handler input that does not match its schema. Carries the issues without the offending values (no PII). */
export class MalformedEventError extends Error {
  override readonly name = "MalformedEventError";
  constructor(
    readonly eventKind: string,
    readonly issues: readonly SchemaIssue[],
  ) {
    super(`malformed ${eventKind}: ${issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; ")}`);
  }
}

/** Handler configuration (environment variables) that does not match its schema. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

export interface SchemaIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** Zod issues reduced to path, code and message: zod messages name the expectation, never the received value. */
export function schemaIssues(error: z.ZodError): SchemaIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    code: issue.code,
    message: issue.message,
  }));
}
