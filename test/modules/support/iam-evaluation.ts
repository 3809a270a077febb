/**
 * A small evaluator of synthesized policies, for tests that must show a principal cannot reach
 * something: Terraform references to resources are turned into the ARNs they will have (the test
 * account is literal), and a request (action, resource, condition context) is allowed when an Allow
 * statement matches it and no Deny does, as IAM decides within one account. `decide` adds a resource
 * policy (bucket or key policy) the way AWS combines them for a principal of the same account; a key
 * policy must allow the principal itself or delegate to IAM through the account root. Condition
 * operators the platform uses are supported (with IfExists, ForAnyValue and ForAllValues); an unknown
 * one fails the test rather than being ignored.
 */
import { resourcesOf, statementsOf, type Statement, type Synthesized } from "./synth";

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request, e.g. kms:ViaService; a list for a multivalued key. Absent keys do not match. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

const REGION = "eu-central-2";

/** The ARN or id a `${type.logical_id.attr}` reference will have after apply. */
function referenceValues(synthesized: Synthesized, account: string): Map<string, string> {
  const values = new Map<string, string>();
  const each = (type: string, arn: (config: Record<string, unknown>, id: string) => string) => {
    for (const [id, config] of Object.entries(resourcesOf(synthesized, type))) values.set(`\${${type}.${id}.arn}`, arn(config, id));
  };
  each("aws_s3_bucket", (config) => `arn:aws:s3:::${String(config.bucket)}`);
  each("aws_kms_key", (_config, id) => `arn:aws:kms:${REGION}:${account}:key/${id}`);
  each("aws_cloudwatch_log_group", (config) => `arn:aws:logs:${REGION}:${account}:log-group:${String(config.name)}`);
  each("aws_sqs_queue", (config) => `arn:aws:sqs:${REGION}:${account}:${String(config.name)}`);
  each("aws_sns_topic", (config) => `arn:aws:sns:${REGION}:${account}:${String(config.name)}`);
  each("aws_lambda_function", (config) => `arn:aws:lambda:${REGION}:${account}:function:${String(config.function_name)}`);
  each("aws_cloudwatch_event_rule", (config) => `arn:aws:events:${REGION}:${account}:rule/${String(config.name)}`);
  each("aws_iam_role", (config) => `arn:aws:iam::${account}:role/${String(config.name)}`);
  each("aws_cloudtrail", (config) => `arn:aws:cloudtrail:${REGION}:${account}:trail/${String(config.name)}`);
  for (const [type, prefix] of [
    ["aws_subnet", "subnet"],
    ["aws_security_group", "sg"],
    ["aws_vpc_endpoint", "vpce"],
    ["aws_vpc", "vpc"],
  ] as const) {
    for (const id of Object.keys(resourcesOf(synthesized, type))) values.set(`\${${type}.${id}.id}`, `${prefix}-${id}`);
  }
  return values;
}

/** Replaces every resource reference (and `${var.account_id}`) in `text` with the value it will have. */
export function referenceResolver(synthesized: Synthesized, account: string): (text: string) => string {
  const values = referenceValues(synthesized, account);
  return (text: string) =>
    text.replaceAll("${var.account_id}", account).replace(/\$\{[a-z0-9_]+\.[^.}]+\.(arn|id)\}/g, (reference) => {
      const value = values.get(reference);
      if (value === undefined) throw new Error(`the evaluator cannot resolve ${reference}`);
      return value;
    });
}

/** Every role's inline policy statements with references resolved, by role name. */
export function rolePolicies(synthesized: Synthesized, account: string): Map<string, Statement[]> {
  const resolve = referenceResolver(synthesized, account);
  const roles = resourcesOf(synthesized, "aws_iam_role");
  const policies = new Map<string, Statement[]>();
  for (const policy of Object.values(resourcesOf(synthesized, "aws_iam_role_policy"))) {
    const roleId = /^\$\{aws_iam_role\.([^.]+)\.id\}$/.exec(String(policy.role))?.[1];
    const role = roleId === undefined ? undefined : roles[roleId];
    if (role === undefined) throw new Error(`role policy on an unknown role ${String(policy.role)}`);
    policies.set(String(role.name), statementsOf(resolve(String(policy.policy))));
  }
  return policies;
}

function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    caseInsensitive ? "i" : "",
  );
  return regex.test(value);
}

function singleConditionHolds(operator: string, actual: string | undefined, expected: readonly string[]): boolean {
  switch (operator) {
    case "StringEquals":
    case "ArnEquals":
    case "Bool":
      return actual !== undefined && expected.includes(actual);
    case "StringLike":
    case "ArnLike":
      return actual !== undefined && expected.some((pattern) => globMatches(pattern, actual));
    case "StringNotEquals":
    case "ArnNotEquals":
      return actual !== undefined && !expected.includes(actual);
    case "StringNotLike":
    case "ArnNotLike":
      return actual !== undefined && !expected.some((pattern) => globMatches(pattern, actual));
    case "NumericLessThan":
      return actual !== undefined && expected.some((limit) => Number(actual) < Number(limit));
    default:
      throw new Error(`the evaluator does not know the condition operator ${operator}`);
  }
}

