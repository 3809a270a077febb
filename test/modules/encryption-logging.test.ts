import { describe, expect, it } from "vitest";
import { TOKENIZATION_CONTEXT_KEYS } from "../../modules/encryption/platform-keys";
import { ServiceRole } from "../../modules/iam/service-role";
import { testKeys } from "./support/foundation-fixture";
import { decide, referenceResolver, rolePolicies, type Caller, type Request } from "./support/iam-evaluation";
import { PolicyDocument } from "../../modules/iam/policy-document";
import { LogGroupFactory } from "../../modules/logging/log-group-factory";
import { referencedId, resolveIn, resourcesOf, statement, statementsOf, synth, type Statement } from "./support/synth";
import { TEST_DEPLOYER_ARN, TEST_ACCOUNT, testStack } from "./support/test-stack";

function keysFixture() {
  const stack = testStack();
  const keys = testKeys(stack);
  return { stack, keys };
}

describe("PlatformKeys", () => {
  it("creates symmetric keys with yearly rotation, an HMAC and a signing key, a 30-day deletion window and per-environment aliases", () => {
    const { stack } = keysFixture();
    const synthesized = synth(stack);
    const byAlias = keysByAlias(synthesized);
    expect(Object.keys(byAlias).sort()).toEqual(
      ["audit", "audit-signing", "data", "job-bookmarks", "logs", "state-authentication", "tokenization"].map(
        (name) => `alias/sentinel-test-${name}`,
      ),
    );
    for (const [alias, key] of Object.entries(byAlias)) {
      expect(key).toMatchObject({ deletion_window_in_days: 30, multi_region: false });
      const symmetric = !alias.endsWith("-signing") && !alias.endsWith("-authentication");
      if (symmetric) expect(key).toMatchObject({ enable_key_rotation: true, rotation_period_in_days: 365, key_usage: "ENCRYPT_DECRYPT" });
    }
    expect(byAlias["alias/sentinel-test-state-authentication"]).toMatchObject({
      key_usage: "GENERATE_VERIFY_MAC",
      customer_master_key_spec: "HMAC_256",
      enable_key_rotation: false,
    });
    expect(byAlias["alias/sentinel-test-audit-signing"]).toMatchObject({
      key_usage: "SIGN_VERIFY",
      customer_master_key_spec: "ECC_NIST_P256",
      enable_key_rotation: false,
    });
  });

  it("allows no wildcard action in any key policy, not even to the account root", () => {
    const { stack } = keysFixture();
    for (const key of Object.values(resourcesOf(synth(stack), "aws_kms_key"))) {
      expect(statementsOf(key.policy).filter((s) => s.Effect === "Allow" && s.Action.some((action) => action.includes("*")))).toEqual([]);
    }
  });

  it("lets CloudWatch Logs use the logs key for this account's log groups and the audit key for audit groups only", () => {
    const { stack } = keysFixture();
    const byAlias = keyPoliciesByAlias(synth(stack));
    const logsService = { Service: ["logs.eu-central-2.amazonaws.com"] };
    expect(statement(byAlias["alias/sentinel-test-logs"], "CloudWatchLogsEncryptsAccountLogGroups")).toMatchObject({
      Principal: logsService,
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": ["arn:aws:logs:eu-central-2:111122223333:log-group:*"] } },
    });
    expect(statement(byAlias["alias/sentinel-test-audit"], "CloudWatchLogsEncryptsAccountLogGroups")).toMatchObject({
      Principal: logsService,
      Condition: {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": ["arn:aws:logs:eu-central-2:111122223333:log-group:/sentinel/test/audit*"] },
      },
    });
    expect(statementsOf(byAlias["alias/sentinel-test-data"]).map((s) => s.Sid)).not.toContain("CloudWatchLogsEncryptsAccountLogGroups");
  });

  it("grants encrypt, decrypt or both on the key's ARN, optionally only via one service", () => {
    const { stack, keys } = keysFixture();
    const policy = PolicyDocument.identity("job");
    keys.data.grantDecrypt(policy, "s3.eu-central-2.amazonaws.com");
    keys.data.grantEncrypt(policy);
    keys.audit.grantEncryptDecrypt(policy);
    const [decrypt, encrypt, both] = policy.render().Statement as Record<string, unknown>[];
    expect(decrypt).toMatchObject({
      Sid: "DecryptWithDataKeyViaS3",
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Condition: { StringEquals: { "kms:ViaService": ["s3.eu-central-2.amazonaws.com"] } },
    });
    expect(encrypt).toMatchObject({ Sid: "EncryptWithDataKey", Action: ["kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"] });
    expect(encrypt).not.toHaveProperty("Condition");
    expect(both).toMatchObject({ Sid: "EncryptDecryptWithAuditKey" });
    expect(resolveIn(stack, keys.data.keyArn)).toMatch(/^\$\{aws_kms_key\.keys_data_key_[0-9A-F]+\.arn\}$/);
    expect(resolveIn(stack, decrypt?.Resource)).toEqual([resolveIn(stack, keys.data.keyArn)]);
  });

  it("refuses grants that do not fit the key's usage, and allow-list entries that are not data actions", () => {
    const { keys } = keysFixture();
    const policy = PolicyDocument.identity("someone");
    expect(() => keys.data.grantSign(policy)).toThrow(/encrypt-decrypt key, not sign-verify/);
    expect(() => keys.auditSigning.grantGenerateVerifyMac(policy)).toThrow(/sign-verify key, not hmac/);
    expect(() => keys.data.allowUse([TEST_DEPLOYER_ARN], ["kms:PutKeyPolicy"])).toThrow(/not data actions/);
  });
});

