/**
 * IAM enforcement in the local emulator: the synthesized stack's roles, with their synthesized permission
 * policies, created in moto; credentials for each role from sts:AssumeRole; then moto's IAM enforcement
 * switched on (POST /moto-api/reset-auth), after which every request is checked against the calling role's
 * identity policies (and resource ARNs for S3, STS, Glue, KMS, CloudWatch Logs and EventBridge: ../emulator_iam.py).
 *
 * Only the trust policies of the roles provisionRoles creates (for the attack suite) are not the synthesized ones:
 * those name AWS services (lambda, glue, databrew) or the consumer principals of `var.*_principal_arns`, which cannot
 * call the emulator, so every role here trusts one local operator user that stands in for "the service that runs this
 * component". (The roles Terraform applies for npm start keep the synthesized trust policies: the emulator lets the
 * same operator stand in for the principals they name, ../emulator_iam.py, role-sessions.ts.) What moto
 * does not evaluate (bucket and key policies, policy conditions, session policies) is listed in
 * docs/security-model.md.
 */
import { CreateKeyCommand, KMSClient, type KeySpec, type KeyUsageType } from "@aws-sdk/client-kms";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { EMULATOR_CREDENTIALS } from "./emulator";

/** The parts of a synthesized cdk.tf.json this module reads. */
export interface SynthesizedStack {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface StackScope {
  readonly accountId: string;
  readonly region: string;
}

export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: ReadonlyArray<Record<string, unknown>>;
}

/** A role of the stack as it will be created: its name and each inline policy with references resolved. */
export interface StackRole {
  readonly logicalId: string;
  readonly name: string;
  readonly policies: ReadonlyArray<{ readonly name: string; readonly document: PolicyDocument }>;
}

const REFERENCE = /\$\{([a-z0-9_]+)\.([^.}]+)(?:\.([a-z_]+))?\}/g;

function resourcesOf(stack: SynthesizedStack, type: string): Record<string, Record<string, unknown>> {
  return stack.resource?.[type] ?? {};
}

function stringField(config: Record<string, unknown>, field: string, where: string): string {
  const value = config[field];
  if (typeof value !== "string" || value.includes("${"))
    throw new Error(`${where}.${field} is not a literal string: ${JSON.stringify(value)}`);
  return value;
}

/**
 * Resolves the Terraform references a role policy holds into the ARNs the resources have in the emulator.
 * `keyArns` maps aws_kms_key logical ids to the keys created for them (createStackKeys). A reference this
 * does not know fails loudly, so a new kind of grant cannot pass unchecked; network ids (subnets, security
 * groups) resolve to placeholders no request names, since nothing here runs in a VPC.
 */
export class StackReferences {
  constructor(
    private readonly stack: SynthesizedStack,
    private readonly scope: StackScope,
    private readonly keyArns: ReadonlyMap<string, string>,
  ) {}

  resolve(text: string): string {
    return text.replace(REFERENCE, (whole, type: string, name: string, attribute: string | undefined) =>
      this.value(whole, type, name, attribute),
    );
  }

  private value(whole: string, type: string, name: string, attribute: string | undefined): string {
    const { accountId, region } = this.scope;
    if (type === "var" && name === "account_id") return accountId;
    const config = resourcesOf(this.stack, type)[name];
    if (config === undefined) throw new Error(`${whole}: no ${type}.${name} in the synthesized stack`);
    const where = `${type}.${name}`;
    if (type === "aws_kms_key" && attribute === "arn") {
      const arn = this.keyArns.get(name);
      if (arn === undefined) throw new Error(`${whole}: no emulator key was created for ${where}`);
      return arn;
    }
    if (type === "aws_cloudwatch_log_group" && attribute === "arn")
      return `arn:aws:logs:${region}:${accountId}:log-group:${stringField(config, "name", where)}`;
    if (type === "aws_sqs_queue" && attribute === "arn") return `arn:aws:sqs:${region}:${accountId}:${stringField(config, "name", where)}`;
    if (type === "aws_lambda_function" && attribute === "arn")
      return `arn:aws:lambda:${region}:${accountId}:function:${stringField(config, "function_name", where)}`;
    if ((type === "aws_subnet" || type === "aws_security_group") && attribute === "id") return `not-in-the-emulator-${name}`;
    throw new Error(`${whole}: the emulator's IAM set-up does not know how to resolve this reference`);
  }
}

/** The stack's roles with their inline permission policies, references resolved. */
export function stackRoles(stack: SynthesizedStack, references: StackReferences): StackRole[] {
  const policies = Object.values(resourcesOf(stack, "aws_iam_role_policy"));
  return Object.entries(resourcesOf(stack, "aws_iam_role")).map(([logicalId, role]) => {
    const name = stringField(role, "name", `aws_iam_role.${logicalId}`);
    const own = policies.filter(
      (policy) => policy.role === `\${aws_iam_role.${logicalId}.id}` || policy.role === `\${aws_iam_role.${logicalId}.name}`,
    );
    return {
      logicalId,
      name,
      policies: own.map((policy) => ({
        name: typeof policy.name === "string" ? policy.name : "permissions",
        document: JSON.parse(references.resolve(String(policy.policy))) as PolicyDocument,
      })),
    };
  });
}

function unauthenticatedClientConfig(endpoint: string, region: string) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey },
  };
}