function conditionHolds(
  operator: string,
  key: string,
  expected: readonly string[],
  context: Readonly<Record<string, string | readonly string[]>>,
): boolean {
  const actual = context[key];
  if (operator === "Null") return expected.includes(String(actual === undefined));
  const setOperator = /^(ForAnyValue|ForAllValues):(.+)$/.exec(operator);
  if (setOperator !== null) {
    const values = actual === undefined ? [] : typeof actual === "string" ? [actual] : actual;
    const each = (value: string) => singleConditionHolds(setOperator[2] as string, value, expected);
    return setOperator[1] === "ForAnyValue" ? values.some(each) : values.every(each);
  }
  const ifExists = operator.endsWith("IfExists");
  if (ifExists && actual === undefined) return true;
  if (actual !== undefined && typeof actual !== "string") throw new Error(`${key} is multivalued: use ForAnyValue or ForAllValues`);
  return singleConditionHolds(ifExists ? operator.slice(0, -"IfExists".length) : operator, actual as string | undefined, expected);
}

function matches(statement: Statement, request: Request): boolean {
  const context = request.context ?? {};
  const actionMatches = statement.Action.some((action) => globMatches(action, request.action, true));
  if (statement.Resource?.length === 1 && statement.Resource[0] === "*") {
    return actionMatches && conditionsOf(statement, context);
  }
  const resourceMatches = (statement.Resource ?? []).some((resource) => globMatches(resource, request.resource));
  return actionMatches && resourceMatches && conditionsOf(statement, context);
}

function conditionsOf(statement: Statement, context: Readonly<Record<string, string | readonly string[]>>): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => conditionHolds(operator, key, values, context)),
  );
}

export function isAllowed(statements: readonly Statement[], request: Request): boolean {
  const denied = statements.some((statement) => statement.Effect === "Deny" && matches(statement, request));
  return !denied && statements.some((statement) => statement.Effect === "Allow" && matches(statement, request));
}

/** Who makes a request: a role or user of the account (with its identity policy), or an AWS service. */
export type Caller = { readonly arn: string; readonly identity: readonly Statement[] } | { readonly service: string };

export type ResourcePolicyKind = "bucket" | "key";

function principalMatches(principal: unknown, caller: Caller, accountRoot: string): "self" | "account" | false {
  if (principal === "*") return "self";
  const { AWS, Service } = (principal ?? {}) as { AWS?: string | string[]; Service?: string | string[] };
  const list = (value: string | string[] | undefined) => (value === undefined ? [] : typeof value === "string" ? [value] : value);
  if ("service" in caller) return list(Service).includes(caller.service) ? "self" : false;
  if (list(AWS).includes(caller.arn)) return "self";
  return list(AWS).includes(accountRoot) ? "account" : false;
}

/**
 * Whether AWS allows `caller` the request, given the resource's policy (a bucket or key policy, with
 * references resolved) and the caller's identity policy, for a caller of the resource's account.
 * The context gets aws:PrincipalArn, aws:PrincipalIsAWSService and aws:PrincipalAccount from the caller.
 */
export function decide(
  resourcePolicy: readonly Statement[],
  kind: ResourcePolicyKind,
  caller: Caller,
  request: Request,
  account: string,
): boolean {
  const accountRoot = `arn:aws:iam::${account}:root`;
  const context = {
    ...("service" in caller
      ? { "aws:PrincipalIsAWSService": "true" }
      : { "aws:PrincipalArn": caller.arn, "aws:PrincipalIsAWSService": "false", "aws:PrincipalAccount": account }),
    ...request.context,
  };
  const full = { ...request, context };
  const identity = "service" in caller ? [] : caller.identity;
  const applicable = (statement: Statement) =>
    principalMatches(statement.Principal, caller, accountRoot) !== false && matches(statement, full);
  const denied =
    resourcePolicy.some((statement) => statement.Effect === "Deny" && applicable(statement)) ||
    identity.some((statement) => statement.Effect === "Deny" && matches(statement, full));
  if (denied) return false;
  const identityAllows = identity.some((statement) => statement.Effect === "Allow" && matches(statement, full));
  const resourceAllows = (how: "self" | "account") =>
    resourcePolicy.some(
      (statement) =>
        statement.Effect === "Allow" && principalMatches(statement.Principal, caller, accountRoot) === how && matches(statement, full),
    );
  if (kind === "key") return resourceAllows("self") || (resourceAllows("account") && identityAllows);
  return resourceAllows("self") || identityAllows;
}
