import { describe, expect, it } from "vitest";
import { PlatformKeys } from "../../modules/encryption/platform-keys";
import { PolicyDocument } from "../../modules/iam/policy-document";
import { LogGroupFactory } from "../../modules/logging/log-group-factory";
import { referencedId, resolveIn, resourcesOf, statement, statementsOf, synth, TEST_DEPLOYER_ARN, TEST_SCOPE, testStack } from "./support/synth";

function keysFixture() {
  const stack = testStack();
  const keys = new PlatformKeys(stack, "keys", { namePrefix: "sentinel-test", scope: TEST_SCOPE, auditLogGroupPrefix: "/sentinel/test/audit", administratorArns: [TEST_DEPLOYER_ARN] });
  return { stack, keys };
}

describe("PlatformKeys", () => {
  it("creates data, logs and audit keys with yearly rotation, a 30-day deletion window and per-environment aliases", () => {
    const { stack } = keysFixture();
    const synthesized = synth(stack);
    const keys = Object.values(resourcesOf(synthesized, "aws_kms_key"));
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      expect(key).toMatchObject({
        enable_key_rotation: true,
        rotation_period_in_days: 365,
        deletion_window_in_days: 30,
        key_usage: "ENCRYPT_DECRYPT",
        multi_region: false,
      });
    }
    expect(Object.values(resourcesOf(synthesized, "aws_kms_alias")).map((alias) => alias.name).sort()).toEqual([
      "alias/sentinel-test-audit",
      "alias/sentinel-test-data",
      "alias/sentinel-test-logs",
    ]);
  });

  it("allows kms:* only to the account root in every key policy", () => {
    const { stack } = keysFixture();
    for (const key of Object.values(resourcesOf(synth(stack), "aws_kms_key"))) {
      const wildcard = statementsOf(key.policy).filter((s) => s.Action.some((action) => action.includes("*")));
      expect(wildcard).toEqual([
        expect.objectContaining({ Sid: "AccountRootKeyAdministration", Principal: { AWS: ["arn:aws:iam::111122223333:root"] } }),
      ]);
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
    expect(statementsOf(byAlias["alias/sentinel-test-data"]).map((s) => s.Sid)).toEqual(["AccountRootKeyAdministration"]);
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
});

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
