/**
 * A small IAM policy-document builder used by every module. It refuses, at the line that asks:
 * - wildcard actions in an Allow (`*`, `s3:*`, `s3:Get*`): list the actions instead;
 * - `"Resource": "*"` in an Allow unless every action is one AWS defines without resource types;
 * - an Allow to any principal (`*`) without a condition that confines it to this account;
 * - malformed actions, duplicate statement ids, and element combinations the document kind forbids.
 * Deny statements may use wildcards: a wildcard there only narrows access (and AWS Config's
 * s3-bucket-ssl-requests-only expects `s3:*` in the TLS-only deny).
 *
 * The rendered JSON is lazy, so grants added after the consuming resource was declared still
 * appear in the synthesized policy.
 */
import { Lazy } from "cdktf";
import { ACCOUNT_SCOPING_CONDITION_KEYS, ACTIONS_WITHOUT_RESOURCE_TYPES, ACTION_FORMAT, isWildcardAction } from "./rules";

export type PolicyEffect = "Allow" | "Deny";

/**
 * identity: attached to a role (no Principal); resource: a bucket or endpoint policy (Principal);
 * key: a KMS key policy (Principal, Resource is always `*` = this key); trust: a role's assume-role
 * policy (Principal, no Resource).
 */
export type PolicyDocumentKind = "identity" | "resource" | "key" | "trust";

export interface PolicyPrincipal {
  readonly type: "AWS" | "Service";
  readonly identifiers: readonly string[];
}

export interface PolicyCondition {
  /** Condition operator, e.g. StringEquals, ArnLike, Bool. */
  readonly test: string;
  /** Condition key, e.g. aws:SecureTransport. */
  readonly variable: string;
  readonly values: readonly string[];
}

export interface PolicyStatement {
  /** Alphanumeric statement id, unique within the document. */
  readonly sid: string;
  /** @default "Allow" */
  readonly effect?: PolicyEffect;
  readonly actions: readonly string[];
  /**
   * Required except in trust policies, which must leave it out.
   * @default none: no Resource element (accepted only in a trust policy)
   */
  readonly resources?: readonly string[];
  /**
   * Required in resource, key and trust policies; `"*"` means any principal. Identity policies must leave it out.
   * @default none: no Principal element (accepted only in an identity policy)
   */
  readonly principals?: readonly PolicyPrincipal[] | "*";
  /** @default none: no Condition element */
  readonly conditions?: readonly PolicyCondition[];
}

export class PolicyError extends Error {
  constructor(documentName: string, sid: string, problem: string) {
    super(`policy "${documentName}", statement "${sid}": ${problem}`);
    this.name = "PolicyError";
  }
}

export class PolicyDocument {
  /**
   * Policy attached to a role or user. `principalArn` names that role: key policies read it to
   * build their allow-lists from the grants the role was given (PlatformKey).
   */
  static identity(name: string, principalArn?: string): PolicyDocument {
    const document = new PolicyDocument(name, "identity");
    document.principalArn = principalArn;
    return document;
  }

  /** Resource policy such as a bucket or VPC endpoint policy. */
  static resource(name: string): PolicyDocument {
    return new PolicyDocument(name, "resource");
  }

  /** Assume-role (trust) policy of a role. */
  static trust(name: string): PolicyDocument {
    return new PolicyDocument(name, "trust");
  }

  /**
   * KMS key policy. No statement may allow `kms:*` (not even to the account root): PlatformKey
   * writes the administrator, recovery and allow-list statements, modules add service statements.
   */
  static key(name: string): PolicyDocument {
    return new PolicyDocument(name, "key");
  }

  /** The role an identity policy is attached to, when known (see identity()). */
  principalArn?: string;
  private readonly entries: PolicyStatement[] = [];
  private readonly producers: (() => readonly PolicyStatement[])[] = [];

  private constructor(
    readonly name: string,
    readonly kind: PolicyDocumentKind,
  ) {}

  get statements(): readonly PolicyStatement[] {
    return this.entries;
  }

  /**
   * Statements computed when the policy renders (after every grant of the stack was made), placed
   * before the added ones and checked like them.
   */
  addStatementsAtRender(producer: () => readonly PolicyStatement[]): this {
    this.producers.push(producer);
    return this;
  }

  /** Adds a statement after checking it; an identical statement with the same sid is ignored. */
  addStatement(statement: PolicyStatement): this {
    this.check(statement);
    const existing = this.entries.find((entry) => entry.sid === statement.sid);
    if (existing !== undefined) {
      if (JSON.stringify(render(existing)) === JSON.stringify(render(statement))) return this;
      throw new PolicyError(this.name, statement.sid, "another statement already uses this sid");
    }
    this.entries.push(statement);
    return this;
  }

