/**
 * A small evaluator of synthesized identity policies, for tests that must show a role cannot reach
 * something: Terraform references to resources are turned into the ARNs they will have (the test
 * account is literal), and a request (action, resource, condition context) is allowed when an Allow
 * statement matches it and no Deny does, as IAM decides within one account. Condition operators the
 * platform uses are supported; an unknown one fails the test rather than being ignored.
 */
import { resourcesOf, statementsOf, type Statement, type Synthesized } from "./synth";

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request, e.g. kms:ViaService. Absent keys do not match. */
  readonly context?: Readonly<Record<string, string>>;
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
  for (const [type, prefix] of [["aws_subnet", "subnet"], ["aws_security_group", "sg"]] as const) {
    for (const id of Object.keys(resourcesOf(synthesized, type))) values.set(`\${${type}.${id}.id}`, `${prefix}-${id}`);
  }
  return values;
}

/** Every role's inline policy statements with references resolved, by role name. */
export function rolePolicies(synthesized: Synthesized, account: string): Map<string, Statement[]> {
  const values = referenceValues(synthesized, account);
  const resolve = (text: string) => text.replace(/\$\{[a-z0-9_]+\.[^.}]+\.(arn|id)\}/g, (reference) => {
    const value = values.get(reference);
    if (value === undefined) throw new Error(`the evaluator cannot resolve ${reference}`);
    return value;
  });
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
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, caseInsensitive ? "i" : "");
  return regex.test(value);
}

function conditionHolds(operator: string, key: string, expected: readonly string[], context: Readonly<Record<string, string>>): boolean {
  const actual = context[key];
  switch (operator) {
    case "Null":
      return expected.includes(String(actual === undefined));
    case "StringEquals":
    case "ArnEquals":
    case "Bool":
      return actual !== undefined && expected.includes(actual);
    case "StringLike":
    case "ArnLike":
      return actual !== undefined && expected.some((pattern) => globMatches(pattern, actual));
    case "StringNotEquals":
      return actual !== undefined && !expected.includes(actual);
    default:
      throw new Error(`the evaluator does not know the condition operator ${operator}`);
  }
}

function matches(statement: Statement, request: Request): boolean {
  const context = request.context ?? {};
  const actionMatches = statement.Action.some((action) => globMatches(action, request.action, true));
  const resourceMatches = (statement.Resource ?? []).some((resource) => globMatches(resource, request.resource));
  const conditionsHold = Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => conditionHolds(operator, key, values, context)),
  );
  return actionMatches && resourceMatches && conditionsHold;
}

export function isAllowed(statements: readonly Statement[], request: Request): boolean {
  const denied = statements.some((statement) => statement.Effect === "Deny" && matches(statement, request));
  return !denied && statements.some((statement) => statement.Effect === "Allow" && matches(statement, request));
}
