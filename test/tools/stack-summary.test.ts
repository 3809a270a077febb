import { describe, expect, it } from "vitest";
import { formatSummary, summarizeStack, type SynthesizedStackJson } from "../../tools/stack-summary";

const stack: SynthesizedStackJson = {
  provider: { aws: [{ region: "eu-central-2" }] },
  terraform: { backend: { s3: { bucket: "state", key: "sentinel/dev/terraform.tfstate", use_lockfile: true } } },
  variable: { account_id: {}, alarm_email: {} },
  resource: {
    aws_vpc: { vpc: { cidr_block: "10.20.0.0/16" } },
    aws_subnet: { a: { availability_zone: "eu-central-2a", cidr_block: "10.20.0.0/18" } },
    aws_vpc_endpoint: {
      s3: { service_name: "com.amazonaws.eu-central-2.s3", vpc_endpoint_type: "Gateway" },
      kms: { service_name: "com.amazonaws.eu-central-2.kms" },
    },
    aws_s3_bucket: {
      raw: { bucket: "sentinel-dev-raw-${var.account_id}" },
      logs: { bucket: "sentinel-dev-access-logs-${var.account_id}" },
    },
    aws_s3_bucket_server_side_encryption_configuration: {
      logs: { bucket: "${aws_s3_bucket.logs.id}", rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }] },
    },
    aws_s3_bucket_object_lock_configuration: {
      lock: { bucket: "${aws_s3_bucket.raw.id}", rule: { default_retention: { mode: "GOVERNANCE", days: 30 } } },
    },
    aws_kms_alias: { data: { name: "alias/sentinel-dev-data" } },
    aws_cloudwatch_log_group: { flow: { name: "/sentinel/dev/vpc-flow-logs", retention_in_days: 365 } },
  },
};

describe("synth summary", () => {
  it("reports the network, endpoints, keys, buckets, log groups, inputs and resource counts of a stack", () => {
    const summary = summarizeStack("dev", stack);
    expect(summary).toMatchObject({
      region: "eu-central-2",
      state: "s3://state/sentinel/dev/terraform.tfstate (KMS, S3 lockfile)",
      vpcCidr: "10.20.0.0/16",
      subnets: ["eu-central-2a 10.20.0.0/18"],
      endpoints: ["kms", "s3 (gateway)"],
      keyAliases: ["alias/sentinel-dev-data"],
      buckets: ["raw (Object Lock GOVERNANCE 30 d, SSE-KMS)", "access-logs (SSE-S3)"],
      logGroups: ["/sentinel/dev/vpc-flow-logs (365 d, KMS)"],
      inputs: ["account_id", "alarm_email"],
      resourceCount: 10,
      internetPath: [],
    });
    expect(formatSummary(summary)).toContain("no internet path");
  });

  it("calls out anything that opens an internet path", () => {
    const open = { ...stack, resource: { ...stack.resource, aws_internet_gateway: { igw: {} } } };
    expect(formatSummary(summarizeStack("dev", open))).toContain("INTERNET PATH: aws_internet_gateway");
  });
});
