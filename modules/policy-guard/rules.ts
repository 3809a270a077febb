/**
 * The policy guard's rules. Each takes a resolved resource and returns the problems it finds,
 * phrased for the engineer who has to fix them.
 */
import { isWildcardAction } from "../iam/rules";
import { asStrings, blocks, isTrue, type Json, type JsonObject, type ResolvedElement } from "./resolved-resources";
import type { StackInventory } from "./stack-inventory";

export const GUARD_RULES = [
  "bucket-sse-kms",
  "bucket-public-access-block",
  "bucket-versioning",
  "bucket-tls-only",
  "bucket-access-logging",
  "log-group-kms",
  "log-group-retention",
  "no-internet-gateway",
  "no-nat-gateway",
  "no-eip",
  "no-public-ip",
  "no-default-route",
  "iam-wildcard-action",
  "kms-key-policy",
  "bucket-kms-key-id",
  "bucket-object-lock-mode",
  "cloudtrail-integrity",
  "vpc-dns-firewall",
] as const;
export type GuardRule = (typeof GUARD_RULES)[number];

export interface Violation {
  readonly rule: GuardRule;
  readonly message: string;
}

export interface RuleContext {
  readonly inventory: StackInventory;
  /** Rules the construct is exempt from (see PolicyGuard.exempt). */
  readonly exemptions: ReadonlySet<GuardRule>;
}

export function checkElement(element: ResolvedElement, context: RuleContext): Violation[] {
  const violations: Violation[] = [...iamWildcardActions(element)];
  if (element.kind !== "resource") return violations;
  switch (element.type) {
    case "aws_s3_bucket":
      violations.push(...bucketRules(element, context));
      break;
    case "aws_cloudwatch_log_group":
      violations.push(...logGroupRules(element));
      break;
    case "aws_kms_key":
    case "aws_kms_key_policy":
      violations.push(...keyPolicyRules(element));
      break;
    case "aws_cloudtrail":
      violations.push(...trailRules(element));
      break;
    case "aws_vpc":
      violations.push(...dnsFirewallRules(element, context.inventory));
      break;
    default:
      violations.push(...internetPathRules(element));
  }
  return violations;
}

