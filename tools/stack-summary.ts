/**
 * A readable account of what one synthesized environment would create, read from its cdk.tf.json
 * (what Terraform will actually see), for `npm start` and operators.
 */

type Config = Record<string, unknown>;
export interface SynthesizedStackJson {
  readonly provider?: { readonly aws?: readonly Config[] };
  readonly terraform?: { readonly backend?: Record<string, Config> };
  readonly resource?: Record<string, Record<string, Config>>;
  readonly variable?: Record<string, Config>;
}

export interface StackSummary {
  readonly name: string;
  readonly region: string;
  readonly state: string;
  readonly vpcCidr: string;
  readonly subnets: readonly string[];
  readonly endpoints: readonly string[];
  readonly keyAliases: readonly string[];
  readonly buckets: readonly string[];
  readonly logGroups: readonly string[];
  readonly inputs: readonly string[];
  readonly resourceCount: number;
  readonly countsByType: ReadonlyMap<string, number>;
  readonly internetPath: readonly string[];
}

const INTERNET_PATH_TYPES = ["aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_route"];

export function summarizeStack(name: string, stack: SynthesizedStackJson): StackSummary {
  const resources = stack.resource ?? {};
  const all = (type: string): Config[] => Object.values(resources[type] ?? {});
  const locks = new Map(
    all("aws_s3_bucket_object_lock_configuration").map((lock) => [
      String(lock.bucket),
      (lock.rule as { default_retention: Config }).default_retention,
    ]),
  );
  const sseS3 = new Set(
    all("aws_s3_bucket_server_side_encryption_configuration")
      .filter((sse) => JSON.stringify(sse.rule).includes('"AES256"'))
      .map((sse) => String(sse.bucket)),
  );
  const buckets = Object.entries(resources.aws_s3_bucket ?? {}).map(([id, bucket]) => {
    const reference = `\${aws_s3_bucket.${id}.id}`;
    const lock = locks.get(reference);
    const notes = [
      ...(lock === undefined ? [] : [`Object Lock ${String(lock.mode)} ${String(lock.days)} d`]),
      ...(sseS3.has(reference) ? ["SSE-S3"] : ["SSE-KMS"]),
    ];
    // Names are sentinel-<env>-<tier>-<account id>; the tier is what a reader needs.
    const tier = String(bucket.bucket)
      .replace(`sentinel-${name}-`, "")
      .replace(/-(\$\{var\.account_id\}|\d{12})$/, "");
    return `${tier} (${notes.join(", ")})`;
  });
  const countsByType = new Map(
    Object.entries(resources)
      .map(([type, byId]) => [type, Object.keys(byId).length] as const)
      .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b)),
  );
  const [backendKind, backend] = Object.entries(stack.terraform?.backend ?? {})[0] ?? ["none", {}];
  const state =
    backendKind === "s3"
      ? `s3://${String(backend.bucket)}/${String(backend.key)} (KMS${backend.use_lockfile === true ? ", S3 lockfile" : ""})`
      : `${backendKind} ${String(backend.path ?? "")}`.trim();
  return {
    name,
    region: String(stack.provider?.aws?.[0]?.region ?? "?"),
    state,
    vpcCidr: all("aws_vpc")
      .map((vpc) => String(vpc.cidr_block))
      .join(", "),
    subnets: all("aws_subnet").map((subnet) => `${String(subnet.availability_zone)} ${String(subnet.cidr_block)}`),
    endpoints: all("aws_vpc_endpoint")
      .map((endpoint) => `${String(endpoint.service_name).split(".").pop()}${endpoint.vpc_endpoint_type === "Gateway" ? " (gateway)" : ""}`)
      .sort(),
    keyAliases: all("aws_kms_alias").map((alias) => String(alias.name)),
    buckets,
    logGroups: all("aws_cloudwatch_log_group").map((group) => `${String(group.name)} (${String(group.retention_in_days)} d, KMS)`),
    inputs: Object.keys(stack.variable ?? {}),
    resourceCount: [...countsByType.values()].reduce((sum, count) => sum + count, 0),
    countsByType,
    internetPath: INTERNET_PATH_TYPES.filter((type) => (countsByType.get(type) ?? 0) > 0),
  };
}

export function formatSummary(summary: StackSummary): string {
  const counts = [...summary.countsByType.entries()].map(([type, count]) => `${count} ${type.replace(/^aws_/, "")}`).join(", ");
  return [
    `${summary.name}  region ${summary.region}, state ${summary.state}`,
    `  network     VPC ${summary.vpcCidr}; private subnets ${summary.subnets.join(", ")}; ` +
      (summary.internetPath.length === 0 ? "no internet path" : `INTERNET PATH: ${summary.internetPath.join(", ")}`),
    `  endpoints   ${summary.endpoints.join(", ")}`,
    `  keys        ${summary.keyAliases.join(", ")}`,
    `  buckets     sentinel-${summary.name}-<tier>-<account id>: ${summary.buckets.join("; ")}`,
    `  log groups  ${summary.logGroups.join("; ")}`,
    `  inputs      ${summary.inputs.join(", ")}`,
    `  resources   ${summary.resourceCount}: ${counts}`,
  ].join("\n");
}
