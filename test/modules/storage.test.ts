import { describe, expect, it } from "vitest";
import { PolicyDocument } from "../../modules/iam/policy-document";
import { AccessLogBucket } from "../../modules/storage/access-log-bucket";
import { DataBucket } from "../../modules/storage/data-bucket";
import { TEST_LIFECYCLE, testBuckets, testKeys } from "./support/foundation-fixture";
import { decide, referenceResolver, type Caller, type Request } from "./support/iam-evaluation";
import {
  referencedId,
  resourcesOf,
  statement,
  statementsOf,
  synth,
  synthesizedOnce,
  type Config,
  type Statement,
  type Synthesized,
} from "./support/synth";
import { TEST_DEPLOYER_ARN, TEST_ACCOUNT, testStack, withPlainStackTraces } from "./support/test-stack";

const lifecycle = TEST_LIFECYCLE;

function bucketsFixture() {
  return withPlainStackTraces(() => buildBuckets());
}

function buildBuckets() {
  const stack = testStack();
  const keys = testKeys(stack);
  const buckets = testBuckets(stack, keys, { lineageObjectLock: { mode: "COMPLIANCE", days: 3653 } });
  return { stack, keys, buckets };
}

/** The companion resource of `type` configuring the bucket named `name`. */
function companion(synthesized: Synthesized, type: string, name: string): Config {
  const buckets = resourcesOf(synthesized, "aws_s3_bucket");
  const match = Object.values(resourcesOf(synthesized, type)).filter((config) => buckets[referencedId(config.bucket)]?.bucket === name);
  if (match.length !== 1) throw new Error(`expected one ${type} for ${name}, found ${match.length}`);
  return match[0] as Config;
}

const synthesizedFixture = synthesizedOnce(() => bucketsFixture().stack);

const TIERS = ["raw", "processed", "archive", "artifacts", "lineage-audit"] as const;
const name = (tier: string) => `sentinel-test-${tier}-111122223333`;