function bucketRules(bucket: ResolvedElement, context: RuleContext): Violation[] {
  const { inventory, exemptions } = context;
  const violations: Violation[] = [];
  const name = typeof bucket.config.bucket === "string" ? bucket.config.bucket : bucket.logicalId;

  const algorithms = inventory
    .companionsOf(bucket, "aws_s3_bucket_server_side_encryption_configuration")
    .flatMap((sse) => blocks(sse.config.rule))
    .flatMap((rule) => blocks(rule.apply_server_side_encryption_by_default))
    .map((defaults) => ({ algorithm: defaults.sse_algorithm, keyId: defaults.kms_master_key_id }));
  const kms = algorithms.some(
    ({ algorithm, keyId }) => (algorithm === "aws:kms" || algorithm === "aws:kms:dsse") && typeof keyId === "string" && keyId !== "",
  );
  const sseS3 = algorithms.some(({ algorithm }) => algorithm === "AES256");
  if (!kms && !(exemptions.has("bucket-sse-kms") && sseS3)) {
    violations.push({
      rule: "bucket-sse-kms",
      message: `bucket ${name} has no SSE-KMS default encryption with a customer-managed key (aws_s3_bucket_server_side_encryption_configuration, sse_algorithm aws:kms, kms_master_key_id)`,
    });
  }

  const blocked = inventory
    .companionsOf(bucket, "aws_s3_bucket_public_access_block")
    .some((block) =>
      ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every((flag) =>
        isTrue(block.config[flag]),
      ),
    );
  if (!blocked) {
    violations.push({
      rule: "bucket-public-access-block",
      message: `bucket ${name} lacks an aws_s3_bucket_public_access_block with all four blocks set to true`,
    });
  }

  const versioned = inventory
    .companionsOf(bucket, "aws_s3_bucket_versioning")
    .some((versioning) => blocks(versioning.config.versioning_configuration).some((v) => v.status === "Enabled"));
  if (!versioned) {
    violations.push({ rule: "bucket-versioning", message: `bucket ${name} has no aws_s3_bucket_versioning with status Enabled` });
  }

  const tlsOnly = inventory
    .companionsOf(bucket, "aws_s3_bucket_policy")
    .some((policy) => typeof policy.config.policy === "string" && deniesInsecureTransport(policy.config.policy, name));
  if (!tlsOnly) {
    violations.push({
      rule: "bucket-tls-only",
      message: `bucket ${name} has no bucket policy denying s3:* on the bucket and its objects when aws:SecureTransport is false`,
    });
  }

  const bucketPolicies = inventory
    .companionsOf(bucket, "aws_s3_bucket_policy")
    .map((policy) => (typeof policy.config.policy === "string" ? parsePolicy(policy.config.policy) : undefined))
    .filter((document): document is JsonObject => document !== undefined)
    .flatMap(statementsOf);
  if (kms && !bucketPolicies.some(deniesKmsWithoutKeyId)) {
    violations.push({
      rule: "bucket-kms-key-id",
      message: `bucket ${name} has no policy denying s3:PutObject with s3:x-amz-server-side-encryption aws:kms and a Null s3:x-amz-server-side-encryption-aws-kms-key-id (S3 would use the AWS-managed aws/s3 key)`,
    });
  }
  if (isTrue(bucket.config.object_lock_enabled) && !bucketPolicies.some(deniesOtherLockMode)) {
    violations.push({
      rule: "bucket-object-lock-mode",
      message: `bucket ${name} has Object Lock but no policy denying s3:PutObject with another s3:object-lock-mode than its default (a writer could choose GOVERNANCE)`,
    });
  }

  const logged = inventory.companionsOf(bucket, "aws_s3_bucket_logging").length > 0;
  if (!logged && !exemptions.has("bucket-access-logging")) {
    violations.push({ rule: "bucket-access-logging", message: `bucket ${name} has no aws_s3_bucket_logging (server access logs)` });
  }
  return violations;
}

function denyToAnyone(statement: JsonObject, action: string): boolean {
  const anyone = statement.Principal === "*" || asStrings(blocks(statement.Principal)[0]?.AWS).includes("*");
  const actions = asStrings(statement.Action);
  return (
    statement.Effect === "Deny" &&
    anyone &&
    (actions.includes(action) || actions.includes("*") || actions.includes(`${action.split(":")[0]}:*`))
  );
}

function conditionValues(statement: JsonObject, operator: string, key: string): string[] {
  return blocks(statement.Condition)
    .flatMap((condition) => blocks(condition[operator]))
    .flatMap((keys) => asStrings(keys[key]));
}

function deniesKmsWithoutKeyId(statement: JsonObject): boolean {
  return (
    denyToAnyone(statement, "s3:PutObject") &&
    conditionValues(statement, "StringEquals", "s3:x-amz-server-side-encryption").includes("aws:kms") &&
    conditionValues(statement, "Null", "s3:x-amz-server-side-encryption-aws-kms-key-id").includes("true")
  );
}

function deniesOtherLockMode(statement: JsonObject): boolean {
  return denyToAnyone(statement, "s3:PutObject") && conditionValues(statement, "StringNotEquals", "s3:object-lock-mode").length > 0;
}

/** What a key policy may leave to every IAM principal of the account (AWS's recovery path). */
const ACCOUNT_RECOVERY_ACTIONS = new Set(["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy"]);
const KEY_MANAGEMENT_GUARDED = ["kms:PutKeyPolicy", "kms:DisableKey", "kms:ScheduleKeyDeletion"];
const KEY_USE_ACTIONS = ["kms:Decrypt", "kms:Sign", "kms:GenerateMac"];

