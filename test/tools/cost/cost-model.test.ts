import { describe, expect, it } from "vitest";
import { estimateCost, storageByClass } from "../../../tools/cost/cost-model";
import { loadPricingTable } from "../../../tools/cost/pricing-table";
import { inventoryOf, runsPerMonth } from "../../../tools/cost/stack-inventory";
import { DEFAULT_WORKLOAD } from "../../../tools/cost/workload";

const stack = {
  provider: { aws: [{ region: "eu-central-2" }] },
  resource: {
    aws_vpc_endpoint: {
      glue: { vpc_endpoint_type: "Interface", service_name: "com.amazonaws.eu-central-2.glue", subnet_ids: ["a", "b"] },
      logs: { vpc_endpoint_type: "Interface", service_name: "com.amazonaws.eu-central-2.logs", subnet_ids: ["a", "b"] },
      s3: { vpc_endpoint_type: "Gateway", service_name: "com.amazonaws.eu-central-2.s3" },
    },
    aws_glue_job: { etl: { name: "sentinel-dev-etl", worker_type: "G.2X", number_of_workers: 5 } },
    aws_cloudformation_stack: {
      brew: {
        template_body: JSON.stringify({ Resources: { Job: { Type: "AWS::DataBrew::Job", Properties: { Name: "pii", MaxCapacity: 2 } } } }),
      },
    },
    aws_scheduler_schedule: { nightly: { name: "nightly", schedule_expression: "cron(0 2 * * ? *)" } },
    aws_cloudwatch_log_group: { audit: { name: "/sentinel/dev/audit", retention_in_days: 365 } },
    aws_flow_log: { flow: {} },
    aws_kms_key: { a: {}, b: {} },
    aws_cloudwatch_metric_alarm: { a: {}, b: {}, c: {} },
    aws_cloudwatch_dashboard: { d: {} },
    aws_lambda_function: { t: { function_name: "t", memory_size: 512 } },
    aws_s3_bucket: {
      raw_bucket: { "//": { metadata: { path: "dev/buckets/raw/baseline/bucket" } } },
      processed_bucket: { "//": { metadata: { path: "dev/buckets/processed/baseline/bucket" } } },
    },
    aws_s3_bucket_lifecycle_configuration: {
      raw: {
        bucket: "${aws_s3_bucket.raw_bucket.id}",
        rule: [
          {
            status: "Enabled",
            transition: [
              { days: 90, storage_class: "GLACIER" },
              { days: 30, storage_class: "STANDARD_IA" },
            ],
          },
        ],
      },
      processed: { bucket: "${aws_s3_bucket.processed_bucket.id}", rule: [{ status: "Enabled" }] },
    },
  },
};

describe("stack inventory", () => {
  it("reads the billable resources and their sizing from the synthesized JSON", () => {
    const inventory = inventoryOf("dev", stack);
    expect(inventory.region).toBe("eu-central-2");
    expect(inventory.interfaceEndpoints).toEqual([
      { service: "glue", availabilityZones: 2 },
      { service: "logs", availabilityZones: 2 },
    ]);
    expect(inventory.glueJobs).toEqual([{ name: "sentinel-dev-etl", workerType: "G.2X", workers: 5 }]);
    expect(inventory.databrewJobs).toEqual([{ name: "pii", nodes: 2 }]);
    expect(inventory.buckets.find((bucket) => bucket.tier === "raw")?.transitions.map((t) => t.days)).toEqual([30, 90]);
  });

  it("counts the runs of rate and cron schedules per month", () => {
    expect(runsPerMonth("cron(0 2 * * ? *)")).toBeCloseTo(30.44, 2);
    expect(runsPerMonth("cron(0 2 ? * MON-FRI *)")).toBeCloseTo(21.74, 2);
    expect(runsPerMonth("cron(0 2 1 * ? *)")).toBe(1);
    expect(runsPerMonth("rate(12 hours)")).toBeCloseTo(60.875, 3);
  });
});

describe("cost model", () => {
  const pricing = loadPricingTable();

  it("prices endpoints per AZ-hour and Glue per DPU-hour at the configured workers", () => {
    const estimate = estimateCost(inventoryOf("dev", stack), pricing, {
      ...DEFAULT_WORKLOAD,
      rowsPerRun: 1_500_000,
      rowsPerDpuSecond: 2_500,
      glueStartupMinutes: 1,
    });
    const line = (name: string) => estimate.lines.find((entry) => entry.component.startsWith(name))!;
    expect(line("VPC interface endpoints").quantity).toBe(4 * 730);
    expect(line("VPC interface endpoints").monthlyUsd).toBeCloseTo(4 * 730 * pricing.prices.vpcInterfaceEndpointAzHour.usd, 2);
    // 10 DPUs (5 x G.2X), 1 min start + 1.5M rows / (2,500 rows/DPU-s x 10 DPU) = 60 s: 2 minutes per run
    expect(line("Glue ETL job").quantity).toBeCloseTo((runsPerMonth("cron(0 2 * * ? *)") * 10 * 2) / 60, 2);
    expect(line("DataBrew").quantity).toBeCloseTo((runsPerMonth("cron(0 2 * * ? *)") * 2 * DEFAULT_WORKLOAD.databrewMinutesPerRun) / 60, 2);
    expect(estimate.totalUsd).toBeCloseTo(
      estimate.lines.reduce((sum, entry) => sum + entry.monthlyUsd, 0),
      1,
    );
    expect(estimate.notes.join(" ")).toContain("eu-central-2");
  });

  it("places a year of steady inflow in the storage classes the lifecycle rules say", () => {
    const byClass = storageByClass(
      {
        transitions: [
          { days: 30, storageClass: "STANDARD_IA" },
          { days: 90, storageClass: "GLACIER" },
        ],
        expirationDays: undefined,
      },
      1,
      365,
    );
    expect(Object.fromEntries(byClass)).toEqual({ STANDARD: 30, STANDARD_IA: 60, GLACIER: 275 });
    expect(Object.fromEntries(storageByClass({ transitions: [], expirationDays: 100 }, 2, 365))).toEqual({ STANDARD: 200 });
  });
});
