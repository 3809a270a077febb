/**
 * A handler's Lambda environment, checked at synth against the same zod schema the handler
 * validates at cold start (handlers/environment.ts): an unknown or missing variable, or a literal
 * value the handler would refuse, fails synth instead of the first invocation. Values that are
 * Terraform references (e.g. a bucket name with the account id) are known only at apply; they are
 * checked by name here and fully in the tests, which synthesize with a literal account.
 */
import { Token } from "cdktf";
import { z } from "zod";

type EnvironmentSchema = z.ZodObject<z.ZodRawShape>;

export class HandlerEnvironmentError extends Error {
  constructor(handler: string, problems: readonly string[]) {
    super(`${handler} handler environment: ${problems.join("; ")}`);
    this.name = "HandlerEnvironmentError";
  }
}

export function checkedEnvironment(
  handler: string,
  schema: EnvironmentSchema,
  values: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  const problems: string[] = [];
  const shape = schema.shape;
  for (const name of Object.keys(values)) {
    if (!(name in shape)) problems.push(`${name} is not a variable the handler reads`);
  }
  for (const [name, field] of Object.entries(shape)) {
    const value = values[name];
    if (value === undefined) {
      if (!z.safeParse(field, undefined).success) problems.push(`${name} is required`);
      continue;
    }
    if (Token.isUnresolved(value)) continue;
    const parsed = z.safeParse(field, value);
    if (!parsed.success) problems.push(`${name}=${JSON.stringify(value)}: ${parsed.error.issues.map((issue) => issue.message).join(", ")}`);
  }
  const literal = Object.values(values).every((value) => !Token.isUnresolved(value));
  if (problems.length === 0 && literal) {
    const parsed = schema.safeParse(values);
    if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  if (problems.length > 0) throw new HandlerEnvironmentError(handler, problems);
  return values;
}
