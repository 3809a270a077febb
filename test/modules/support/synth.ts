/** Helpers for reading synthesized Terraform JSON in infra tests. */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DefaultTokenResolver, StringConcat, Testing, TerraformStack, Tokenization } from "cdktf";
import type { AccountScope } from "../../../modules/iam/arns";

export type Config = Record<string, unknown>;
export interface Synthesized {
  readonly resource?: Record<string, Record<string, Config>>;
  readonly data?: Record<string, Record<string, Config>>;
  readonly [block: string]: unknown;
}

/**
 * Runs `build` with V8's native stack-trace formatting. cdktf captures a full stack trace for every
 * token it creates, and vitest's source-mapping Error.prepareStackTrace makes each capture costly:
 * building the four environment stacks took about 3x longer with it. Assertion failures outside
 * `build` are still reported with source-mapped locations.
 */
export function withPlainStackTraces<T>(build: () => T): T {
  const errorClass = Error as { prepareStackTrace?: ErrorConstructor["prepareStackTrace"] };
  const previous = errorClass.prepareStackTrace;
  errorClass.prepareStackTrace = undefined;
  try {
    return build();
  } finally {
    errorClass.prepareStackTrace = previous;
  }
}

/** A fixed account so module tests read literal ARNs. */
export const TEST_ACCOUNT: AccountScope = { partition: "aws", region: "eu-central-2", accountId: "111122223333" };

/** A bare stack with an AWS provider, for module tests. */
export function testStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: TEST_ACCOUNT.region });
  return stack;
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

/** The deployer principal of module tests: key administrator and artifact writer. */
export const TEST_DEPLOYER_ARN = "arn:aws:iam::111122223333:role/sentinel-deployer";
