/**
 * What an EventBridge target receives: the whole event, a constant Input, the part at InputPath, or an
 * InputTransformer's template filled from its InputPathsMap. Paths are the dotted JSONPath subset rules
 * use (`$.detail.jobName`); values placed inside quotes in the template are JSON-escaped, others are
 * written as JSON, as EventBridge does.
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

export function fillTemplate(template: string, values: Readonly<Record<string, unknown>>): string {
  return template.replace(/(")?<([A-Za-z0-9_.-]+)>(")?/g, (whole, open: string | undefined, name: string, close: string | undefined) => {
    if (!(name in values)) return whole;
    const value = values[name];
    if (open !== undefined && close !== undefined) {
      const text = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
      return `"${JSON.stringify(text).slice(1, -1)}"`;
    }
    return `${open ?? ""}${value === undefined ? "null" : typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value)}${close ?? ""}`;
  });
}

/** The payload a target is invoked with. */
export function targetInput(target: Pick<Target, "Input" | "InputPath" | "InputTransformer">, event: unknown): unknown {
  if (target.Input !== undefined) return JSON.parse(target.Input);
  if (target.InputPath !== undefined) return valueAtPath(event, target.InputPath);
  const transformer = target.InputTransformer;
  if (transformer === undefined) return event;
  const values = Object.fromEntries(Object.entries(transformer.InputPathsMap ?? {}).map(([name, path]) => [name, valueAtPath(event, path)]));
  const filled = fillTemplate(transformer.InputTemplate ?? "", values);
  try {
    return JSON.parse(filled);
  } catch {
    // a template that is not JSON is delivered as a string
    return filled;
  }
}
