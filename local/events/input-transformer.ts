/**
 * What an EventBridge target receives: the whole event, a constant Input, the part at InputPath, or an
 * InputTransformer's template filled from its InputPathsMap. Paths are the dotted JSONPath subset rules
 * use (`$.detail.jobName`); values inside a string of the template are JSON-escaped, others are written
 * as JSON, as EventBridge does.
 */
import type { Target } from "@aws-sdk/client-eventbridge";

export function valueAtPath(event: unknown, path: string): unknown {
  if (path === "$") return event;
  if (!/^\$(\.[A-Za-z0-9_-]+)+$/.test(path)) throw new Error(`JSONPath ${path} is not supported locally (dotted paths only)`);
  let value: unknown = event;
  for (const key of path.slice(2).split(".")) {
    value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/**
 * Fills `<name>` placeholders. Inside a JSON string literal the value's text goes in JSON-escaped (so
 * `"arn:aws:glue:<region>:..."` works); outside one the value goes in as JSON (a string gets its quotes).
 */
export function fillTemplate(template: string, values: Readonly<Record<string, unknown>>): string {
  let filled = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] as string;
    if (char === "\\" && inString) {
      filled += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    const placeholder = char === "<" ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (placeholder === null || !((placeholder[1] as string) in values)) {
      filled += char;
      continue;
    }
    const value = values[placeholder[1] as string];
    if (inString) {
      const text = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
      filled += JSON.stringify(text).slice(1, -1);
    } else {
      filled += value === undefined ? "null" : JSON.stringify(value);
    }
    i += placeholder[0].length - 1;
  }
  return filled;
}

/** The payload a target is invoked with. */
export function targetInput(target: Pick<Target, "Input" | "InputPath" | "InputTransformer">, event: unknown): unknown {
  if (target.Input !== undefined) return JSON.parse(target.Input);
  if (target.InputPath !== undefined) return valueAtPath(event, target.InputPath);
  const transformer = target.InputTransformer;
  if (transformer === undefined) return event;
  const values = Object.fromEntries(
    Object.entries(transformer.InputPathsMap ?? {}).map(([name, path]) => [name, valueAtPath(event, path)]),
  );
  const filled = fillTemplate(transformer.InputTemplate ?? "", values);
  try {
    return JSON.parse(filled);
  } catch {
    // a template that is not JSON is delivered as a string
    return filled;
  }
}