/**
 * A platform key policy separates administrators from users: no statement hands data use to the
 * whole account (the account root without an aws:PrincipalArn condition), a Deny to anyone guards
 * the key's use (Decrypt, Sign or GenerateMac) and another its policy, state and deletion.
 */
function keyPolicyRules(element: ResolvedElement): Violation[] {
  const policy = typeof element.config.policy === "string" ? parsePolicy(element.config.policy) : undefined;
  const where = `${element.type} ${element.logicalId}`;
  if (policy === undefined)
    return [
      {
        rule: "kms-key-policy",
        message: `${where} has no key policy the guard can inspect (the default policy gives the account root kms:*)`,
      },
    ];
  const statements = statementsOf(policy);
  const violations: Violation[] = [];
  for (const statement of statements.filter((candidate) => candidate.Effect === "Allow")) {
    const toAccount = asStrings(blocks(statement.Principal)[0]?.AWS).some((principal) => ACCOUNT_ROOT.test(principal));
    const confined =
      conditionValues(statement, "ArnEquals", "aws:PrincipalArn").length > 0 ||
      conditionValues(statement, "StringEquals", "aws:PrincipalArn").length > 0;
    const beyondRecovery = asStrings(statement.Action).filter((action) => !ACCOUNT_RECOVERY_ACTIONS.has(action));
    if (toAccount && !confined && beyondRecovery.length > 0) {
      violations.push({
        rule: "kms-key-policy",
        message: `${where} statement ${String(statement.Sid ?? "(no Sid)")} lets every IAM principal of the account ${beyondRecovery.join(", ")}: name the users with an aws:PrincipalArn condition`,
      });
    }
  }
  if (!statements.some((statement) => KEY_USE_ACTIONS.some((action) => denyToAnyone(statement, action)))) {
    violations.push({
      rule: "kms-key-policy",
      message: `${where} has no Deny of the key's use (${KEY_USE_ACTIONS.join(", ")}) to principals outside its allow-list`,
    });
  }
  const unguarded = KEY_MANAGEMENT_GUARDED.filter((action) => !statements.some((statement) => denyToAnyone(statement, action)));
  if (unguarded.length > 0) {
    violations.push({
      rule: "kms-key-policy",
      message: `${where} does not deny ${unguarded.join(", ")} to principals other than the key administrators`,
    });
  }
  return violations;
}

function trailRules(trail: ResolvedElement): Violation[] {
  const violations: Violation[] = [];
  if (!isTrue(trail.config.enable_log_file_validation)) {
    violations.push({
      rule: "cloudtrail-integrity",
      message: `aws_cloudtrail ${trail.logicalId} has no log file validation (enable_log_file_validation), so edited or deleted log files go unnoticed`,
    });
  }
  if (typeof trail.config.kms_key_id !== "string" || trail.config.kms_key_id === "") {
    violations.push({
      rule: "cloudtrail-integrity",
      message: `aws_cloudtrail ${trail.logicalId} is not encrypted with a customer-managed key (kms_key_id)`,
    });
  }
  return violations;
}

function dnsFirewallRules(vpc: ResolvedElement, inventory: StackInventory): Violation[] {
  const reference = `\${aws_vpc.${vpc.logicalId}.id}`;
  const filtered = inventory
    .ofType("aws_route53_resolver_firewall_rule_group_association")
    .some((association) => association.config.vpc_id === reference);
  return filtered
    ? []
    : [
        {
          rule: "vpc-dns-firewall",
          message: `aws_vpc ${vpc.logicalId} has no Route 53 Resolver DNS Firewall rule group association: DNS queries could carry data out`,
        },
      ];
}

