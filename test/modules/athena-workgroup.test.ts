/**
 * Athena for the consumer roles, wired as stacks/sentinel-stack.ts wires it: a workgroup per role with
 * enforced configuration and results in the query results bucket; each role runs queries in its own
 * workgroup only and reaches its own results only, evaluated against the synthesized policies.
 */
import { describe, expect, it } from "vitest";
import { AthenaWorkgroup, DEFAULT_BYTES_SCANNED_CUTOFF } from "../../modules/analytics/athena-workgroup";
import { QueryResultsBucket } from "../../modules/analytics/query-results-bucket";
import { isAllowed, rolePolicies, type Request } from "./support/iam-evaluation";
import { ACCOUNT, PREFIX, buildOperations } from "./support/operations-fixture";
import { resourcesOf, synth, type Config } from "./support/synth";
import { withPlainStackTraces } from "./support/test-stack";

const REGION = "eu-central-2";
const RESULTS_BUCKET = `${PREFIX}-athena-results-${ACCOUNT}`;
const workgroupArn = (role: string) => `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${PREFIX}-${role}`;
const result = (role: string) => `arn:aws:s3:::${RESULTS_BUCKET}/athena-results/${PREFIX}-${role}/0a1b.csv`;

const built = withPlainStackTraces(() => {
  const fixture = buildOperations();
  const resultsBucket = new QueryResultsBucket(fixture.stack, "athena-results", {
    bucketName: RESULTS_BUCKET,
    account: { partition: "aws", region: REGION, accountId: ACCOUNT },
    key: fixture.keys.data,
    accessLogs: fixture.buckets.accessLogs,
  });
  for (const [role, consumer] of [
    ["data-science", fixture.access.dataScientist],
    ["audit", fixture.access.auditor],
  ] as const) {
    new AthenaWorkgroup(fixture.stack, `athena-${role}`, {
      name: `${PREFIX}-${role}`,
      description: role,
      account: { partition: "aws", region: REGION, accountId: ACCOUNT },
      resultsBucket,
    }).grantQueries(consumer.policy);
  }
  return synth(fixture.stack);
});
const policies = rolePolicies(built, ACCOUNT);
const allowed = (role: string, request: Request) => isAllowed(policies.get(`${PREFIX}-${role}`) ?? [], request);

function keyArn(): string {
  const id = Object.keys(resourcesOf(built, "aws_kms_key")).find((candidate) => candidate.startsWith("keys_data_"));
  return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
}
const decryptViaS3 = (bucketArn: string): Request => ({
  action: "kms:Decrypt",
  resource: keyArn(),
  context: { "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:EncryptionContext:aws:s3:arn": bucketArn },
});