describe("PlatformBuckets", () => {
  it("creates the five data tiers and the access-log bucket, named <prefix>-<tier>-<account>", () => {
    const synthesized = synthesizedFixture();
    const names = Object.values(resourcesOf(synthesized, "aws_s3_bucket")).map((bucket) => bucket.bucket);
    expect(names.sort()).toEqual([...TIERS, "access-logs"].map(name).sort());
  });

  it("gives every bucket versioning, all four public-access blocks, BucketOwnerEnforced and a lifecycle", () => {
    const synthesized = synthesizedFixture();
    for (const tier of [...TIERS, "access-logs"]) {
      expect(companion(synthesized, "aws_s3_bucket_versioning", name(tier)).versioning_configuration).toEqual({ status: "Enabled" });
      expect(companion(synthesized, "aws_s3_bucket_public_access_block", name(tier))).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(companion(synthesized, "aws_s3_bucket_ownership_controls", name(tier)).rule).toEqual({
        object_ownership: "BucketOwnerEnforced",
      });
      const rules = companion(synthesized, "aws_s3_bucket_lifecycle_configuration", name(tier)).rule as Config[];
      expect(rules.find((rule) => rule.id === "housekeeping")).toMatchObject({
        status: "Enabled",
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      });
      expect(companion(synthesized, "aws_s3_bucket_notification", name(tier)).eventbridge).toBe(true);
    }
  });

  it("encrypts data tiers with SSE-KMS and a bucket key (lineage-audit under the audit key) and the log target with SSE-S3", () => {
    const synthesized = synthesizedFixture();
    const aliasOfKey = Object.fromEntries(
      Object.values(resourcesOf(synthesized, "aws_kms_alias")).map((alias) => [referencedId(alias.target_key_id), alias.name]),
    );
    for (const tier of TIERS) {
      const [rule] = companion(synthesized, "aws_s3_bucket_server_side_encryption_configuration", name(tier)).rule as Config[];
      const defaults = rule?.apply_server_side_encryption_by_default as Config;
      expect(defaults.sse_algorithm).toBe("aws:kms");
      expect(rule?.bucket_key_enabled).toBe(true);
      expect(aliasOfKey[referencedId(defaults.kms_master_key_id)]).toBe(
        tier === "lineage-audit" ? "alias/sentinel-test-audit" : "alias/sentinel-test-data",
      );
    }
    const [logRule] = companion(synthesized, "aws_s3_bucket_server_side_encryption_configuration", name("access-logs")).rule as Config[];
    expect(logRule).toEqual({ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } });
  });

  it("logs every data tier to the access-log bucket under the tier's prefix, and not the log bucket itself", () => {
    const synthesized = synthesizedFixture();
    const logBucketId = Object.entries(resourcesOf(synthesized, "aws_s3_bucket")).find(([, b]) => b.bucket === name("access-logs"))?.[0];
    for (const tier of TIERS) {
      const logging = companion(synthesized, "aws_s3_bucket_logging", name(tier));
      expect(referencedId(logging.target_bucket)).toBe(logBucketId);
      expect(logging.target_prefix).toBe(`${tier}/`);
    }
    expect(() => companion(synthesized, "aws_s3_bucket_logging", name("access-logs"))).toThrow(/found 0/);
  });

  it("configures each bucket's logging only after the access-log bucket's policy grants delivery", () => {
    const synthesized = synthesizedFixture();
    const logPolicy = Object.entries(resourcesOf(synthesized, "aws_s3_bucket_policy")).find(
      ([, policy]) =>
        referencedId(policy.bucket) ===
        Object.entries(resourcesOf(synthesized, "aws_s3_bucket")).find(([, b]) => b.bucket === name("access-logs"))?.[0],
    )?.[0];
    expect(logPolicy).toBeDefined();
    for (const tier of TIERS) {
      expect(companion(synthesized, "aws_s3_bucket_logging", name(tier)).depends_on).toEqual([`aws_s3_bucket_policy.${logPolicy}`]);
    }
  });

  it("denies non-TLS requests, old TLS, other encryption, other keys and SSE-C on data buckets", () => {
    const synthesized = synthesizedFixture();
    const policy = companion(synthesized, "aws_s3_bucket_policy", name("raw")).policy;
    const arn = `arn:aws:s3:::${name("raw")}`;
    expect(statement(policy, "DenyInsecureTransport")).toEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: [arn, `${arn}/*`],
      Condition: { Bool: { "aws:SecureTransport": ["false"] } },
    });
    expect(statement(policy, "DenyOutdatedTls").Condition).toEqual({ NumericLessThan: { "s3:TlsVersion": ["1.2"] } });
    expect(statement(policy, "DenyEncryptionOtherThanKms").Condition).toEqual({
      StringNotEquals: { "s3:x-amz-server-side-encryption": ["aws:kms"] },
      Null: { "s3:x-amz-server-side-encryption": ["false"] },
    });
    const otherKeys = statement(policy, "DenyKeysOtherThanPlatformKey");
    expect(otherKeys.Action).toEqual(["s3:PutObject"]);
    expect(otherKeys.Condition?.StringNotEquals?.["s3:x-amz-server-side-encryption-aws-kms-key-id"]?.[0]).toMatch(
      /^\$\{aws_kms_key\.keys_data_key_\w+\.arn\}$/,
    );
    expect(statement(policy, "DenyCustomerProvidedKeys").Condition).toEqual({
      Null: { "s3:x-amz-server-side-encryption-customer-algorithm": ["false"] },
    });
    expect(statementsOf(policy).filter((s) => s.Effect === "Allow")).toEqual([]);
  });

  it("lets only S3 log delivery from the platform's buckets in this account write to the access-log bucket", () => {
    const synthesized = synthesizedFixture();
    const policy = companion(synthesized, "aws_s3_bucket_policy", name("access-logs")).policy;
    expect(statement(policy, "AllowServerAccessLogDelivery")).toEqual({
      Sid: "AllowServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: ["logging.s3.amazonaws.com"] },
      Action: ["s3:PutObject"],
      Resource: [`arn:aws:s3:::${name("access-logs")}/*`],
      Condition: {
        StringEquals: { "aws:SourceAccount": ["111122223333"] },
        ArnLike: { "aws:SourceArn": TIERS.map((tier) => `arn:aws:s3:::${name(tier)}`) },
      },
    });
    expect(statement(policy, "DenyEncryptionOtherThanSseS3").Condition?.StringNotEquals).toEqual({
      "s3:x-amz-server-side-encryption": ["AES256"],
    });
  });

  it("moves raw data to colder storage, archives to DEEP_ARCHIVE and expires access logs", () => {
    const synthesized = synthesizedFixture();
    const rules = (tier: string) => companion(synthesized, "aws_s3_bucket_lifecycle_configuration", name(tier)).rule as Config[];
    expect(rules("raw").find((rule) => rule.id === "raw-to-cold-storage")?.transition).toEqual([
      { days: 30, storage_class: "STANDARD_IA" },
      { days: 90, storage_class: "GLACIER" },
    ]);
    expect(rules("archive").find((rule) => rule.id === "archive-to-deep-archive")?.transition).toEqual([
      { days: 180, storage_class: "DEEP_ARCHIVE" },
    ]);
    expect(rules("access-logs").find((rule) => rule.id === "expire-access-logs")?.expiration).toEqual([{ days: 400 }]);
    expect(rules("processed").find((rule) => rule.id === "housekeeping")?.noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
    // Locked versions are kept at least as long as their retention.
    expect(rules("lineage-audit").find((rule) => rule.id === "housekeeping")?.noncurrent_version_expiration).toEqual([
      { noncurrent_days: 3653 },
    ]);
  });

  it("turns Object Lock on for the lineage-audit bucket only, with the configured default retention", () => {
    const synthesized = synthesizedFixture();
    const locked = Object.values(resourcesOf(synthesized, "aws_s3_bucket")).filter((bucket) => bucket.object_lock_enabled === true);
    expect(locked.map((bucket) => bucket.bucket)).toEqual([name("lineage-audit")]);
    expect(companion(synthesized, "aws_s3_bucket_object_lock_configuration", name("lineage-audit")).rule).toEqual({
      default_retention: { mode: "COMPLIANCE", days: 3653 },
    });
  });

  it("refuses Object Lock on other tiers and a lineage-audit bucket without it", () => {
    const { stack, keys, buckets } = bucketsFixture();
    const props = { bucketName: "x-bucket", key: keys.data, accessLogs: buckets.accessLogs, lifecycle, account: TEST_ACCOUNT };
    expect(() => new DataBucket(stack, "unlocked", { ...props, tier: "lineage-audit" })).toThrow(/Object Lock retention is required/);
    expect(() => new DataBucket(stack, "locked-raw", { ...props, tier: "raw", objectLock: { mode: "GOVERNANCE", days: 1 } })).toThrow(
      /only for them/,
    );
  });

  it("expires landing files, quarantined rows and PII profiles (defaults, or the environment's days)", () => {
    const expiry = (synthesized: Synthesized) =>
      Object.fromEntries(
        (companion(synthesized, "aws_s3_bucket_lifecycle_configuration", name("raw")).rule as Config[])
          .filter((rule) => String(rule.id).startsWith("expire-"))
          .map((rule) => [rule.id, { prefix: (rule.filter as Config[])[0]?.prefix, days: (rule.expiration as Config[])[0]?.days }]),
      );
    expect(expiry(synthesizedFixture())).toEqual({
      "expire-landing": { prefix: "landing/", days: 400 },
      "expire-quarantine": { prefix: "quarantine/", days: 400 },
      "expire-pii-profiles": { prefix: "pii-profiles/", days: 90 },
    });
    const stack = testStack();
    testBuckets(stack, testKeys(stack), {
      lifecycle: { ...lifecycle, landingExpiryDays: 3653, quarantineExpiryDays: 731, piiProfileExpiryDays: 30 },
      lineageObjectLock: { mode: "COMPLIANCE", days: 1 },
    });
    expect(Object.values(expiry(synth(stack))).map((rule) => (rule as { days: number }).days)).toEqual([3653, 731, 30]);
  });
});

