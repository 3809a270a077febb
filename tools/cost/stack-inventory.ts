/**
 * The billable things one synthesized environment declares, read from its Terraform JSON: interface
 * endpoints and their Availability Zones, Glue jobs with worker type and count, DataBrew jobs (inside the
 * CloudFormation templates) with their node count, schedules, log groups with retention, flow logs, KMS
 * keys, alarms, dashboards, Lambda functions and the buckets' lifecycle rules.
 */

type Resources = Record<string, Record<string, Record<string, unknown>>>;

export interface StorageTransition {
  readonly days: number;
  readonly storageClass: string;
}

export interface BucketLifecycle {
  /** the bucket's tier (raw, processed, archive, artifacts, lineage-audit, access-logs) */
  readonly tier: string;
  readonly transitions: readonly StorageTransition[];
  readonly expirationDays: number | undefined;
}

export interface StackInventory {
  readonly environment: string;
  readonly region: string;
  readonly interfaceEndpoints: ReadonlyArray<{ readonly service: string; readonly availabilityZones: number }>;
  readonly glueJobs: ReadonlyArray<{ readonly name: string; readonly workerType: string; readonly workers: number }>;
  readonly databrewJobs: ReadonlyArray<{ readonly name: string; readonly nodes: number }>;
  readonly schedules: ReadonlyArray<{ readonly name: string; readonly expression: string }>;
  readonly logGroups: ReadonlyArray<{ readonly name: string; readonly retentionDays: number | undefined }>;
  readonly flowLogs: number;
  readonly kmsKeys: number;
  readonly alarms: number;
  readonly dashboards: number;
  readonly lambdas: ReadonlyArray<{ readonly name: string; readonly memoryMb: number }>;
  readonly buckets: readonly BucketLifecycle[];
}

/** DataBrew's default MaxCapacity for a job (AWS::DataBrew::Job). */
const DATABREW_DEFAULT_NODES = 5;

function resourcesOf(stack: Record<string, unknown>, type: string): Array<Record<string, unknown>> {
  return Object.values(((stack.resource ?? {}) as Resources)[type] ?? {});
}

