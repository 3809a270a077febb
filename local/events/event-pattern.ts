/**
 * EventBridge event-pattern matching (EventBridge user guide, "Event patterns" and "Content filtering"):
 * every field named in the pattern must be present in the event and match one of the listed values (a
 * leaf array is an OR; an event array field matches when any of its elements does); nested objects
 * match recursively. Content filters supported: prefix, suffix, anything-but, exists, numeric,
 * equals-ignore-case and wildcard. The emulator's TestEventPattern does not evaluate patterns (moto 5.2.5
 * answers without a result), so the local event bus evaluates them here; an unknown filter throws rather
 * than guess.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class UnsupportedPatternError extends Error {
  override readonly name = "UnsupportedPatternError";
}

function wildcardMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${regex}$`, "s").test(value);
}

function numericMatches(conditions: readonly Json[], value: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const operator = conditions[i];
    const bound = conditions[i + 1] as number;
    const holds = { "<": value < bound, "<=": value <= bound, "=": value === bound, ">": value > bound, ">=": value >= bound }[
      String(operator)
    ];
    if (holds === undefined) throw new UnsupportedPatternError(`numeric operator ${String(operator)}`);
    if (!holds) return false;
  }
  return true;
}

/** One entry of a leaf array against one event value (undefined: the field is absent). */
function matchesCondition(condition: Json, value: Json | undefined): boolean {
  if (condition === null || typeof condition !== "object") return value !== undefined && value === condition;
  if (Array.isArray(condition)) throw new UnsupportedPatternError("nested array in a pattern value list");
  const [[filter, argument]] = Object.entries(condition) as [[string, Json]];
  switch (filter) {
    case "exists":
      return argument === (value !== undefined);
    case "prefix":
      return typeof value === "string" && typeof argument === "string" && value.startsWith(argument);
    case "suffix":
      return typeof value === "string" && typeof argument === "string" && value.endsWith(argument);
    case "equals-ignore-case":
      return typeof value === "string" && typeof argument === "string" && value.toLowerCase() === argument.toLowerCase();
    case "wildcard":
      return typeof value === "string" && typeof argument === "string" && wildcardMatches(argument, value);
    case "numeric":
      return typeof value === "number" && Array.isArray(argument) && numericMatches(argument, value);
    case "anything-but": {
      if (value === undefined) return false;
      const excluded = Array.isArray(argument) ? argument : [argument];
      return !excluded.some((entry) => (entry !== null && typeof entry === "object" ? matchesCondition(entry, value) : entry === value));
    }
    default:
      throw new UnsupportedPatternError(`content filter "${filter}"`);
  }
}

function matchesField(pattern: Json, value: Json | undefined): boolean {
  if (Array.isArray(pattern)) {
    const values = Array.isArray(value) ? value : [value];
    return pattern.some((condition) => values.some((candidate) => matchesCondition(condition, candidate as Json | undefined)));
  }
  if (pattern !== null && typeof pattern === "object") {
    const inner = value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
    return Object.entries(pattern).every(([key, sub]) => matchesField(sub, inner?.[key]));
  }
  throw new UnsupportedPatternError("a pattern leaf must be an array of values");
}

export function matchesEventPattern(pattern: string | object, event: unknown): boolean {
  const parsed = (typeof pattern === "string" ? JSON.parse(pattern) : pattern) as Json;
  return matchesField(parsed, event as Json);
}