/**
 * The bucket policies tried as an attacker would (IAM evaluator: S3 itself is not run here, so these
 * controls are proven statically). The writer is given s3:PutObject on everything by IAM: only the
 * bucket policy stands between it and the write.
 */
describe("bucket policies against an insider", () => {
  const ACCOUNT = TEST_ACCOUNT.accountId;
  const JOB = `arn:aws:iam::${ACCOUNT}:role/etl-job`;
  const DATABREW = `arn:aws:iam::${ACCOUNT}:role/databrew`;
  const writeAnything: Statement[] = [
    { Sid: "Everything", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], Resource: ["*"] },
  ];
  const caller = (arn: string): Caller => ({ arn, identity: writeAnything });

  function lockedFixture() {
    const { stack, buckets } = bucketsFixture();
    buckets.lineageAudit.requireWriteOnce(["lineage/", "audit-chain/"]);
    buckets.artifacts.restrictWriters("Code", ["glue/scripts/", "keys/"], [TEST_DEPLOYER_ARN]);
    buckets.artifacts.restrictWriters("JobState", ["state/"], [JOB]);
    buckets.raw.restrictToNetwork(["vpce-s3"], [DATABREW], { allowWritesFromAnywhere: true });
    buckets.artifacts.restrictToNetwork(["vpce-s3"], [TEST_DEPLOYER_ARN]);
    const synthesized = synth(stack);
    const resolve = referenceResolver(synthesized, ACCOUNT);
    const policyOf = (tier: string) => statementsOf(resolve(String(companion(synthesized, "aws_s3_bucket_policy", name(tier)).policy)));
    const put = (tier: string, who: Caller, key: string, context: Request["context"] = {}, action = "s3:PutObject") =>
      decide(policyOf(tier), "bucket", who, { action, resource: `arn:aws:s3:::${name(tier)}/${key}`, context }, ACCOUNT);
    return { put };
  }

  it("refuses a PUT asking for aws:kms without a key id (S3 would use aws/s3), or another key, and accepts the platform key or the default", () => {
    const { put } = lockedFixture();
    const writer = caller(`arn:aws:iam::${ACCOUNT}:role/writer`);
    const inVpc = { "aws:SourceVpce": "vpce-s3" };
    expect(put("processed", writer, "processed/x", { "s3:x-amz-server-side-encryption": "aws:kms" })).toBe(false);
    expect(put("processed", writer, "processed/x", { "s3:x-amz-server-side-encryption": "aws:kms:dsse" })).toBe(false);
    expect(
      put("processed", writer, "processed/x", {
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": `arn:aws:kms:eu-central-2:${ACCOUNT}:key/other`,
      }),
    ).toBe(false);
    expect(put("processed", writer, "processed/x", { "s3:x-amz-server-side-encryption": "AES256" })).toBe(false);
    expect(put("processed", writer, "processed/x")).toBe(true);
    expect(put("raw", writer, "landing/x", { ...inVpc, "s3:x-amz-server-side-encryption": "aws:kms" })).toBe(false);
  });

  it("refuses a record PUT without If-None-Match, with another lock mode or a shorter retention; accepts the honest write", () => {
    const { put } = lockedFixture();
    const handler = caller(`arn:aws:iam::${ACCOUNT}:role/lineage`);
    const honest = {
      "s3:if-none-match": "*",
      "s3:ObjectCreationOperation": "true",
      "s3:object-lock-mode": "COMPLIANCE",
      "s3:object-lock-remaining-retention-days": "3653",
    };
    expect(put("lineage-audit", handler, "lineage/run.json", honest)).toBe(true);
    for (const prefix of ["lineage/", "audit-chain/"]) {
      const overwrite = Object.fromEntries(Object.entries(honest).filter(([key]) => key !== "s3:if-none-match"));
      expect(put("lineage-audit", handler, `${prefix}x.json`, overwrite), `${prefix} overwrite`).toBe(false);
      expect(
        put("lineage-audit", handler, `${prefix}x.json`, { ...honest, "s3:object-lock-mode": "GOVERNANCE" }),
        `${prefix} governance`,
      ).toBe(false);
      expect(
        put("lineage-audit", handler, `${prefix}x.json`, { ...honest, "s3:object-lock-remaining-retention-days": "1" }),
        `${prefix} short`,
      ).toBe(false);
    }
    // The parts of a multipart upload carry no conditional header; the completion that creates the object must.
    expect(put("lineage-audit", handler, "lineage/big.json", { "s3:ObjectCreationOperation": "false" })).toBe(true);
    expect(put("lineage-audit", handler, "lineage/x.json", { "s3:object-lock-mode": "GOVERNANCE" }, "s3:PutObjectRetention")).toBe(false);
    expect(put("lineage-audit", handler, "run-windows/x.json")).toBe(true);
  });

  it("lets only the deployer write the job's code and keys, and only the job write its state", () => {
    const { put } = lockedFixture();
    const job = caller(JOB);
    const deployer = caller(TEST_DEPLOYER_ARN);
    const admin = caller(`arn:aws:iam::${ACCOUNT}:role/AccountAdministrator`);
    const inVpc = { "aws:SourceVpce": "vpce-s3" };
    expect(put("artifacts", job, "glue/scripts/etl_job.py", inVpc)).toBe(false);
    expect(put("artifacts", admin, "keys/baf/data-key.json")).toBe(false);
    expect(put("artifacts", admin, "keys/baf/data-key.json", {}, "s3:DeleteObject")).toBe(false);
    expect(put("artifacts", deployer, "glue/scripts/etl_job.py")).toBe(true);
    expect(put("artifacts", job, "state/baf/model.json", inVpc)).toBe(true);
    expect(put("artifacts", deployer, "state/baf/model.json")).toBe(false);
    expect(put("artifacts", admin, "state/baf/model.json")).toBe(false);
  });

  it("refuses raw reads from outside the VPC endpoint, except DataBrew's role and AWS services acting for a caller", () => {
    const { put } = lockedFixture();
    const read = (who: Caller, context: Request["context"]) => put("raw", who, "landing/baf/x.csv", context, "s3:GetObject");
    const stolenJobCredentials = caller(JOB);
    expect(read(stolenJobCredentials, {})).toBe(false);
    expect(read(stolenJobCredentials, { "aws:SourceVpce": "vpce-elsewhere" })).toBe(false);
    expect(read(stolenJobCredentials, { "aws:SourceVpce": "vpce-s3" })).toBe(true);
    expect(read(caller(DATABREW), {})).toBe(true);
    expect(read(stolenJobCredentials, { "aws:ViaAWSService": "true" })).toBe(true);
    expect(put("raw", stolenJobCredentials, "landing/baf/x.csv", {}, "s3:DeleteObject")).toBe(false);
    // Landing files arrive from outside; the artifacts bucket takes writes only from the VPC or the deployer.
    expect(put("raw", caller(`arn:aws:iam::${ACCOUNT}:role/provider`), "landing/baf/x.csv")).toBe(true);
    expect(put("artifacts", stolenJobCredentials, "state/baf/model.json")).toBe(false);
    expect(put("artifacts", stolenJobCredentials, "state/baf/model.json", { "aws:SourceVpce": "vpce-s3" })).toBe(true);
    expect(put("artifacts", caller(TEST_DEPLOYER_ARN), "glue/scripts/etl_job.py")).toBe(true);
  });
});

