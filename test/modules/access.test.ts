/**
 * Consumer access: what the data scientist and auditor roles can reach, and, evaluated request by
 * request against their synthesized policies, everything they must not.
 */
import { describe, expect, it } from "vitest";
import { isWildcardAction } from "../../modules/iam/rules";
import { isAllowed, rolePolicies, type Request } from "./support/iam-evaluation";
import { ACCOUNT, bucketName, JOBS, LINEAGE_DATABASE, PREFIX, REGION, operationsJson } from "./support/operations-fixture";
import { ConsumerRole } from "../../modules/access/consumer-role";
import { resourcesOf, synth, type Config, type Statement } from "./support/synth";
import { testStack } from "./support/test-stack";

const S3 = `s3.${REGION}.amazonaws.com`;
const object = (tier: string, key: string) => `arn:aws:s3:::${bucketName(tier)}/${key}`;
const bucket = (tier: string) => `arn:aws:s3:::${bucketName(tier)}`;
const glue = (resource: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${resource}`;
const AUDIT_LOG_GROUP = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/sentinel/test/audit`;

function policies(): Map<string, Statement[]> {
  return rolePolicies(operationsJson(), ACCOUNT);
}

function statementsOfRole(role: string): Statement[] {
  const found = policies().get(`${PREFIX}-${role}`);
  if (found === undefined) throw new Error(`no policy for role ${role}`);
  return found;
}

/** The data key's ARN as the evaluator names it (keys/data/key). */
function keyArn(purpose: "data" | "logs" | "audit" | "operations" | "tokenization" | "audit-signing"): string {
  const keys = resourcesOf(operationsJson(), "aws_kms_key");
  const id = Object.keys(keys).find((candidate) => candidate.startsWith(purpose === "operations" ? "operations-key" : `keys_${purpose}_`));
  if (id === undefined) throw new Error(`no ${purpose} key`);
  return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
}

/** kms:Decrypt as S3 makes it on a reader's behalf for an object of `tier` (bucket key: bucket ARN as context). */
const decryptViaS3 = (tier: string, key: "data" | "audit" = "data"): Request => ({
  action: "kms:Decrypt",
  resource: keyArn(key),
  context: { "kms:ViaService": S3, "kms:EncryptionContext:aws:s3:arn": bucket(tier) },
});

describe("data scientist role", () => {
  const allowed = (request: Request) => isAllowed(statementsOfRole("data-scientist"), request);

  it("reads and lists the processed tables and decrypts them through S3", () => {
    expect(
      allowed({
        action: "s3:GetObject",
        resource: object("processed", "processed/card-transactions/ingestion_date=2025-01-01/part-0.parquet"),
      }),
    ).toBe(true);
    expect(allowed({ action: "s3:ListBucket", resource: bucket("processed"), context: { "s3:prefix": "processed/baf/" } })).toBe(true);
    expect(allowed(decryptViaS3("processed"))).toBe(true);
    expect(allowed({ action: "glue:GetTable", resource: glue(`table/${JOBS.processedDatabaseName}/card_transactions`) })).toBe(true);
    expect(allowed({ action: "glue:GetPartitions", resource: glue(`database/${JOBS.processedDatabaseName}`) })).toBe(true);
  });

  it.each<[string, Request]>([
    ["raw landing files", { action: "s3:GetObject", resource: object("raw", "landing/card-transactions/run_date=2025-01-01/a.csv") }],
    [
      "quarantined rows",
      { action: "s3:GetObject", resource: object("raw", "quarantine/card-transactions/ingestion_date=2025-01-01/a.parquet") },
    ],
    ["DataBrew PII profiles", { action: "s3:GetObject", resource: object("raw", "pii-profiles/baf/profile.json") }],
    ["the wrapped tokenization key", { action: "s3:GetObject", resource: object("artifacts", "keys/card-transactions/data-key.json") }],
    ["lineage records", { action: "s3:GetObject", resource: object("lineage-audit", "lineage/sentinel-test/x/START.json") }],
    ["run metrics", { action: "s3:GetObject", resource: object("lineage-audit", "run-metrics/baf/2025-01-01/r/run-metrics.json") }],
    ["the archive tier", { action: "s3:GetObject", resource: object("archive", "processed/x") }],
    ["a listing of the raw bucket", { action: "s3:ListBucket", resource: bucket("raw"), context: { "s3:prefix": "landing/" } }],
    ["a listing outside processed/", { action: "s3:ListBucket", resource: bucket("processed"), context: { "s3:prefix": "" } }],
    ["any write to the processed tables", { action: "s3:PutObject", resource: object("processed", "processed/baf/x.parquet") }],
    ["decrypting raw objects through S3", decryptViaS3("raw")],
    ["decrypting artifacts (the wrapped key's bucket) through S3", decryptViaS3("artifacts")],
    [
      "decrypting with the data key directly (the wrapped tokenization key)",
      { action: "kms:Decrypt", resource: keyArn("data"), context: { "kms:EncryptionContext:aws:s3:arn": bucket("processed") } },
    ],
    [
      "decrypting through another service",
      {
        action: "kms:Decrypt",
        resource: keyArn("data"),
        context: { "kms:ViaService": `glue.${REGION}.amazonaws.com`, "kms:EncryptionContext:aws:s3:arn": bucket("processed") },
      },
    ],
    ["decrypting lineage records", decryptViaS3("lineage-audit", "audit")],
    ["the raw catalog tables", { action: "glue:GetTable", resource: glue("table/sentinel_test_raw/card_transactions") }],
    ["the quarantine catalog tables", { action: "glue:GetTable", resource: glue("table/sentinel_test_quarantine/card_transactions") }],
    ["the lineage catalog table", { action: "glue:GetTable", resource: glue(`table/${LINEAGE_DATABASE}/run_events`) }],
    ["changing a processed table", { action: "glue:UpdateTable", resource: glue(`table/${JOBS.processedDatabaseName}/baf`) }],
    ["the audit log group", { action: "logs:GetLogEvents", resource: `${AUDIT_LOG_GROUP}:log-stream:run-1` }],
  ])("cannot reach %s", (_what, request) => {
    expect(allowed(request)).toBe(false);
  });
});

describe("auditor role", () => {
  const allowed = (request: Request) => isAllowed(statementsOfRole("auditor"), request);

  it("reads lineage records, the audit chain, the lineage table and the audit log group", () => {
    expect(
      allowed({ action: "s3:GetObject", resource: object("lineage-audit", "lineage/sentinel-test/pipeline.baf/run/COMPLETE.json") }),
    ).toBe(true);
    expect(allowed({ action: "s3:GetObject", resource: object("lineage-audit", "audit-chain/run-1/0000000001.json") })).toBe(true);
    expect(allowed({ action: "s3:ListBucket", resource: bucket("lineage-audit") })).toBe(true);
    expect(allowed(decryptViaS3("lineage-audit", "audit"))).toBe(true);
    expect(allowed({ action: "glue:GetTable", resource: glue(`table/${LINEAGE_DATABASE}/run_events`) })).toBe(true);
    expect(allowed({ action: "logs:GetLogEvents", resource: `${AUDIT_LOG_GROUP}:log-stream:run-1` })).toBe(true);
    expect(allowed({ action: "logs:FilterLogEvents", resource: AUDIT_LOG_GROUP })).toBe(true);
  });

  it("lists every object version and reads retention and legal holds, so an overwrite attempt is visible", () => {
    expect(allowed({ action: "s3:ListBucketVersions", resource: bucket("lineage-audit") })).toBe(true);
    for (const action of ["s3:GetObjectVersion", "s3:GetObjectRetention", "s3:GetObjectLegalHold"]) {
      expect(allowed({ action, resource: object("lineage-audit", "audit-chain/run-1/0000000001.json") }), action).toBe(true);
    }
    expect(allowed({ action: "s3:ListBucketVersions", resource: bucket("raw") })).toBe(false);
  });

  it.each<[string, Request]>([
    ["raw data", { action: "s3:GetObject", resource: object("raw", "landing/baf/run_date=2025-01-01/a.csv") }],
    ["quarantined rows", { action: "s3:GetObject", resource: object("raw", "quarantine/baf/x") }],
    ["processed data", { action: "s3:GetObject", resource: object("processed", "processed/baf/x.parquet") }],
    ["artifacts and keys", { action: "s3:GetObject", resource: object("artifacts", "keys/baf/data-key.json") }],
    ["the data key through S3", decryptViaS3("processed")],
    ["the data key directly", { action: "kms:Decrypt", resource: keyArn("data") }],
    ["the processed catalog", { action: "glue:GetTable", resource: glue(`table/${JOBS.processedDatabaseName}/baf`) }],
    ["writing a lineage record", { action: "s3:PutObject", resource: object("lineage-audit", "lineage/x.json") }],
    ["deleting a lineage record", { action: "s3:DeleteObject", resource: object("lineage-audit", "lineage/x.json") }],
    ["shortening a retention", { action: "s3:PutObjectRetention", resource: object("lineage-audit", "lineage/x.json") }],
    ["bypassing governance retention", { action: "s3:BypassGovernanceRetention", resource: object("lineage-audit", "lineage/x.json") }],
    ["signing an audit chain head", { action: "kms:Sign", resource: keyArn("audit-signing") }],
    ["writing audit events", { action: "logs:PutLogEvents", resource: `${AUDIT_LOG_GROUP}:log-stream:run-1` }],
    ["deleting the audit trail", { action: "logs:DeleteLogStream", resource: `${AUDIT_LOG_GROUP}:log-stream:run-1` }],
  ])("cannot reach %s", (_what, request) => {
    expect(allowed(request)).toBe(false);
  });
});

describe("re-identification role (break-glass)", () => {
  const allowed = (request: Request) => isAllowed(statementsOfRole("reidentification"), request);
  const tokenizationKey = () => keyArn("tokenization");
  const context = {
    "kms:EncryptionContextKeys": ["profile", "key_version"],
    "kms:EncryptionContext:profile": "baf",
    "kms:EncryptionContext:key_version": "2026-01",
  };

  it("reads the wrapped tokenization keys and unwraps them only under their {profile, key_version} context", () => {
    expect(allowed({ action: "s3:GetObject", resource: object("artifacts", "keys/baf/data-key.json") })).toBe(true);
    expect(allowed({ action: "kms:Decrypt", resource: tokenizationKey(), context })).toBe(true);
    expect(allowed({ action: "kms:Decrypt", resource: tokenizationKey() })).toBe(false);
  });

  it.each<[string, Request]>([
    ["raw data", { action: "s3:GetObject", resource: object("raw", "landing/baf/run_date=2025-01-01/a.csv") }],
    ["processed data", { action: "s3:GetObject", resource: object("processed", "processed/baf/x.parquet") }],
    ["the job's code", { action: "s3:GetObject", resource: object("artifacts", "glue/scripts/etl_job.py") }],
    ["writing a key file", { action: "s3:PutObject", resource: object("artifacts", "keys/baf/data-key.json") }],
    ["the data key directly", { action: "kms:Decrypt", resource: keyArn("data") }],
  ])("cannot reach %s", (_what, request) => {
    expect(allowed(request)).toBe(false);
  });
});

describe("consumer roles", () => {
  const roles = () =>
    Object.values(resourcesOf(operationsJson(), "aws_iam_role")).filter((role) =>
      /data-scientist|auditor|reidentification/.test(String(role.name)),
    );

  it("are assumed only by the principals of their Terraform variable, with MFA for IAM users and a source identity", () => {
    const documents = operationsJson().data?.aws_iam_policy_document ?? {};
    const trustOf = (role: Config) => {
      const id = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(role.assume_role_policy))?.[1];
      return (documents[id ?? ""]?.statement as Config[] | undefined) ?? [];
    };
    const principalsByRole = Object.fromEntries(
      roles().map((role) => [String(role.name), trustOf(role).map((statement) => [statement.actions, statement.principals])]),
    );
    const assume = ["sts:AssumeRole", "sts:SetSourceIdentity"];
    expect(principalsByRole).toEqual({
      [`${PREFIX}-data-scientist`]: [[assume, [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:role/fraud-data-scientist`] }]]],
      [`${PREFIX}-auditor`]: [[assume, [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:role/fraud-auditor`] }]]],
      [`${PREFIX}-reidentification`]: [[assume, [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:role/fraud-investigator`] }]]],
    });
    for (const role of roles()) {
      expect(trustOf(role)[0]?.condition, String(role.name)).toEqual([
        { test: "BoolIfExists", variable: "aws:MultiFactorAuthPresent", values: ["true"] },
        { test: "Null", variable: "sts:SourceIdentity", values: ["false"] },
      ]);
    }
    expect(roles().map((role) => role.max_session_duration)).toEqual([3600, 3600, 3600]);
  });

  it("trusts only principals of the organization when an organization id is configured", () => {
    const stack = testStack();
    const role = new ConsumerRole(stack, "role", {
      roleName: "r",
      description: "r",
      trustedPrincipalArns: ["arn:aws:iam::111122223333:role/x"],
      organizationId: "o-a1b2c3d4e5",
    });
    role.policy.addStatement({ sid: "Read", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] });
    const trust = Object.values(synth(stack).data?.aws_iam_policy_document ?? {})[0]?.statement as Config[];
    expect(trust[0]?.condition).toContainEqual({ test: "StringEquals", variable: "aws:PrincipalOrgID", values: ["o-a1b2c3d4e5"] });
  });

  it("list actions and name their resources: no wildcard action, no unscoped resource", () => {
    for (const role of ["data-scientist", "auditor"]) {
      for (const statement of statementsOfRole(role)) {
        expect(statement.Action.filter(isWildcardAction), `${role} ${statement.Sid}`).toEqual([]);
        for (const resource of statement.Resource ?? []) {
          expect(
            resource.startsWith(`arn:aws:s3:::${PREFIX}-`) || resource.includes(`:${ACCOUNT}:`),
            `${role} ${statement.Sid} ${resource}`,
          ).toBe(true);
        }
      }
    }
  });
});