function deniesInsecureTransport(policyJson: string, bucketName: string): boolean {
  const document = parsePolicy(policyJson);
  if (document === undefined) return false;
  return statementsOf(document).some((statement) => {
    const insecure = blocks(statement.Condition).some((condition) =>
      blocks(condition.Bool).some(
        (bool) => asStrings(bool["aws:SecureTransport"]).includes("false") || bool["aws:SecureTransport"] === false,
      ),
    );
    const actions = asStrings(statement.Action);
    const resources = asStrings(statement.Resource);
    const anyone = statement.Principal === "*" || asStrings(blocks(statement.Principal)[0]?.AWS).includes("*");
    return (
      statement.Effect === "Deny" &&
      anyone &&
      insecure &&
      (actions.includes("s3:*") || actions.includes("*")) &&
      resources.some((resource) => resource.endsWith(`:::${bucketName}`)) &&
      resources.some((resource) => resource.endsWith(`:::${bucketName}/*`))
    );
  });
}

function logGroupRules(group: ResolvedElement): Violation[] {
  const name = typeof group.config.name === "string" ? group.config.name : group.logicalId;
  const violations: Violation[] = [];
  if (typeof group.config.kms_key_id !== "string" || group.config.kms_key_id === "") {
    violations.push({ rule: "log-group-kms", message: `log group ${name} is not encrypted with a KMS key (kms_key_id)` });
  }
  const retention = group.config.retention_in_days;
  if (typeof retention !== "number" || retention <= 0) {
    violations.push({
      rule: "log-group-retention",
      message: `log group ${name} has no retention_in_days, so it would keep events forever`,
    });
  }
  return violations;
}

const FORBIDDEN_TYPES: Readonly<Record<string, { rule: GuardRule; what: string }>> = {
  aws_internet_gateway: { rule: "no-internet-gateway", what: "an internet gateway" },
  aws_internet_gateway_attachment: { rule: "no-internet-gateway", what: "an internet gateway attachment" },
  aws_egress_only_internet_gateway: { rule: "no-internet-gateway", what: "an egress-only internet gateway" },
  aws_nat_gateway: { rule: "no-nat-gateway", what: "a NAT gateway" },
  aws_eip: { rule: "no-eip", what: "an Elastic IP" },
  aws_eip_association: { rule: "no-eip", what: "an Elastic IP association" },
  aws_default_vpc: { rule: "no-public-ip", what: "the default VPC (it has an internet gateway and public subnets)" },
  aws_default_subnet: { rule: "no-public-ip", what: "a default subnet (it maps public IPs)" },
};

const DEFAULT_ROUTES = ["0.0.0.0/0", "::/0"];

function internetPathRules(element: ResolvedElement): Violation[] {
  const forbidden = FORBIDDEN_TYPES[element.type];
  if (forbidden !== undefined) {
    return [
      { rule: forbidden.rule, message: `${element.type} ${element.logicalId} is ${forbidden.what}; the platform has no internet path` },
    ];
  }
  const { config } = element;
  const violations: Violation[] = [];
  const publicIp = (what: string): Violation => ({
    rule: "no-public-ip",
    message: `${element.type} ${element.logicalId} ${what}; nothing in the platform gets a public IP`,
  });
  if (element.type === "aws_subnet" && (isTrue(config.map_public_ip_on_launch) || isTrue(config.map_customer_owned_ip_on_launch))) {
    violations.push(publicIp("maps public IPs on launch"));
  }
  if ((element.type === "aws_instance" || element.type === "aws_spot_instance_request") && isTrue(config.associate_public_ip_address)) {
    violations.push(publicIp("associates a public IP"));
  }
  if (element.type === "aws_launch_template" && blocks(config.network_interfaces).some((nic) => isTrue(nic.associate_public_ip_address))) {
    violations.push(publicIp("associates public IPs with its network interfaces"));
  }
  const routes =
    element.type === "aws_route"
      ? [config]
      : element.type === "aws_route_table" || element.type === "aws_default_route_table"
        ? blocks(config.route)
        : [];
  for (const route of routes) {
    const destination = [route.destination_cidr_block, route.destination_ipv6_cidr_block, route.cidr_block, route.ipv6_cidr_block].find(
      (value): value is string => typeof value === "string" && DEFAULT_ROUTES.includes(value),
    );
    if (destination !== undefined) {
      violations.push({
        rule: "no-default-route",
        message: `${element.type} ${element.logicalId} routes ${destination}; the platform reaches AWS through VPC endpoints only`,
      });
    }
  }
  return violations;
}