  /** The policy JSON, rendered at synth time. */
  toJson(): string {
    return Lazy.stringValue({ produce: () => JSON.stringify(this.render()) });
  }

  render(): { Version: string; Statement: object[] } {
    const produced = this.producers.flatMap((producer) => producer());
    for (const statement of produced) this.check(statement);
    const all = [...produced, ...this.entries];
    if (all.length === 0) {
      throw new Error(`policy "${this.name}" has no statements; IAM rejects an empty policy`);
    }
    const sids = all.map((statement) => statement.sid);
    const duplicate = sids.find((sid, index) => sids.indexOf(sid) !== index);
    if (duplicate !== undefined) throw new PolicyError(this.name, duplicate, "another statement already uses this sid");
    return { Version: "2012-10-17", Statement: all.map(render) };
  }

  private check(statement: PolicyStatement): void {
    const fail = (problem: string): never => {
      throw new PolicyError(this.name, statement.sid, problem);
    };
    const effect = statement.effect ?? "Allow";
    if (!/^[A-Za-z0-9]+$/.test(statement.sid)) fail("sid must be alphanumeric");
    if (statement.actions.length === 0) fail("lists no actions");
    for (const action of statement.actions) {
      if (effect === "Allow" && isWildcardAction(action)) {
        fail(`wildcard action "${action}" in an Allow; list the actions it needs`);
      }
      if (!ACTION_FORMAT.test(action)) fail(`"${action}" is not an action like s3:GetObject`);
    }
    this.checkPrincipals(statement, effect, fail);
    this.checkResources(statement, effect, fail);
  }

  private checkPrincipals(statement: PolicyStatement, effect: PolicyEffect, fail: (problem: string) => never): void {
    const { principals } = statement;
    if (this.kind === "identity") {
      if (principals !== undefined) fail("an identity policy cannot name principals");
      return;
    }
    if (principals === undefined || (principals !== "*" && principals.length === 0)) {
      fail(`a ${this.kind} policy statement must name its principals`);
    }
    if (principals !== "*") {
      for (const principal of principals ?? []) {
        if (principal.identifiers.length === 0) fail(`${principal.type} principal lists no identifiers`);
        if (principal.identifiers.includes("*")) fail('use principals: "*" for any principal, not a "*" identifier');
      }
      return;
    }
    if (effect === "Allow") {
      const scoped = (statement.conditions ?? []).some((condition) => ACCOUNT_SCOPING_CONDITION_KEYS.has(condition.variable));
      if (!scoped) {
        fail(`an Allow to any principal needs a condition on one of ${[...ACCOUNT_SCOPING_CONDITION_KEYS].join(", ")}`);
      }
    }
  }

  private checkResources(statement: PolicyStatement, effect: PolicyEffect, fail: (problem: string) => never): void {
    const { resources } = statement;
    if (this.kind === "trust") {
      if (resources !== undefined) fail("a trust policy statement has no resources");
      return;
    }
    if (resources === undefined || resources.length === 0) fail("lists no resources");
    if (this.kind === "key") {
      if (resources?.length !== 1 || resources[0] !== "*") fail('a key policy statement\'s resource is always "*" (this key)');
      return;
    }
    if (effect === "Allow" && resources?.includes("*")) {
      const scoped = statement.actions.filter((action) => !ACTIONS_WITHOUT_RESOURCE_TYPES.has(action));
      if (scoped.length > 0) {
        fail(`"Resource": "*" for ${scoped.join(", ")}, which support resource-level permissions; name the resources`);
      }
    }
  }
}

function render(statement: PolicyStatement): object {
  const rendered: Record<string, unknown> = { Sid: statement.sid, Effect: statement.effect ?? "Allow" };
  if (statement.principals === "*") rendered.Principal = "*";
  else if (statement.principals !== undefined) {
    const principal: Record<string, string[]> = {};
    for (const { type, identifiers } of statement.principals) {
      principal[type] = [...(principal[type] ?? []), ...identifiers];
    }
    rendered.Principal = principal;
  }
  rendered.Action = [...statement.actions];
  if (statement.resources !== undefined) rendered.Resource = [...statement.resources];
  if (statement.conditions !== undefined && statement.conditions.length > 0) {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const { test, variable, values } of statement.conditions) {
      condition[test] = { ...condition[test], [variable]: [...values] };
    }
    rendered.Condition = condition;
  }
  return rendered;
}