/**
 * The key policies tried as an attacker would: an account administrator whose IAM policy allows
 * kms:* on every key, the key administrator (deployer), and roles with grants on one key trying
 * another. Evaluated with the IAM evaluator (KMS itself is not run here: statically proven).
 */
describe("key policies against an insider", () => {
  const ACCOUNT = TEST_ACCOUNT.accountId;
  const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
  const S3 = { "kms:ViaService": "s3.eu-central-2.amazonaws.com" };
  const TOKEN_CONTEXT = {
    "kms:EncryptionContextKeys": ["profile", "key_version"],
    "kms:EncryptionContext:profile": "baf",
    "kms:EncryptionContext:key_version": "2026-01",
  };

  function attackFixture(options: { mistake?: boolean } = {}) {
    const stack = testStack();
    const keys = testKeys(stack);
    if (options.mistake === true) {
      // A later edit that hands data use back to IAM, as AWS's default key policy does.
      keys.data.keyPolicy.addStatement({
        sid: "DelegateDecryptToIam",
        principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${TEST_ACCOUNT.accountId}:root`] }],
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: ["*"],
      });
    }
    const job = new ServiceRole(stack, "job", {
      roleName: "etl-job",
      description: "job",
      servicePrincipal: "glue.amazonaws.com",
      account: TEST_ACCOUNT,
    });
    const audit = new ServiceRole(stack, "audit", {
      roleName: "audit-handler",
      description: "audit",
      servicePrincipal: "lambda.amazonaws.com",
      account: TEST_ACCOUNT,
    });
    const auditor = new ServiceRole(stack, "auditor", {
      roleName: "auditor",
      description: "auditor",
      servicePrincipal: "lambda.amazonaws.com",
      account: TEST_ACCOUNT,
    });
    keys.data.grantDecrypt(job.policy, "s3.eu-central-2.amazonaws.com");
    keys.tokenization.grantDecryptWithContext(job.policy, TOKENIZATION_CONTEXT_KEYS);
    keys.stateAuthentication.grantGenerateVerifyMac(job.policy);
    keys.auditSigning.grantSign(audit.policy);
    keys.auditSigning.grantVerify(auditor.policy);
    keys.tokenization.allowUse([TEST_DEPLOYER_ARN], ["kms:GenerateDataKeyWithoutPlaintext"]);
    const synthesized = synth(stack);
    const resolve = referenceResolver(synthesized, ACCOUNT);
    const policies = rolePolicies(synthesized, ACCOUNT);
    const keyPolicy = (alias: string) => statementsOf(resolve(String(keysByAlias(synthesized)[`alias/sentinel-test-${alias}`]?.policy)));
    const keyArn = (alias: string) =>
      `arn:aws:kms:eu-central-2:${ACCOUNT}:key/${referencedId(Object.values(resourcesOf(synthesized, "aws_kms_alias")).find((a) => a.name === `alias/sentinel-test-${alias}`)?.target_key_id)}`;
    const can = (caller: Caller, alias: string, action: string, context: Request["context"] = {}) =>
      decide(keyPolicy(alias), "key", caller, { action, resource: keyArn(alias), context }, ACCOUNT);
    const asRole = (name: string): Caller => ({ arn: role(name), identity: policies.get(name) ?? [] });
    return { can, asRole };
  }

  const everythingOnEveryKey: Statement[] = [{ Sid: "Admin", Effect: "Allow", Action: ["kms:*"], Resource: ["*"] }];
  const administrator: Caller = { arn: role("AccountAdministrator"), identity: everythingOnEveryKey };
  const keyAdministrator: Caller = { arn: TEST_DEPLOYER_ARN, identity: everythingOnEveryKey };

  it("an account administrator with kms:* in IAM decrypts nothing, signs nothing and cannot change, disable or delete a key", () => {
    const { can } = attackFixture();
    for (const alias of ["data", "logs", "audit", "tokenization", "job-bookmarks"]) {
      expect(can(administrator, alias, "kms:Decrypt", S3), alias).toBe(false);
      expect(can(administrator, alias, "kms:GenerateDataKey", S3), alias).toBe(false);
    }
    expect(can(administrator, "tokenization", "kms:Decrypt", TOKEN_CONTEXT)).toBe(false);
    expect(can(administrator, "audit-signing", "kms:Sign")).toBe(false);
    expect(can(administrator, "state-authentication", "kms:GenerateMac")).toBe(false);
    for (const action of ["kms:PutKeyPolicy", "kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:CreateGrant", "kms:DisableKeyRotation"]) {
      for (const alias of ["data", "audit", "tokenization", "audit-signing"])
        expect(can(administrator, alias, action), `${alias} ${action}`).toBe(false);
    }
    // What the account keeps so the key stays manageable: reading it.
    expect(can(administrator, "data", "kms:DescribeKey")).toBe(true);
  });

  it("keeps denying data use outside the allow-list even if a statement delegating it to IAM is added", () => {
    const { can, asRole } = attackFixture({ mistake: true });
    expect(can(administrator, "data", "kms:Decrypt", S3)).toBe(false);
    expect(can(administrator, "data", "kms:GenerateDataKey", S3)).toBe(false);
    expect(can(asRole("etl-job"), "data", "kms:Decrypt", S3)).toBe(true);
  });

  it("the key administrator manages every key but uses none for data; the root user can still repair a policy", () => {
    const { can } = attackFixture();
    for (const alias of ["data", "tokenization", "audit-signing", "state-authentication"]) {
      expect(can(keyAdministrator, alias, "kms:PutKeyPolicy"), alias).toBe(true);
      expect(can(keyAdministrator, alias, "kms:ScheduleKeyDeletion"), alias).toBe(true);
    }
    expect(can(keyAdministrator, "data", "kms:Decrypt", S3)).toBe(false);
    expect(can(keyAdministrator, "tokenization", "kms:Decrypt", TOKEN_CONTEXT)).toBe(false);
    expect(can(keyAdministrator, "audit-signing", "kms:Sign")).toBe(false);
    // The deployer may wrap new tokenization key versions (no plaintext), in the tokenization context only.
    expect(can(keyAdministrator, "tokenization", "kms:GenerateDataKeyWithoutPlaintext", TOKEN_CONTEXT)).toBe(true);
    expect(can(keyAdministrator, "tokenization", "kms:GenerateDataKeyWithoutPlaintext")).toBe(false);
    const rootUser: Caller = { arn: `arn:aws:iam::${ACCOUNT}:root`, identity: [] };
    expect(can(rootUser, "data", "kms:PutKeyPolicy")).toBe(true);
    expect(can(rootUser, "data", "kms:Decrypt", S3)).toBe(false);
  });

  it("the job unwraps tokenization keys only under the {profile, key_version} context, and reads data only through S3", () => {
    const { can, asRole } = attackFixture();
    const job = asRole("etl-job");
    expect(can(job, "tokenization", "kms:Decrypt", TOKEN_CONTEXT)).toBe(true);
    expect(can(job, "tokenization", "kms:Decrypt")).toBe(false);
    expect(
      can(job, "tokenization", "kms:Decrypt", { ...TOKEN_CONTEXT, "kms:EncryptionContextKeys": ["profile", "key_version", "purpose"] }),
    ).toBe(false);
    expect(
      can(job, "tokenization", "kms:Decrypt", { "kms:EncryptionContextKeys": ["profile"], "kms:EncryptionContext:profile": "baf" }),
    ).toBe(false);
    expect(can(job, "data", "kms:Decrypt", S3)).toBe(true);
    expect(can(job, "data", "kms:Decrypt")).toBe(false);
    expect(can(job, "state-authentication", "kms:GenerateMac")).toBe(true);
    expect(can(job, "state-authentication", "kms:VerifyMac")).toBe(true);
    expect(can(job, "audit-signing", "kms:Sign")).toBe(false);
  });

  it("only the audit handler signs chain heads; the auditor verifies and reads the public key", () => {
    const { can, asRole } = attackFixture();
    expect(can(asRole("audit-handler"), "audit-signing", "kms:Sign")).toBe(true);
    expect(can(asRole("auditor"), "audit-signing", "kms:Sign")).toBe(false);
    expect(can(asRole("auditor"), "audit-signing", "kms:Verify")).toBe(true);
    expect(can(asRole("auditor"), "audit-signing", "kms:GetPublicKey")).toBe(true);
    expect(can(asRole("etl-job"), "audit-signing", "kms:GetPublicKey")).toBe(false);
    expect(can(asRole("audit-handler"), "state-authentication", "kms:GenerateMac")).toBe(false);
  });

  it("lets an AWS service use a key only through its own statement", () => {
    const { can } = attackFixture();
    const logs: Caller = { service: "logs.eu-central-2.amazonaws.com" };
    const logGroup = (name: string) => ({ "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:eu-central-2:${ACCOUNT}:log-group:${name}` });
    expect(can(logs, "audit", "kms:GenerateDataKey", logGroup("/sentinel/test/audit/events"))).toBe(true);
    expect(can(logs, "audit", "kms:GenerateDataKey", logGroup("/other"))).toBe(false);
    expect(can(logs, "data", "kms:Decrypt", logGroup("/sentinel/test/audit/events"))).toBe(false);
  });
});