describe("Athena workgroups", () => {
  it("enforce their configuration: encrypted results in their own prefix, a bytes-scanned cutoff, metrics", () => {
    const workgroups = Object.values(resourcesOf(built, "aws_athena_workgroup"));
    expect(workgroups.map((workgroup) => workgroup.name).sort()).toEqual([`${PREFIX}-audit`, `${PREFIX}-data-science`]);
    for (const workgroup of workgroups) {
      const configuration = workgroup.configuration as Config;
      expect(configuration).toMatchObject({
        enforce_workgroup_configuration: true,
        publish_cloudwatch_metrics_enabled: true,
        bytes_scanned_cutoff_per_query: DEFAULT_BYTES_SCANNED_CUTOFF,
      });
      const results = configuration.result_configuration as Config;
      expect(results.output_location).toBe(`s3://${RESULTS_BUCKET}/athena-results/${String(workgroup.name)}/`);
      expect(results.encryption_configuration).toMatchObject({
        encryption_option: "SSE_KMS",
        kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\.keys_data_/),
      });
      expect(results.expected_bucket_owner).toBe(ACCOUNT);
    }
  });

  it("write results to a KMS-encrypted, access-logged bucket that expires them", () => {
    const bucketId = Object.entries(resourcesOf(built, "aws_s3_bucket")).find(([, bucket]) => bucket.bucket === RESULTS_BUCKET)?.[0];
    expect(bucketId).toBeDefined();
    const reference = `\${aws_s3_bucket.${bucketId}.id}`;
    const logging = Object.values(resourcesOf(built, "aws_s3_bucket_logging")).find((candidate) => candidate.bucket === reference);
    expect(logging?.target_prefix).toBe("athena-results/");
    // after the access-log bucket's policy that grants delivery (S3 checks it when logging is configured)
    const logBucketPolicy = Object.entries(resourcesOf(built, "aws_s3_bucket_policy")).find(([id]) =>
      id.startsWith("buckets_access-logs_"),
    )?.[0];
    expect(logging?.depends_on).toEqual([`aws_s3_bucket_policy.${logBucketPolicy}`]);
    const encryption = Object.values(resourcesOf(built, "aws_s3_bucket_server_side_encryption_configuration")).find(
      (candidate) => candidate.bucket === reference,
    );
    expect(JSON.stringify(encryption)).toContain('"sse_algorithm":"aws:kms"');
    const lifecycle = Object.values(resourcesOf(built, "aws_s3_bucket_lifecycle_configuration")).find(
      (candidate) => candidate.bucket === reference,
    );
    expect(JSON.stringify(lifecycle)).toContain('"expiration":[{"days":30}]');
    expect(
      () =>
        new AthenaWorkgroup(buildOperations().stack, "too-small", {
          name: "x",
          description: "x",
          account: { partition: "aws", region: REGION, accountId: ACCOUNT },
          resultsBucket: {} as QueryResultsBucket,
          bytesScannedCutoffPerQuery: 1000,
        }),
    ).toThrow(/at least 10000000/);
  });

  it.each([
    ["data-scientist", "data-science", "audit"],
    ["auditor", "audit", "data-science"],
  ])("let the %s run queries in its workgroup only and reach its own results only", (role, own, other) => {
    expect(allowed(role, { action: "athena:StartQueryExecution", resource: workgroupArn(own) })).toBe(true);
    expect(allowed(role, { action: "athena:GetQueryResults", resource: workgroupArn(own) })).toBe(true);
    expect(allowed(role, { action: "athena:StartQueryExecution", resource: workgroupArn(other) })).toBe(false);
    expect(allowed(role, { action: "athena:StartQueryExecution", resource: `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/primary` })).toBe(
      false,
    );
    expect(allowed(role, { action: "s3:GetObject", resource: result(own) })).toBe(true);
    expect(allowed(role, { action: "s3:PutObject", resource: result(own) })).toBe(true);
    expect(allowed(role, { action: "s3:GetObject", resource: result(other) })).toBe(false);
    expect(allowed(role, { action: "s3:DeleteObject", resource: result(own) })).toBe(false);
    expect(allowed(role, decryptViaS3(`arn:aws:s3:::${RESULTS_BUCKET}`))).toBe(true);
    // the results grant decrypts nothing of the data tiers
    expect(allowed(role, decryptViaS3(`arn:aws:s3:::${PREFIX}-raw-${ACCOUNT}`))).toBe(false);
    expect(allowed(role, { action: "kms:Decrypt", resource: keyArn() })).toBe(false);
  });

  it("keep the auditor away from processed data and the data scientist away from lineage", () => {
    expect(allowed("auditor", decryptViaS3(`arn:aws:s3:::${PREFIX}-processed-${ACCOUNT}`))).toBe(false);
    expect(
      allowed("auditor", { action: "s3:GetObject", resource: `arn:aws:s3:::${PREFIX}-processed-${ACCOUNT}/processed/baf/x.parquet` }),
    ).toBe(false);
    expect(
      allowed("data-scientist", { action: "s3:GetObject", resource: `arn:aws:s3:::${PREFIX}-lineage-audit-${ACCOUNT}/lineage/x.json` }),
    ).toBe(false);
  });
});