/** One emulator key per aws_kms_key of the stack, with the stack's key spec and usage; logical id -> ARN. */
export async function createStackKeys(endpoint: string, stack: SynthesizedStack, scope: StackScope): Promise<Map<string, string>> {
  const kms = new KMSClient(unauthenticatedClientConfig(endpoint, scope.region));
  const arns = new Map<string, string>();
  for (const [logicalId, key] of Object.entries(resourcesOf(stack, "aws_kms_key"))) {
    const created = await kms.send(
      new CreateKeyCommand({
        Description: `${logicalId} (local IAM enforcement)`,
        KeySpec: (key.customer_master_key_spec as KeySpec | undefined) ?? "SYMMETRIC_DEFAULT",
        KeyUsage: (key.key_usage as KeyUsageType | undefined) ?? "ENCRYPT_DECRYPT",
      }),
    );
    const arn = created.KeyMetadata?.Arn;
    if (arn === undefined) throw new Error(`the emulator created no key for aws_kms_key.${logicalId}`);
    arns.set(logicalId, arn);
  }
  return arns;
}

/**
 * The local operator: the principal that assumes the platform's roles, allowed nothing but sts:AssumeRole on them. The
 * emulator lets it stand in for the services and absent principals a trust policy names (STAND_IN_USER in
 * local/emulator_iam.py is this name), so npm start leaves Terraform's trust policies as they are; provisionRoles
 * below names it in the trust policy instead.
 */
export const LOCAL_OPERATOR = "sentinel-local-operator";

export interface ProvisionedRoles {
  readonly operatorArn: string;
  readonly operator: AwsCredentials;
  /** role name -> role ARN */
  readonly roleArns: ReadonlyMap<string, string>;
}

/**
 * One IAM query-protocol call to the emulator. The project has no IAM SDK client (and needs none at
 * runtime), and before enforceIam moto checks no signature, so a request naming the IAM service in its
 * credential scope is enough. Returns the XML answer.
 */
export async function iamCall(endpoint: string, parameters: Record<string, string>): Promise<string> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      authorization: `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Version: "2010-05-08", ...parameters }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`IAM ${parameters.Action} in the emulator failed: HTTP ${response.status} ${text.slice(0, 500)}`);
  return text;
}

export function xmlField(xml: string, field: string, action: string): string {
  const value = new RegExp(`<${field}>([^<]+)</${field}>`).exec(xml)?.[1];
  if (value === undefined) throw new Error(`IAM ${action} in the emulator answered without ${field}`);
  return value;
}

/**
 * Creates the operator user and each role with its policies (a test may add a variant of a stack role,
 * for example with one grant removed). Must run before enforceIam: afterwards the emulator's dummy
 * credentials are refused.
 */
export async function provisionRoles(endpoint: string, roles: readonly StackRole[]): Promise<ProvisionedRoles> {
  const operatorArn = await createUser(endpoint, LOCAL_OPERATOR);
  const trust = JSON.stringify(operatorTrustPolicy(operatorArn));
  const roleArns = new Map<string, string>();
  for (const role of roles) {
    const created = await iamCall(endpoint, { Action: "CreateRole", RoleName: role.name, AssumeRolePolicyDocument: trust });
    for (const policy of role.policies) {
      await iamCall(endpoint, {
        Action: "PutRolePolicy",
        RoleName: role.name,
        PolicyName: policy.name,
        PolicyDocument: JSON.stringify(policy.document),
      });
    }
    roleArns.set(role.name, xmlField(created, "Arn", "CreateRole"));
  }
  const assumable = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: [...roleArns.values()] }] };
  const operator = await grantUserWithKey(endpoint, LOCAL_OPERATOR, "assume-platform-roles", assumable);
  return { operatorArn, operator, roleArns };
}

/** Creates an IAM user in the emulator and returns its ARN. */
export async function createUser(endpoint: string, user: string): Promise<string> {
  return xmlField(await iamCall(endpoint, { Action: "CreateUser", UserName: user }), "Arn", "CreateUser");
}

/** Gives an existing user one inline policy and an access key, and returns the key. */
export async function grantUserWithKey(
  endpoint: string,
  user: string,
  policyName: string,
  policy: Record<string, unknown>,
): Promise<AwsCredentials> {
  await iamCall(endpoint, { Action: "PutUserPolicy", UserName: user, PolicyName: policyName, PolicyDocument: JSON.stringify(policy) });
  const key = await iamCall(endpoint, { Action: "CreateAccessKey", UserName: user });
  return {
    accessKeyId: xmlField(key, "AccessKeyId", "CreateAccessKey"),
    secretAccessKey: xmlField(key, "SecretAccessKey", "CreateAccessKey"),
  };
}

/** The trust policy of a role that only the local operator may assume (it stands in for the services). */
export function operatorTrustPolicy(operatorArn: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "LocalOperatorStandsInForTheService", Effect: "Allow", Principal: { AWS: operatorArn }, Action: "sts:AssumeRole" }],
  };
}

/** Switches moto's IAM enforcement on: from now on every request is authenticated and authorized. */
export async function enforceIam(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset-auth`, { method: "POST", body: "0" });
  if (!response.ok) throw new Error(`the emulator refused to switch IAM enforcement on: HTTP ${response.status}`);
}

/** Switches it off again (moto's default: no authentication). */
export async function stopEnforcingIam(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset-auth`, { method: "POST", body: "inf" });
  if (!response.ok) throw new Error(`the emulator refused to switch IAM enforcement off: HTTP ${response.status}`);
}

/** Credentials of `roleArn`, assumed by the operator through the emulator's STS (checked against the trust policy). */
export async function assumeRole(
  endpoint: string,
  region: string,
  operator: AwsCredentials,
  roleArn: string,
  sessionName: string,
): Promise<AwsCredentials> {
  const sts = new STSClient({ endpoint, region, credentials: operator });
  const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
  const credentials = assumed.Credentials;
  if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined || credentials.SessionToken === undefined) {
    throw new Error(`sts:AssumeRole of ${roleArn} returned no credentials`);
  }
  return { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken };
}
