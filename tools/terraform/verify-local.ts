/**
 * Checks through the AWS SDK, against the emulator, that what Terraform says it applied really exists with the key
 * settings the platform promises (and, after destroy, that it is gone). Terraform's own state is not evidence:
 * these read the emulator's APIs independently of the provider.
 */
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetConnectionCommand, GetDataQualityRulesetCommand, GetJobCommand } from "@aws-sdk/client-glue";
import { DescribeKeyCommand, GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";
import { GetFunctionCommand } from "@aws-sdk/client-lambda";
import {
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  GetObjectCommand,
  HeadBucketCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import { EMULATOR_CREDENTIALS, emulatorClientConfig } from "../../local/emulator/emulator";
import { localClients, type LocalClients } from "../../local/emulator/local-clients";
import type { EmulatorAddress } from "./emulator-override";

/** One resource from `terraform show -json` (state). */
export interface StateResource {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly values: Record<string, unknown>;
}

export interface StateJson {
  readonly values?: { readonly root_module?: { readonly resources?: readonly StateResource[] } };
}

export function stateResources(state: StateJson): readonly StateResource[] {
  return (state.values?.root_module?.resources ?? []).filter((resource) => resource.mode === "managed");
}

/**
 * Route 53 Resolver's JSON 1.1 API at the emulator, for the DNS Firewall checks: the project has no Route 53 Resolver SDK
 * client, and this reads the emulator only (which routes by the signing scope and does not verify signatures).
 */
export interface Route53ResolverCalls {
  call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
}

class Route53ResolverError extends Error {}

export function route53ResolverCalls(endpoint: string, region: string): Route53ResolverCalls {
  return {
    async call(operation, input) {
      const date = new Date().toISOString().slice(0, 10).replaceAll("-", "");
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `Route53Resolver.${operation}`,
          authorization: `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/${date}/${region}/route53resolver/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: JSON.stringify(input),
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (!response.ok) {
        const error = new Route53ResolverError(String(body.message ?? body.Message ?? response.status));
        error.name = String(body.__type ?? "Route53ResolverError")
          .split("#")
          .pop()!;
        throw error;
      }
      return body;
    },
  };
}

/** The local runtime's clients, plus EC2 for the network checks and Route 53 Resolver for the DNS Firewall. */
export type EmulatorClients = Pick<LocalClients, "s3" | "kms" | "logs" | "glue" | "lambda" | "scheduler"> & {
  readonly ec2: EC2Client;
  readonly route53resolver: Route53ResolverCalls;
  /** S3 over the emulator's plain listener: what the TLS-only bucket policies must refuse. */
  readonly plainS3: S3Client;
};

/** Every client over the emulator's TLS listener, but the plain probe and the Route 53 Resolver reads (fetch, plain). */
export function emulatorClients(emulator: EmulatorAddress, region: string): EmulatorClients {
  return {
    ...localClients(emulator.tlsEndpoint, region),
    ec2: new EC2Client(emulatorClientConfig(emulator.tlsEndpoint, region)),
    route53resolver: route53ResolverCalls(emulator.endpoint, region),
    plainS3: new S3Client({ ...emulatorClientConfig(emulator.endpoint, region), forcePathStyle: true, maxAttempts: 1 }),
  };
}

/** The status a plain-HTTP read of a key nobody wrote gets: 403 where the policy refuses plain HTTP, else 404. */
async function plainReadStatus(s3: S3Client, bucket: string): Promise<number | undefined> {
  try {
    await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "sentinel-verify/plain-http-probe" }));
    return 200;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  }
}

/** How one resource type is checked. `present` returns the problems found (none = as promised). */
interface ResourceVerifier {
  readonly type: string;
  /** What "as promised" means for this type, for the report. */
  readonly promise: string;
  /** Whether a stack without any resource of this type fails the local apply. */
  readonly required: boolean;
  present(resource: StateResource, all: readonly StateResource[], clients: EmulatorClients): Promise<string[]>;
  /** True when the emulator no longer holds the resource (a KMS key counts once it is pending deletion). */
  absent(resource: StateResource, clients: EmulatorClients): Promise<boolean>;
}

function str(resource: StateResource, key: string): string {
  const value = resource.values[key];
  if (typeof value !== "string" || value === "") throw new Error(`${resource.address} has no ${key} in the state`);
  return value;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}

/** Resolves to true when `call` fails with one of the not-found error names. */
async function isNotFound(call: () => Promise<unknown>, notFound: readonly string[]): Promise<boolean> {
  try {
    await call();
    return false;
  } catch (error) {
    if (notFound.includes(errorName(error))) return true;
    throw error;
  }
}

function sameSet(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
}

/** `<what> is <actual>, declared <declared>` when the emulator holds another value than the stack declares. */
export function unlikeDeclared(what: string, actual: unknown, declared: unknown): string[] {
  return actual === declared ? [] : [`${what} is ${String(actual)}, declared ${String(declared)}`];
}

/** `<what> are [...], declared [...]` when the emulator's list (none: empty) holds other members than the declared one. */
export function membersUnlikeDeclared(what: string, actual: readonly unknown[] | undefined, declared: readonly unknown[]): string[] {
  return sameSet(actual ?? [], declared) ? [] : [`${what} are ${JSON.stringify(actual)}, declared ${JSON.stringify(declared)}`];
}

/** The state resource of `type` whose `key` equals `value` (e.g. the encryption configuration of a bucket). */
function related(all: readonly StateResource[], type: string, key: string, value: string): StateResource | undefined {
  return all.find((resource) => resource.type === type && resource.values[key] === value);
}

interface PolicyStatement {
  readonly Effect?: string;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A Deny statement conditioned on aws:SecureTransport = false: the bucket refuses plain HTTP. */
export function deniesInsecureTransport(policy: string): boolean {
  const document = JSON.parse(policy) as { Statement?: PolicyStatement | PolicyStatement[] };
  const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
  return statements.some((statement) => {
    const secureTransport = statement.Condition?.Bool?.["aws:SecureTransport"];
    return statement.Effect === "Deny" && [secureTransport].flat().map(String).includes("false");
  });
}

const bucketVerifier: ResourceVerifier = {
  type: "aws_s3_bucket",
  // Whether a bucket may use SSE-S3 is decided at synth (the policy guard and checkov, e.g. the access-log target);
  // here the emulator must hold exactly the declared encryption.
  promise:
    "default encryption as declared (algorithm and KMS key), versioned, public access blocked, policy denies non-TLS and a plain-HTTP read is refused, access logging to the declared target",
  required: true,
  async present(resource, all, { s3, plainS3 }) {
    const bucket = str(resource, "bucket");
    const problems: string[] = [];
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    const declared = related(all, "aws_s3_bucket_server_side_encryption_configuration", "bucket", bucket);
    const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0];
    const actual = rule?.ApplyServerSideEncryptionByDefault;
    const declaredDefault = (
      (declared?.values.rule as Array<Record<string, unknown>> | undefined)?.[0]?.apply_server_side_encryption_by_default as
        Array<Record<string, string>> | undefined
    )?.[0];
    if (!declared || !declaredDefault) problems.push("no aws_s3_bucket_server_side_encryption_configuration in the stack");
    else if (
      actual?.SSEAlgorithm !== declaredDefault.sse_algorithm ||
      (actual?.KMSMasterKeyID ?? "") !== (declaredDefault.kms_master_key_id ?? "")
    ) {
      problems.push(`encryption is ${JSON.stringify(actual)}, declared ${JSON.stringify(declaredDefault)}`);
    }
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    if (versioning.Status !== "Enabled") problems.push(`versioning is ${versioning.Status ?? "off"}`);
    const block = (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration;
    if (!block?.BlockPublicAcls || !block.BlockPublicPolicy || !block.IgnorePublicAcls || !block.RestrictPublicBuckets) {
      problems.push(`public access block is ${JSON.stringify(block)}`);
    }
    if (related(all, "aws_s3_bucket_policy", "bucket", bucket) === undefined) problems.push("no aws_s3_bucket_policy applied");
    else {
      const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? "{}";
      if (!deniesInsecureTransport(policy)) problems.push("bucket policy does not deny requests without TLS");
      const status = await plainReadStatus(plainS3, bucket);
      if (status !== 403) problems.push(`a plain-HTTP read was answered ${status ?? "without a status"}, not refused (403)`);
    }
    const logging = related(all, "aws_s3_bucket_logging", "bucket", bucket);
    if (logging !== undefined) {
      const enabled = (await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled;
      if (enabled?.TargetBucket !== logging.values.target_bucket || enabled?.TargetPrefix !== logging.values.target_prefix) {
        problems.push(
          `access logging is ${JSON.stringify(enabled)}, declared ${String(logging.values.target_bucket)}/${String(logging.values.target_prefix)}`,
        );
      }
    }
    return problems;
  },
  absent: (resource, { s3 }) =>
    isNotFound(() => s3.send(new HeadBucketCommand({ Bucket: str(resource, "bucket") })), ["NotFound", "NoSuchBucket"]),
};

const kmsKeyVerifier: ResourceVerifier = {
  type: "aws_kms_key",
  promise: "enabled, rotation as declared",
  required: true,
  async present(resource, _all, { kms }) {
    const keyId = str(resource, "key_id");
    const problems: string[] = [];
    const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    if (metadata?.KeyState !== "Enabled") problems.push(`key state is ${metadata?.KeyState}`);
    const rotation = (await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled ?? false;
    return [...problems, ...unlikeDeclared("rotation", rotation, resource.values.enable_key_rotation)];
  },
  async absent(resource, { kms }) {
    try {
      const state = (await kms.send(new DescribeKeyCommand({ KeyId: str(resource, "key_id") }))).KeyMetadata?.KeyState;
      return state === "PendingDeletion";
    } catch (error) {
      if (errorName(error) === "NotFoundException") return true;
      throw error;
    }
  },
};

async function findLogGroup(logs: CloudWatchLogsClient, name: string) {
  const groups = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups ?? [];
  return groups.find((group) => group.logGroupName === name);
}

const logGroupVerifier: ResourceVerifier = {
  type: "aws_cloudwatch_log_group",
  promise: "encrypted with the declared KMS key, retention as declared",
  required: true,
  async present(resource, _all, { logs }) {
    const name = str(resource, "name");
    const group = await findLogGroup(logs, name);
    if (!group) return ["not found"];
    const problems: string[] = [];
    if (!group.kmsKeyId || group.kmsKeyId !== resource.values.kms_key_id)
      problems.push(`KMS key is ${group.kmsKeyId ?? "none"}, declared ${String(resource.values.kms_key_id)}`);
    if (!group.retentionInDays || group.retentionInDays !== resource.values.retention_in_days) {
      problems.push(`retention is ${group.retentionInDays ?? "never expire"}, declared ${String(resource.values.retention_in_days)}`);
    }
    return problems;
  },
  absent: async (resource, { logs }) => (await findLogGroup(logs, str(resource, "name"))) === undefined,
};

const vpcVerifier: ResourceVerifier = {
  type: "aws_vpc",
  promise: "exists with no internet gateway and no NAT gateway attached",
  required: true,
  async present(resource, _all, { ec2 }) {
    const vpcId = str(resource, "id");
    await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    const problems: string[] = [];
    const gateways =
      (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] })))
        .InternetGateways ?? [];
    if (gateways.length > 0) problems.push(`internet gateway attached: ${gateways.map((g) => g.InternetGatewayId).join(", ")}`);
    const nats = (
      (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [vpcId] }] }))).NatGateways ?? []
    ).filter((nat) => nat.State !== "deleted");
    if (nats.length > 0) problems.push(`NAT gateway present: ${nats.map((n) => n.NatGatewayId).join(", ")}`);
    return problems;
  },
  absent: (resource, { ec2 }) =>
    isNotFound(() => ec2.send(new DescribeVpcsCommand({ VpcIds: [str(resource, "id")] })), ["InvalidVpcID.NotFound"]),
};

const glueJobVerifier: ResourceVerifier = {
  type: "aws_glue_job",
  promise: "exists with the declared role and connections",
  required: false,
  async present(resource, _all, { glue }) {
    const job = (await glue.send(new GetJobCommand({ JobName: str(resource, "name") }))).Job;
    return [
      ...unlikeDeclared("role", job?.Role, resource.values.role_arn),
      ...membersUnlikeDeclared("connections", job?.Connections?.Connections, (resource.values.connections as string[] | null) ?? []),
    ];
  },
  absent: (resource, { glue }) =>
    isNotFound(() => glue.send(new GetJobCommand({ JobName: str(resource, "name") })), ["EntityNotFoundException"]),
};

const glueConnectionVerifier: ResourceVerifier = {
  type: "aws_glue_connection",
  // moto returns the connection's input nested under a non-standard `Connection` member, so ConnectionType is not where
  // the SDK reads it; the placement (subnet and security groups), which is what keeps the job in the VPC, is.
  promise: "exists in the declared subnet with the declared security groups",
  required: false,
  async present(resource, _all, { glue }) {
    const connection = (await glue.send(new GetConnectionCommand({ Name: str(resource, "name") }))).Connection;
    const declared = (
      resource.values.physical_connection_requirements as Array<{ subnet_id?: string; security_group_id_list?: string[] }> | null
    )?.[0];
    const actual = connection?.PhysicalConnectionRequirements;
    return [
      ...unlikeDeclared("subnet", actual?.SubnetId, declared?.subnet_id),
      ...membersUnlikeDeclared("security groups", actual?.SecurityGroupIdList, declared?.security_group_id_list ?? []),
    ];
  },
  absent: (resource, { glue }) =>
    isNotFound(() => glue.send(new GetConnectionCommand({ Name: str(resource, "name") })), ["EntityNotFoundException"]),
};

const lambdaVerifier: ResourceVerifier = {
  type: "aws_lambda_function",
  promise: "exists with the declared role and VPC subnets",
  required: false,
  async present(resource, _all, { lambda }) {
    const configuration = (await lambda.send(new GetFunctionCommand({ FunctionName: str(resource, "function_name") }))).Configuration;
    const declaredSubnets = (resource.values.vpc_config as Array<{ subnet_ids?: string[] }> | null)?.[0]?.subnet_ids ?? [];
    return [
      ...unlikeDeclared("role", configuration?.Role, resource.values.role),
      ...membersUnlikeDeclared("subnets", configuration?.VpcConfig?.SubnetIds, declaredSubnets),
    ];
  },
  absent: (resource, { lambda }) =>
    isNotFound(() => lambda.send(new GetFunctionCommand({ FunctionName: str(resource, "function_name") })), ["ResourceNotFoundException"]),
};

const dataQualityRulesetVerifier: ResourceVerifier = {
  type: "aws_glue_data_quality_ruleset",
  promise: "exists with the declared DQDL rules and target table",
  required: false,
  async present(resource, _all, { glue }) {
    const ruleset = await glue.send(new GetDataQualityRulesetCommand({ Name: str(resource, "name") }));
    const declared = (resource.values.target_table as Array<{ database_name?: string; table_name?: string }> | null)?.[0];
    const problems: string[] = [];
    if (ruleset.Ruleset !== resource.values.ruleset) problems.push("the rules differ from the declared ruleset");
    if (ruleset.TargetTable?.DatabaseName !== declared?.database_name || ruleset.TargetTable?.TableName !== declared?.table_name) {
      problems.push(
        `target table is ${ruleset.TargetTable?.DatabaseName}.${ruleset.TargetTable?.TableName}, declared ${declared?.database_name}.${declared?.table_name}`,
      );
    }
    return problems;
  },
  absent: (resource, { glue }) =>
    isNotFound(() => glue.send(new GetDataQualityRulesetCommand({ Name: str(resource, "name") })), ["EntityNotFoundException"]),
};

interface FirewallRule {
  readonly FirewallDomainListId?: string;
  readonly Action?: string;
  readonly Priority?: number;
}

function ruleKey(rule: FirewallRule): string {
  return `${rule.FirewallDomainListId} ${rule.Action} ${rule.Priority}`;
}

const dnsFirewallVerifier: ResourceVerifier = {
  type: "aws_route53_resolver_firewall_rule_group_association",
  promise: "the rule group is associated with the declared VPC and holds the declared rules",
  required: false,
  async present(resource, all, { route53resolver }) {
    const answer = await route53resolver.call("GetFirewallRuleGroupAssociation", { FirewallRuleGroupAssociationId: str(resource, "id") });
    const association = answer.FirewallRuleGroupAssociation as Record<string, unknown>;
    const groupId = str(resource, "firewall_rule_group_id");
    const problems: string[] = [];
    if (association.Status !== "COMPLETE") problems.push(`association status is ${String(association.Status)}`);
    problems.push(...unlikeDeclared("VPC", association.VpcId, resource.values.vpc_id));
    problems.push(...unlikeDeclared("rule group", association.FirewallRuleGroupId, groupId));
    const rules = ((await route53resolver.call("ListFirewallRules", { FirewallRuleGroupId: groupId })).FirewallRules ??
      []) as FirewallRule[];
    const declared = all
      .filter((rule) => rule.type === "aws_route53_resolver_firewall_rule" && rule.values.firewall_rule_group_id === groupId)
      .map((rule) =>
        ruleKey({
          FirewallDomainListId: String(rule.values.firewall_domain_list_id),
          Action: String(rule.values.action),
          Priority: Number(rule.values.priority),
        }),
      );
    return [...problems, ...membersUnlikeDeclared("rules", rules.map(ruleKey), declared)];
  },
  absent: (resource, { route53resolver }) =>
    isNotFound(
      () => route53resolver.call("GetFirewallRuleGroupAssociation", { FirewallRuleGroupAssociationId: str(resource, "id") }),
      ["ResourceNotFoundException"],
    ),
};

function scheduleKey(resource: StateResource) {
  return {
    Name: str(resource, "name"),
    GroupName: typeof resource.values.group_name === "string" ? resource.values.group_name : "default",
  };
}

const scheduleVerifier: ResourceVerifier = {
  type: "aws_scheduler_schedule",
  promise: "exists with the declared expression and target",
  required: false,
  async present(resource, _all, { scheduler }) {
    const schedule = await scheduler.send(new GetScheduleCommand(scheduleKey(resource)));
    const declaredTarget = (resource.values.target as Array<{ arn?: string }> | undefined)?.[0]?.arn;
    return [
      ...unlikeDeclared("expression", schedule.ScheduleExpression, resource.values.schedule_expression),
      ...unlikeDeclared("target", schedule.Target?.Arn, declaredTarget),
    ];
  },
  absent: (resource, { scheduler }) =>
    isNotFound(() => scheduler.send(new GetScheduleCommand(scheduleKey(resource))), ["ResourceNotFoundException"]),
};

export const VERIFIERS: readonly ResourceVerifier[] = [
  bucketVerifier,
  kmsKeyVerifier,
  logGroupVerifier,
  vpcVerifier,
  glueJobVerifier,
  glueConnectionVerifier,
  dataQualityRulesetVerifier,
  dnsFirewallVerifier,
  lambdaVerifier,
  scheduleVerifier,
];

export interface VerificationReport {
  /** One line per resource type: what was checked and how many. */
  readonly lines: readonly string[];
  readonly failures: readonly string[];
}

async function guarded(address: string, check: () => Promise<string[]>): Promise<string[]> {
  try {
    return (await check()).map((problem) => `${address}: ${problem}`);
  } catch (error) {
    return [`${address}: ${errorName(error)}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/** After apply: every checked resource exists as promised; a required type missing from the stack is a failure. */
export async function verifyApplied(resources: readonly StateResource[], clients: EmulatorClients): Promise<VerificationReport> {
  const lines: string[] = [];
  const failures: string[] = [];
  for (const verifier of VERIFIERS) {
    const ofType = resources.filter((resource) => resource.type === verifier.type);
    if (ofType.length === 0) {
      const line = `${verifier.type}: none in this stack`;
      lines.push(verifier.required ? `FAIL ${line} (required)` : `skip ${line}`);
      if (verifier.required) failures.push(`${line}, but the local apply must show it`);
      continue;
    }
    const problems = (
      await Promise.all(ofType.map((resource) => guarded(resource.address, () => verifier.present(resource, resources, clients))))
    ).flat();
    lines.push(`${problems.length === 0 ? "ok  " : "FAIL"} ${verifier.type} x${ofType.length}: ${verifier.promise}`);
    failures.push(...problems);
  }
  return { lines, failures };
}

/** After destroy: none of the checked resources remains in the emulator. */
export async function verifyDestroyed(resources: readonly StateResource[], clients: EmulatorClients): Promise<VerificationReport> {
  const lines: string[] = [];
  const failures: string[] = [];
  for (const verifier of VERIFIERS) {
    const ofType = resources.filter((resource) => resource.type === verifier.type);
    if (ofType.length === 0) continue;
    const remaining = (
      await Promise.all(
        ofType.map((resource) =>
          guarded(resource.address, async () => ((await verifier.absent(resource, clients)) ? [] : ["still exists after destroy"])),
        ),
      )
    ).flat();
    lines.push(`${remaining.length === 0 ? "ok  " : "FAIL"} ${verifier.type} x${ofType.length}: gone`);
    failures.push(...remaining);
  }
  return { lines, failures };
}
