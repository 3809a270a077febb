import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { describe, expect, it } from "vitest";
import { accountRootArn } from "../../modules/iam/arns";
import { PolicyDocument, PolicyError } from "../../modules/iam/policy-document";
import { ServiceRole } from "../../modules/iam/service-role";
import { onlyResourceOf, statement, statementsOf, synth } from "./support/synth";
import { TEST_ACCOUNT, testStack } from "./support/test-stack";

const account = { test: "StringEquals", variable: "aws:PrincipalAccount", values: ["111122223333"] };

describe("PolicyDocument refuses what the platform forbids", () => {
  it.each(["*", "s3:*", "s3:Get*", "kms:?ncrypt"])("refuses the wildcard action %s in an Allow", (action) => {
    const document = PolicyDocument.identity("reader");
    expect(() => document.addStatement({ sid: "Read", actions: [action], resources: ["arn:aws:s3:::bucket/*"] })).toThrow(
      new PolicyError("reader", "Read", `wildcard action "${action}" in an Allow; list the actions it needs`),
    );
  });

  it("accepts a wildcard action in a Deny, where it only narrows access", () => {
    const document = PolicyDocument.resource("bucket").addStatement({
      sid: "DenyInsecureTransport",
      effect: "Deny",
      principals: "*",
      actions: ["s3:*"],
      resources: ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"],
      conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    expect(document.statements).toHaveLength(1);
  });

  it('refuses "Resource": "*" for actions that support resource-level permissions', () => {
    const document = PolicyDocument.identity("writer");
    expect(() => document.addStatement({ sid: "Write", actions: ["s3:PutObject", "sts:GetCallerIdentity"], resources: ["*"] })).toThrow(
      /"Resource": "\*" for s3:PutObject, which support resource-level permissions/,
    );
  });

  it('accepts "Resource": "*" for actions AWS defines without resource types', () => {
    const document = PolicyDocument.identity("metrics").addStatement({
      sid: "Metrics",
      actions: ["cloudwatch:PutMetricData", "sts:GetCallerIdentity"],
      resources: ["*"],
    });
    expect(document.statements).toHaveLength(1);
  });

  it("refuses an Allow to any principal unless a condition confines it to the account", () => {
    const document = PolicyDocument.resource("endpoint");
    const open = { sid: "Anyone", principals: "*" as const, actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bucket/*"] };
    expect(() => document.addStatement(open)).toThrow(/an Allow to any principal needs a condition on one of aws:PrincipalAccount/);
    const resourceOwnerOnly = { test: "StringEquals", variable: "aws:ResourceAccount", values: ["111122223333"] };
    expect(() => document.addStatement({ ...open, conditions: [resourceOwnerOnly] })).toThrow(/needs a condition/);
    document.addStatement({ ...open, conditions: [account] });
    expect(document.statements).toHaveLength(1);
  });

  it("refuses principals in identity policies, missing principals elsewhere, and resources in trust policies", () => {
    const principals = [{ type: "Service" as const, identifiers: ["glue.amazonaws.com"] }];
    expect(() =>
      PolicyDocument.identity("role").addStatement({ sid: "A", principals, actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }),
    ).toThrow(/an identity policy cannot name principals/);
    expect(() =>
      PolicyDocument.resource("bucket").addStatement({ sid: "A", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }),
    ).toThrow(/a resource policy statement must name its principals/);
    expect(() =>
      PolicyDocument.trust("trust").addStatement({ sid: "A", principals, actions: ["sts:AssumeRole"], resources: ["*"] }),
    ).toThrow(/a trust policy statement has no resources/);
  });

  it("refuses malformed actions, non-alphanumeric sids and empty lists", () => {
    const document = PolicyDocument.identity("role");
    expect(() => document.addStatement({ sid: "A", actions: ["GetObject"], resources: ["arn:aws:s3:::b/*"] })).toThrow(
      /"GetObject" is not an action like s3:GetObject/,
    );
    expect(() => document.addStatement({ sid: "read-objects", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] })).toThrow(
      /sid must be alphanumeric/,
    );
    expect(() => document.addStatement({ sid: "A", actions: [], resources: ["arn:aws:s3:::b/*"] })).toThrow(/lists no actions/);
    expect(() => document.addStatement({ sid: "A", actions: ["s3:GetObject"], resources: [] })).toThrow(/lists no resources/);
  });

  it("ignores a repeated identical statement but refuses a different one with the same sid", () => {
    const read = { sid: "Read", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] };
    const document = PolicyDocument.identity("role").addStatement(read).addStatement(read);
    expect(document.statements).toHaveLength(1);
    expect(() => document.addStatement({ ...read, actions: ["s3:PutObject"] })).toThrow(/another statement already uses this sid/);
  });

  it('refuses kms:* in a key policy, even to the account root, and any resource but "*"', () => {
    const key = PolicyDocument.key("data-key");
    const root = { type: "AWS" as const, identifiers: [accountRootArn(TEST_ACCOUNT)] };
    const logs = { type: "Service" as const, identifiers: ["logs.eu-central-2.amazonaws.com"] };
    expect(() => key.addStatement({ sid: "Root", principals: [root], actions: ["kms:*"], resources: ["*"] })).toThrow(
      /wildcard action "kms:\*"/,
    );
    expect(() => key.addStatement({ sid: "Logs", principals: [logs], actions: ["kms:Decrypt"], resources: ["arn:aws:kms:x"] })).toThrow(
      /a key policy statement's resource is always "\*"/,
    );
  });

  it("checks statements produced at render like added ones, and refuses a sid used by both", () => {
    const key = PolicyDocument.key("k");
    const logs = { type: "Service" as const, identifiers: ["logs.eu-central-2.amazonaws.com"] };
    key.addStatement({ sid: "Logs", principals: [logs], actions: ["kms:Decrypt"], resources: ["*"] });
    key.addStatementsAtRender(() => [{ sid: "Logs", principals: [logs], actions: ["kms:Encrypt"], resources: ["*"] }]);
    expect(() => key.render()).toThrow(/another statement already uses this sid/);
    const wildcard = PolicyDocument.key("w").addStatementsAtRender(() => [
      { sid: "All", principals: [logs], actions: ["kms:*"], resources: ["*"] },
    ]);
    expect(() => wildcard.render()).toThrow(/wildcard action/);
  });

  it("refuses to render an empty policy, which IAM would reject", () => {
    expect(() => PolicyDocument.identity("nothing").render()).toThrow(/has no statements/);
  });
});

describe("PolicyDocument rendering", () => {
  it("renders lazily, so statements added after the resource was declared are synthesized", () => {
    const stack = testStack();
    const document = PolicyDocument.identity("late");
    new IamRolePolicy(stack, "policy", { role: "some-role", policy: document.toJson() });
    document.addStatement({
      sid: "ReadObjects",
      actions: ["s3:GetObject"],
      resources: ["arn:aws:s3:::bucket/*"],
      conditions: [
        { test: "StringEquals", variable: "aws:ResourceAccount", values: ["111122223333"] },
        { test: "StringEquals", variable: "s3:ExistingObjectTag/tier", values: ["raw"] },
      ],
    });
    const policy = onlyResourceOf(synth(stack), "aws_iam_role_policy").policy;
    expect(statementsOf(policy)).toEqual([
      {
        Sid: "ReadObjects",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: ["arn:aws:s3:::bucket/*"],
        Condition: { StringEquals: { "aws:ResourceAccount": ["111122223333"], "s3:ExistingObjectTag/tier": ["raw"] } },
      },
    ]);
  });
});

describe("ServiceRole", () => {
  it("trusts one service for this account (and source ARN) and carries the grants in one inline policy", () => {
    const stack = testStack();
    const role = new ServiceRole(stack, "flow-logs", {
      roleName: "sentinel-test-flow-logs",
      description: "test",
      servicePrincipal: "vpc-flow-logs.amazonaws.com",
      account: TEST_ACCOUNT,
      sourceArnLike: "arn:aws:ec2:eu-central-2:111122223333:vpc-flow-log/*",
    });
    role.policy.addStatement({
      sid: "Write",
      actions: ["logs:PutLogEvents"],
      resources: ["arn:aws:logs:eu-central-2:111122223333:log-group:x:*"],
    });
    const synthesized = synth(stack);
    const trust = statement(onlyResourceOf(synthesized, "aws_iam_role").assume_role_policy, "AssumedByService");
    expect(trust).toEqual({
      Sid: "AssumedByService",
      Effect: "Allow",
      Principal: { Service: ["vpc-flow-logs.amazonaws.com"] },
      Action: ["sts:AssumeRole"],
      Condition: {
        StringEquals: { "aws:SourceAccount": ["111122223333"] },
        ArnLike: { "aws:SourceArn": ["arn:aws:ec2:eu-central-2:111122223333:vpc-flow-log/*"] },
      },
    });
    expect(statementsOf(onlyResourceOf(synthesized, "aws_iam_role_policy").policy).map((s) => s.Sid)).toEqual(["Write"]);
  });
});