function keysByAlias(synthesized: ReturnType<typeof synth>): Record<string, Record<string, unknown>> {
  const keys = resourcesOf(synthesized, "aws_kms_key");
  return Object.fromEntries(
    Object.values(resourcesOf(synthesized, "aws_kms_alias")).map((alias) => [
      String(alias.name),
      keys[referencedId(alias.target_key_id)] ?? {},
    ]),
  );
}

function keyPoliciesByAlias(synthesized: ReturnType<typeof synth>): Record<string, unknown> {
  const keys = resourcesOf(synthesized, "aws_kms_key");
  return Object.fromEntries(
    Object.values(resourcesOf(synthesized, "aws_kms_alias")).map((alias) => [alias.name, keys[referencedId(alias.target_key_id)]?.policy]),
  );
}

describe("LogGroupFactory", () => {
  it("makes KMS-encrypted groups under the environment prefix with the environment's retention", () => {
    const { stack, keys } = keysFixture();
    const factory = new LogGroupFactory(stack, "logs", { namePrefix: "/sentinel/test", retentionInDays: 731, defaultKey: keys.logs });
    factory.create({ purpose: "vpc-flow-logs" });
    factory.create({ purpose: "audit", key: keys.audit });
    factory.create({ purpose: "trigger", logGroupName: "/aws/lambda/sentinel-test-trigger" });
    const synthesized = synth(stack);
    const groups = Object.values(resourcesOf(synthesized, "aws_cloudwatch_log_group"));
    const keyIds = Object.fromEntries(
      Object.values(resourcesOf(synthesized, "aws_kms_alias")).map((alias) => [referencedId(alias.target_key_id), alias.name]),
    );
    expect(Object.fromEntries(groups.map((group) => [group.name, keyIds[referencedId(group.kms_key_id)]]))).toEqual({
      "/sentinel/test/vpc-flow-logs": "alias/sentinel-test-logs",
      "/sentinel/test/audit": "alias/sentinel-test-audit",
      "/aws/lambda/sentinel-test-trigger": "alias/sentinel-test-logs",
    });
    expect(groups.every((group) => group.retention_in_days === 731)).toBe(true);
    expect(factory.logGroups).toHaveLength(3);
  });

  it("grants writing to and reading from one group and its streams, and nothing else", () => {
    const { stack, keys } = keysFixture();
    const group = new LogGroupFactory(stack, "logs", { namePrefix: "/sentinel/test", retentionInDays: 365, defaultKey: keys.logs }).create({
      purpose: "audit-events",
    });
    const policy = PolicyDocument.identity("writer");
    group.grantWrite(policy);
    group.grantRead(policy);
    const [write, read] = policy.render().Statement as { Sid: string; Action: string[]; Resource: string[] }[];
    expect(write?.Sid).toBe("WriteLogsAuditEvents");
    expect(write?.Action).toEqual(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]);
    expect(read?.Action).toEqual(["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents"]);
    const arn = resolveIn(stack, group.logGroupArn) as string;
    expect(resolveIn(stack, write?.Resource)).toEqual([arn, `${arn}:log-stream:*`]);
  });
});