function constructPath(resource: Record<string, unknown>): string {
  return ((resource["//"] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? "").toString();
}

/** The tier of a bucket from its construct path (`<env>/buckets/<tier>/...`). */
function tierOf(resource: Record<string, unknown>): string {
  const parts = constructPath(resource).split("/");
  const index = parts.indexOf("buckets");
  return index >= 0 && parts[index + 1] !== undefined ? (parts[index + 1] as string) : "unknown";
}

function first<T>(value: unknown): T | undefined {
  return (Array.isArray(value) ? value[0] : value) as T | undefined;
}

function lifecycleOf(resource: Record<string, unknown>): Omit<BucketLifecycle, "tier"> {
  const transitions: StorageTransition[] = [];
  let expirationDays: number | undefined;
  for (const rule of (resource.rule ?? []) as Array<Record<string, unknown>>) {
    if (rule.status !== "Enabled") continue;
    for (const transition of (rule.transition ?? []) as Array<{ days: number; storage_class: string }>) {
      transitions.push({ days: transition.days, storageClass: transition.storage_class });
    }
    const expiration = first<{ days?: number }>(rule.expiration);
    if (expiration?.days !== undefined) expirationDays = Math.min(expirationDays ?? Infinity, expiration.days);
  }
  return { transitions: transitions.sort((a, b) => a.days - b.days), expirationDays };
}

function databrewJobs(stack: Record<string, unknown>): Array<{ name: string; nodes: number }> {
  return resourcesOf(stack, "aws_cloudformation_stack").flatMap((cfn) => {
    if (typeof cfn.template_body !== "string") return [];
    let template: { Resources?: Record<string, { Type: string; Properties?: { Name?: unknown; MaxCapacity?: number } }> };
    try {
      template = JSON.parse(cfn.template_body) as typeof template;
    } catch {
      return [];
    }
    return Object.values(template.Resources ?? {})
      .filter((resource) => resource.Type === "AWS::DataBrew::Job")
      .map((resource) => ({
        name: String(resource.Properties?.Name ?? "?"),
        nodes: resource.Properties?.MaxCapacity ?? DATABREW_DEFAULT_NODES,
      }));
  });
}

export function inventoryOf(environment: string, stack: Record<string, unknown>): StackInventory {
  const provider = first<{ region?: string }>((stack.provider as { aws?: unknown } | undefined)?.aws);
  const buckets = Object.fromEntries(
    Object.entries(((stack.resource ?? {}) as Resources).aws_s3_bucket ?? {}).map(([id, bucket]) => [id, tierOf(bucket)]),
  );
  return {
    environment,
    region: provider?.region ?? "unknown",
    interfaceEndpoints: resourcesOf(stack, "aws_vpc_endpoint")
      .filter((endpoint) => endpoint.vpc_endpoint_type === "Interface")
      .map((endpoint) => ({
        service: String(endpoint.service_name).split(".").pop() ?? "?",
        availabilityZones: Array.isArray(endpoint.subnet_ids) ? endpoint.subnet_ids.length : 1,
      })),
    glueJobs: resourcesOf(stack, "aws_glue_job").map((job) => ({
      name: String(job.name),
      workerType: String(job.worker_type ?? "G.1X"),
      workers: Number(job.number_of_workers ?? 1),
    })),
    databrewJobs: databrewJobs(stack),
    schedules: resourcesOf(stack, "aws_scheduler_schedule").map((schedule) => ({
      name: String(schedule.name),
      expression: String(schedule.schedule_expression),
    })),
    logGroups: resourcesOf(stack, "aws_cloudwatch_log_group").map((group) => ({
      name: String(group.name),
      retentionDays: group.retention_in_days as number | undefined,
    })),
    flowLogs: resourcesOf(stack, "aws_flow_log").length,
    kmsKeys: resourcesOf(stack, "aws_kms_key").length,
    alarms: resourcesOf(stack, "aws_cloudwatch_metric_alarm").length,
    dashboards: resourcesOf(stack, "aws_cloudwatch_dashboard").length,
    lambdas: resourcesOf(stack, "aws_lambda_function").map((fn) => ({
      name: String(fn.function_name),
      memoryMb: Number(fn.memory_size ?? 128),
    })),
    buckets: resourcesOf(stack, "aws_s3_bucket_lifecycle_configuration").map((lifecycle) => {
      const bucketId = String(lifecycle.bucket).match(/aws_s3_bucket\.([^.]+)\./)?.[1] ?? "";
      return { tier: buckets[bucketId] ?? "unknown", ...lifecycleOf(lifecycle) };
    }),
  };
}

/** Runs per month of a schedule expression: rate(...) or the day fields of cron(...). */
export function runsPerMonth(expression: string): number {
  const DAYS_PER_MONTH = 365.25 / 12;
  const rate = expression.match(/^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/);
  if (rate !== null) {
    const minutes = Number(rate[1]) * { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 }[rate[2] as "day"];
    return (DAYS_PER_MONTH * 1440) / minutes;
  }
  const cron = expression.match(/^cron\((.+)\)$/)?.[1]?.split(/\s+/);
  if (cron === undefined || cron.length !== 6) throw new Error(`cannot read the schedule expression ${expression}`);
  const [minutes, hours, dayOfMonth, , dayOfWeek] = cron as [string, string, string, string, string];
  const count = (field: string, size: number) => (field === "*" ? size : field.split(",").length);
  const perDay = count(minutes, 60) * count(hours, 24);
  if (dayOfMonth !== "*" && dayOfMonth !== "?") return perDay * dayOfMonth.split(",").length;
  if (dayOfWeek === "*" || dayOfWeek === "?") return perDay * DAYS_PER_MONTH;
  const weekdays = dayOfWeek === "MON-FRI" ? 5 : dayOfWeek.split(",").length;
  return perDay * weekdays * (DAYS_PER_MONTH / 7);
}