/**
 * Any Allow with a wildcard action, wherever a policy appears: JSON policy strings in any
 * attribute, inline role policies, aws_iam_policy_document data sources, key policies included
 * (the account root's `kms:*` of AWS's default key policy is exactly what kms-key-policy forbids).
 */
function iamWildcardActions(element: ResolvedElement): Violation[] {
  const violations: Violation[] = [];
  const report = (where: string, problem: string) =>
    violations.push({ rule: "iam-wildcard-action", message: `${element.type} ${element.logicalId} ${where}: ${problem}` });

  if (element.type === "aws_iam_policy_document") {
    for (const statement of blocks(element.config.statement)) {
      const allow = statement.effect === undefined || statement.effect === "Allow";
      const wildcards = asStrings(statement.actions).filter(isWildcardAction);
      if (allow && wildcards.length > 0)
        report(`statement ${String(statement.sid ?? "")}`, `Allow with wildcard actions ${wildcards.join(", ")}`);
      if (allow && asStrings(statement.not_actions).length > 0)
        report(`statement ${String(statement.sid ?? "")}`, "Allow with not_actions grants every other action");
    }
    return violations;
  }

  for (const [attribute, value] of policyStrings(element.config)) {
    const document = parsePolicy(value);
    if (document === undefined) {
      if (!/^\$\{data\.aws_iam_policy_document\.[\w-]+\.json\}$/.test(value)) {
        report(attribute, "policy is not a JSON document the guard can inspect");
      }
      continue;
    }
    for (const statement of statementsOf(document)) {
      if (statement.Effect !== "Allow") continue;
      const sid = typeof statement.Sid === "string" ? statement.Sid : "(no Sid)";
      if (statement.NotAction !== undefined) report(`${attribute} statement ${sid}`, "Allow with NotAction grants every other action");
      const wildcards = asStrings(statement.Action).filter(isWildcardAction);
      if (wildcards.length > 0) {
        report(`${attribute} statement ${sid}`, `Allow with wildcard actions ${wildcards.join(", ")}`);
      }
    }
  }
  return violations;
}

const POLICY_ATTRIBUTES = new Set(["policy", "assume_role_policy", "policy_document", "access_policies", "resource_policy"]);

/** Attribute paths and values of every policy-bearing string in a resource's config. */
function policyStrings(config: JsonObject, path = ""): [string, string][] {
  const found: [string, string][] = [];
  for (const [key, value] of Object.entries(config)) {
    const where = path === "" ? key : `${path}.${key}`;
    if (typeof value === "string") {
      if (POLICY_ATTRIBUTES.has(key) || looksLikePolicy(value)) found.push([where, value]);
    } else if (value !== null && typeof value === "object") {
      const children: Json[] = Array.isArray(value) ? value : [value];
      children.forEach((child, index) => {
        if (child !== null && typeof child === "object" && !Array.isArray(child)) {
          found.push(...policyStrings(child, Array.isArray(value) ? `${where}[${index}]` : where));
        }
      });
    }
  }
  return found;
}

function looksLikePolicy(value: string): boolean {
  return value.trimStart().startsWith("{") && value.includes('"Statement"');
}

function parsePolicy(value: string): JsonObject | undefined {
  try {
    const parsed = JSON.parse(value) as Json;
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) && "Statement" in parsed ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function statementsOf(document: JsonObject): JsonObject[] {
  return blocks(document.Statement);
}

const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}|\$\{[^}]+\}):root$/;
