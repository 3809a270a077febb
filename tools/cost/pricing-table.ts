/** The repository's pricing table (aws-pricing.json): unit prices with their unit and source, and its date. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

const price = z.object({ usd: z.number().nonnegative(), unit: z.string().min(1), source: z.url() });

export const PRICE_KEYS = [
  "vpcInterfaceEndpointAzHour",
  "vpcInterfaceEndpointGb",
  "glueDpuHour",
  "databrewNodeHour",
  "glueCatalogObjectsPer100k",
  "logsIngestionGb",
  "vendedLogsIngestionGb",
  "logsStorageGbMonth",
  "cloudwatchAlarmMonth",
  "cloudwatchDashboardMonth",
  "cloudwatchCustomMetricMonth",
  "kmsKeyMonth",
  "kmsRequests10k",
  "s3StandardGbMonth",
  "s3StandardIaGbMonth",
  "s3GlacierGbMonth",
  "s3DeepArchiveGbMonth",
  "s3PutPer1000",
  "s3GetPer1000",
  "lambdaRequestsMillion",
  "lambdaArmGbSecond",
  "schedulerInvocationsMillion",
  "sqsRequestsMillion",
] as const;
export type PriceKey = (typeof PRICE_KEYS)[number];

export const pricingTableSchema = z.object({
  currency: z.literal("USD"),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/),
  compiled: z.iso.date(),
  provenance: z.string().min(1),
  prices: z.object(Object.fromEntries(PRICE_KEYS.map((key) => [key, price])) as Record<PriceKey, typeof price>),
});
export type PricingTable = z.infer<typeof pricingTableSchema>;

export const PRICING_FILE = join(import.meta.dirname, "aws-pricing.json");

export function loadPricingTable(path: string = PRICING_FILE): PricingTable {
  const parsed = pricingTableSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success)
    throw new Error(`${path}: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  return parsed.data;
}
