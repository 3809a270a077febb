/**
 * Monthly cost of one environment: quantities from its synthesized stack (what is deployed and how it is
 * sized) times the workload assumptions (how much data flows), priced with the repository's pricing table.
 * Each line says where its quantity came from.
 */
import type { PriceKey, PricingTable } from "./pricing-table";
import { runsPerMonth, type BucketLifecycle, type StackInventory } from "./stack-inventory";
import type { Workload } from "./workload";

export interface CostLine {
  readonly component: string;
  readonly quantity: number;
  readonly unit: string;
  readonly priceKey: PriceKey;
  readonly unitPriceUsd: number;
  readonly monthlyUsd: number;
  /** where the quantity comes from: the stack, an assumption, or both */
  readonly basis: string;
}

export interface CostEstimate {
  readonly environment: string;
  readonly stackRegion: string;
  readonly pricing: { readonly region: string; readonly compiled: string };
  readonly runsPerMonth: number;
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  readonly notes: readonly string[];
}

export const HOURS_PER_MONTH = 730;
const DAYS_PER_MONTH = 365.25 / 12;

/** DPUs per worker (Glue worker types). */
const DPU_PER_WORKER: Readonly<Record<string, number>> = { "G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8 };

const STORAGE_CLASS_PRICE: Readonly<Record<string, PriceKey>> = {
  STANDARD: "s3StandardGbMonth",
  STANDARD_IA: "s3StandardIaGbMonth",
  GLACIER: "s3GlacierGbMonth",
  DEEP_ARCHIVE: "s3DeepArchiveGbMonth",
};

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** GB held in each storage class after `horizonDays` of a steady daily inflow, by the bucket's lifecycle. */
export function storageByClass(
  lifecycle: Pick<BucketLifecycle, "transitions" | "expirationDays">,
  gbPerDay: number,
  horizonDays: number,
): Map<string, number> {
  const kept = Math.min(horizonDays, lifecycle.expirationDays ?? Infinity);
  const boundaries = [{ days: 0, storageClass: "STANDARD" }, ...lifecycle.transitions];
  const byClass = new Map<string, number>();
  boundaries.forEach((boundary, index) => {
    const from = boundary.days;
    const to = Math.min(boundaries[index + 1]?.days ?? Infinity, kept);
    if (to > from) byClass.set(boundary.storageClass, (byClass.get(boundary.storageClass) ?? 0) + (to - from) * gbPerDay);
  });
  return byClass;
}

export function estimateCost(inventory: StackInventory, pricing: PricingTable, workload: Workload): CostEstimate {
  const lines: CostLine[] = [];
  const notes: string[] = [];
  const line = (component: string, quantity: number, unit: string, priceKey: PriceKey, basis: string, perUnits = 1) => {
    const unitPriceUsd = pricing.prices[priceKey].usd;
    lines.push({
      component,
      quantity: round(quantity, 3),
      unit,
      priceKey,
      unitPriceUsd,
      monthlyUsd: round((quantity / perUnits) * unitPriceUsd),
      basis,
    });
  };
  const runs = inventory.schedules.reduce((sum, schedule) => sum + runsPerMonth(schedule.expression), 0);
  const scheduleBasis = `${inventory.schedules.length} schedule(s): ${[...new Set(inventory.schedules.map((schedule) => schedule.expression))].join(", ")}`;

  const endpointAzs = inventory.interfaceEndpoints.reduce((sum, endpoint) => sum + endpoint.availabilityZones, 0);
  line(
    "VPC interface endpoints",
    endpointAzs * HOURS_PER_MONTH,
    "endpoint-AZ-hours",
    "vpcInterfaceEndpointAzHour",
    `${inventory.interfaceEndpoints.length} interface endpoints (${inventory.interfaceEndpoints.map((endpoint) => endpoint.service).join(", ")}) x ${endpointAzs / Math.max(inventory.interfaceEndpoints.length, 1)} AZs x ${HOURS_PER_MONTH} h`,
  );
  line(
    "VPC endpoint data processed",
    runs * workload.endpointGbPerRun,
    "GB",
    "vpcInterfaceEndpointGb",
    `${round(runs, 1)} runs x ${workload.endpointGbPerRun} GB (assumption)`,
  );

  if (inventory.glueJobs.length === 0) notes.push("the synthesized stack has no aws_glue_job yet: the Glue line is zero");
  for (const job of inventory.glueJobs) {
    const dpus = (DPU_PER_WORKER[job.workerType] ?? 1) * job.workers;
    const minutes = Math.max(1, workload.glueStartupMinutes + workload.rowsPerRun / (workload.rowsPerDpuSecond * dpus) / 60);
    line(
      `Glue ETL job ${job.name}`,
      (runs * dpus * minutes) / 60,
      "DPU-hours",
      "glueDpuHour",
      `${round(runs, 1)} runs x ${job.workers} x ${job.workerType} (${dpus} DPU) x ${round(minutes, 1)} min (${workload.rowsPerRun.toLocaleString("en-US")} rows at ${workload.rowsPerDpuSecond} rows/DPU-s + ${workload.glueStartupMinutes} min start)`,
    );
  }
  if (inventory.databrewJobs.length === 0) notes.push("the synthesized stack has no DataBrew job yet: the DataBrew line is zero");
  else {
    const nodes = inventory.databrewJobs.reduce((sum, job) => sum + job.nodes, 0) / inventory.databrewJobs.length;
    line(
      "DataBrew PII profile jobs",
      (runs * nodes * workload.databrewMinutesPerRun) / 60,
      "node-hours",
      "databrewNodeHour",
      `${round(runs, 1)} runs x ${round(nodes, 1)} nodes (MaxCapacity) x ${workload.databrewMinutesPerRun} min (assumption)`,
    );
  }

  const lambdaGbPerMonth = (runs * workload.lambdaInvocationsPerRun * 2_000) / 1e9;
  const glueLogGb = (runs * workload.glueLogMbPerRun) / 1000;
  line(
    "CloudWatch Logs ingestion",
    glueLogGb + lambdaGbPerMonth,
    "GB",
    "logsIngestionGb",
    `${round(runs, 1)} runs x ${workload.glueLogMbPerRun} MB Glue logs + handler logs (assumption)`,
  );
  const flowGb = inventory.flowLogs * workload.flowLogGbPerDay * DAYS_PER_MONTH;
  line(
    "VPC flow logs (vended)",
    flowGb,
    "GB",
    "vendedLogsIngestionGb",
    `${inventory.flowLogs} flow log(s) x ${workload.flowLogGbPerDay} GB/day (assumption)`,
  );
  const retentionMonths = Math.max(...inventory.logGroups.map((group) => (group.retentionDays ?? 3653) / DAYS_PER_MONTH), 0);
  const keptMonths = Math.min(retentionMonths, workload.storageHorizonMonths);
  line(
    "CloudWatch Logs storage",
    (glueLogGb + lambdaGbPerMonth + flowGb) * keptMonths,
    "GB-months",
    "logsStorageGbMonth",
    `month ${workload.storageHorizonMonths}: ${round(keptMonths, 1)} months kept (retention ${round(retentionMonths, 1)} months, ${inventory.logGroups.length} log groups)`,
  );
  line("CloudWatch alarms", inventory.alarms, "alarms", "cloudwatchAlarmMonth", `${inventory.alarms} metric alarms in the stack`);
  line(
    "CloudWatch dashboards",
    inventory.dashboards,
    "dashboards",
    "cloudwatchDashboardMonth",
    `${inventory.dashboards} dashboard(s) in the stack`,
  );

  line("KMS keys", inventory.kmsKeys, "keys", "kmsKeyMonth", `${inventory.kmsKeys} customer-managed keys in the stack`);
  line(
    "KMS requests",
    runs * workload.kmsRequestsPerRun,
    "requests",
    "kmsRequests10k",
    `${round(runs, 1)} runs x ${workload.kmsRequestsPerRun} requests (assumption)`,
    10_000,
  );

  const rawGbPerDay = (runs * workload.rowsPerRun * workload.rawBytesPerRow) / 1e9 / DAYS_PER_MONTH;
  const inflow: Readonly<Record<string, number>> = { raw: rawGbPerDay, processed: rawGbPerDay * workload.processedToRawRatio };
  const horizonDays = workload.storageHorizonMonths * DAYS_PER_MONTH;
  for (const bucket of inventory.buckets.filter((candidate) => (inflow[candidate.tier] ?? 0) > 0)) {
    for (const [storageClass, gb] of storageByClass(bucket, inflow[bucket.tier] as number, horizonDays)) {
      const priceKey = STORAGE_CLASS_PRICE[storageClass];
      if (priceKey === undefined)
        throw new Error(`storage class ${storageClass} (${bucket.tier} bucket lifecycle) has no price in the pricing table`);
      line(
        `S3 ${bucket.tier} ${storageClass}`,
        gb,
        "GB-months",
        priceKey,
        `month ${workload.storageHorizonMonths} of ${round((inflow[bucket.tier] as number) * DAYS_PER_MONTH, 2)} GB/month; lifecycle ${bucket.transitions.map((t) => `${t.storageClass} after ${t.days} d`).join(", ") || "none"}`,
      );
    }
  }
  line(
    "S3 PUT/LIST requests",
    runs * workload.s3PutsPerRun,
    "requests",
    "s3PutPer1000",
    `${round(runs, 1)} runs x ${workload.s3PutsPerRun} (assumption)`,
    1000,
  );
  line(
    "S3 GET requests",
    runs * workload.s3GetsPerRun,
    "requests",
    "s3GetPer1000",
    `${round(runs, 1)} runs x ${workload.s3GetsPerRun} (assumption)`,
    1000,
  );

  const invocations = runs * workload.lambdaInvocationsPerRun;
  const memoryGb = inventory.lambdas.reduce((sum, fn) => sum + fn.memoryMb, 0) / Math.max(inventory.lambdas.length, 1) / 1024;
  line(
    "Lambda requests",
    invocations,
    "requests",
    "lambdaRequestsMillion",
    `${round(runs, 1)} runs x ${workload.lambdaInvocationsPerRun} invocations`,
    1e6,
  );
  line(
    "Lambda duration (arm64)",
    invocations * workload.lambdaSecondsPerInvocation * memoryGb,
    "GB-seconds",
    "lambdaArmGbSecond",
    `${round(invocations)} invocations x ${workload.lambdaSecondsPerInvocation} s x ${round(memoryGb, 2)} GB average memory`,
  );
  line("EventBridge Scheduler", runs, "invocations", "schedulerInvocationsMillion", scheduleBasis, 1e6);

  if (pricing.region !== inventory.region) {
    notes.push(
      `priced with ${pricing.region} list prices (pricing table of ${pricing.compiled}); the stack deploys to ${inventory.region}, whose prices are higher`,
    );
  }
  notes.push("free tiers are not subtracted; data transfer out of AWS is not modelled (the platform has no internet path)");
  const totalUsd = round(lines.reduce((sum, entry) => sum + entry.monthlyUsd, 0));
  return {
    environment: inventory.environment,
    stackRegion: inventory.region,
    pricing: { region: pricing.region, compiled: pricing.compiled },
    runsPerMonth: round(runs, 2),
    lines,
    totalUsd,
    notes,
  };
}