describe("DataBucket grants", () => {
  it("grantRead: objects under a prefix, a prefix-bound listing, and decryption through S3 only", () => {
    const { buckets } = bucketsFixture();
    const policy = PolicyDocument.identity("reader");
    buckets.processed.grantRead(policy, "features/");
    const statements = policy.render().Statement as { Sid: string; Action: string[]; Resource: string[]; Condition?: unknown }[];
    expect(statements.map((s) => s.Sid)).toEqual([
      "ReadProcessedFeaturesObjects",
      "ListProcessedFeaturesObjects",
      "LocateProcessedBucket",
      "DecryptWithDataKeyViaS3",
    ]);
    expect(statements[0]?.Resource).toEqual([`arn:aws:s3:::${name("processed")}/features/*`]);
    expect(statements[1]?.Condition).toEqual({ StringLike: { "s3:prefix": ["features/*"] } });
    expect(statements[3]?.Condition).toEqual({ StringEquals: { "kms:ViaService": ["s3.eu-central-2.amazonaws.com"] } });
  });

  it("grantWrite: puts and multipart uploads, a data key and decrypt for multipart, never delete", () => {
    const { buckets } = bucketsFixture();
    const policy = PolicyDocument.identity("writer");
    buckets.lineageAudit.grantWrite(policy);
    const statements = policy.render().Statement as { Sid: string; Action: string[] }[];
    expect(statements.map((s) => s.Sid)).toEqual([
      "WriteLineageAuditObjects",
      "LocateLineageAuditBucket",
      "EncryptWithAuditKeyViaS3",
      "DecryptWithAuditKeyViaS3",
    ]);
    expect(statements.flatMap((s) => s.Action)).not.toContain("s3:DeleteObject");
    expect(statements[0]?.Action).toEqual(["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]);
  });

  it("grantReadWrite combines both without duplicate statements", () => {
    const { buckets } = bucketsFixture();
    const policy = PolicyDocument.identity("job");
    buckets.raw.grantReadWrite(policy, "incoming/");
    buckets.raw.grantRead(policy, "incoming/");
    expect(policy.statements.map((s) => s.sid)).toEqual([
      "ReadRawIncomingObjects",
      "ListRawIncomingObjects",
      "LocateRawBucket",
      "DecryptWithDataKeyViaS3",
      "WriteRawIncomingObjects",
      "EncryptWithDataKeyViaS3",
    ]);
  });
});

describe("AccessLogBucket", () => {
  it("accepts logs from each bucket that registers, by ARN", () => {
    const stack = testStack();
    const logs = new AccessLogBucket(stack, "logs", { bucketName: "sentinel-test-access-logs-x", account: TEST_ACCOUNT, lifecycle });
    logs.acceptLogsFrom("arn:aws:s3:::one");
    logs.acceptLogsFrom("arn:aws:s3:::two");
    const policy = onlyPolicy(synth(stack));
    expect(statement(policy, "AllowServerAccessLogDelivery").Condition?.ArnLike).toEqual({
      "aws:SourceArn": ["arn:aws:s3:::one", "arn:aws:s3:::two"],
    });
  });
});

function onlyPolicy(synthesized: Synthesized): unknown {
  const [policy] = Object.values(resourcesOf(synthesized, "aws_s3_bucket_policy"));
  return policy?.policy;
}
