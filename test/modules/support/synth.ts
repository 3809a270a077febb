/** Helpers for reading synthesized Terraform JSON in infra tests. */
import { DefaultTokenResolver, StringConcat, Testing, type TerraformStack, Tokenization } from "cdktf";
import { withPlainStackTraces } from "./test-stack";

export type Config = Record<string, unknown>;
export interface Synthesized {
  readonly resource?: Record<string, Record<string, Config>>;
  readonly data?: Record<string, Record<string, Config>>;
  readonly [block: string]: unknown;
}

/** A value as it will appear in cdk.tf.json (tokens become Terraform references). */
export function resolveIn(stack: TerraformStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/** Synthesized JSON of a stack (aspects applied, keys sorted, no metadata). */
export function synth(stack: TerraformStack): Synthesized {
  return JSON.parse(withPlainStackTraces(() => Testing.synth(stack))) as Synthesized;
}

/**
 * The synthesized JSON of the stack `build` returns, built on the first call and then shared by the
 * tests of a file that only read it (synth is the slow part).
 */
export function synthesizedOnce(build: () => TerraformStack): () => Synthesized {
  let synthesized: Synthesized | undefined;
  return () => (synthesized ??= synth(build()));
}

/** Resources of one type, keyed by logical id. */
export function resourcesOf(synthesized: Synthesized, type: string): Record<string, Config> {
  return synthesized.resource?.[type] ?? {};
}

/** Resources of one type, keyed by what `keyOf` reads from each (its name, its service...) instead of the logical id. */
export function resourcesBy(synthesized: Synthesized, type: string, keyOf: (resource: Config) => string): Record<string, Config> {
  return Object.fromEntries(Object.values(resourcesOf(synthesized, type)).map((resource) => [keyOf(resource), resource]));
}

export function onlyResourceOf(synthesized: Synthesized, type: string): Config {
  const all = Object.values(resourcesOf(synthesized, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0] as Config;
}

export interface Statement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: unknown;
  readonly Action: string[];
  readonly Resource?: string[];
  readonly Condition?: Record<string, Record<string, string[]>>;
}

export function statementsOf(policyJson: unknown): Statement[] {
  if (typeof policyJson !== "string") throw new Error(`policy is not a string: ${JSON.stringify(policyJson)}`);
  return (JSON.parse(policyJson) as { Statement: Statement[] }).Statement;
}

export function statement(policyJson: unknown, sid: string): Statement {
  const found = statementsOf(policyJson).find((candidate) => candidate.Sid === sid);
  if (found === undefined) throw new Error(`no statement ${sid} in ${String(policyJson)}`);
  return found;
}

/** Logical id of the resource a `${type.id.attr}` reference points at. */
export function referencedId(reference: unknown): string {
  const match = /^\$\{[a-z0-9_]+\.([^.]+)\.[a-z_]+\}$/.exec(String(reference));
  if (match === null) throw new Error(`not a resource reference: ${String(reference)}`);
  return match[1] as string;
}
