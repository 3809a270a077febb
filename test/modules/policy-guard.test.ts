import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EgressOnlyInternetGateway } from "@cdktf/provider-aws/lib/egress-only-internet-gateway";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Aspects, Testing, type TerraformStack } from "cdktf";
import { DnsFirewall } from "../../modules/network/dns-firewall";
import { describe, expect, it } from "vitest";
import { PolicyGuard } from "../../modules/policy-guard/policy-guard";
import { testBuckets, testKeys, testLogGroups } from "./support/foundation-fixture";
import { TEST_DEPLOYER_ARN, testStack, withPlainStackTraces } from "./support/test-stack";
import { denyInsecureTransportStatement } from "./support/bucket-policy-statements";

function guardedStack(): TerraformStack {
  const stack = testStack();
  Aspects.of(stack).add(new PolicyGuard());
  return stack;
}

/** Synthesizes like `cdktf synth` does and returns the error, or undefined when synth succeeds. */
function synthError(stack: TerraformStack): string | undefined {
  try {
    withPlainStackTraces(() => Testing.fullSynth(stack));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function expectRejected(stack: TerraformStack, path: string, rule: string): string {
  const message = synthError(stack);
  expect(message).toContain('Encountered Annotations with level "ERROR"');
  expect(message).toContain(`[test/${path}] policy guard [${rule}]`);
  return message as string;
}

const KEY_ID_STATEMENT = (bucket: string) => ({
  Sid: "DenyKmsWithoutKeyId",
  Effect: "Deny",
  Principal: "*",
  Action: ["s3:PutObject"],
  Resource: [`arn:aws:s3:::${bucket}/*`],
  Condition: {
    StringEquals: { "s3:x-amz-server-side-encryption": ["aws:kms"] },
    Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": ["true"] },
  },
});
const TLS_POLICY = (bucket: string, extra: object[] = []) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransportStatement(bucket), KEY_ID_STATEMENT(bucket), ...extra] });

interface BucketParts {
  readonly sse?: "aws:kms" | "AES256" | "none";
  readonly publicAccessBlock?: boolean | "partial";
  readonly versioning?: "Enabled" | "Suspended" | "none";
  readonly policy?: string | "none";
}

/** A hand-built bucket with the companions asked for (a fully compliant one by default, minus access logging). */
function bucketWith(stack: TerraformStack, parts: BucketParts = {}): S3Bucket {
  const bucket = new S3Bucket(stack, "bucket", { bucket: "guard-test-bucket" });
  PolicyGuard.exempt(bucket, "bucket-access-logging", "logging is not what these tests are about");
  const sse = parts.sse ?? "aws:kms";
  if (sse !== "none") {
    new S3BucketServerSideEncryptionConfigurationA(stack, "sse", {
      bucket: bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault:
            sse === "aws:kms"
              ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-central-2:111122223333:key/x" }
              : { sseAlgorithm: "AES256" },
        },
      ],
    });
  }
  const block = parts.publicAccessBlock ?? true;
  if (block !== false) {
    new S3BucketPublicAccessBlock(stack, "pab", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: block === true,
    });
  }
  const versioning = parts.versioning ?? "Enabled";
  if (versioning !== "none")
    new S3BucketVersioningA(stack, "versioning", { bucket: bucket.id, versioningConfiguration: { status: versioning } });
  const policy = parts.policy ?? TLS_POLICY("guard-test-bucket");
  if (policy !== "none") new S3BucketPolicy(stack, "policy", { bucket: bucket.id, policy });
  return bucket;
}

describe("policy guard: buckets", () => {
  it("passes a bucket with SSE-KMS, all public-access blocks, versioning and a TLS-only policy", () => {
    const stack = guardedStack();
    bucketWith(stack);
    expect(synthError(stack)).toBeUndefined();
  });

  it.each([
    ["no default encryption", { sse: "none" } as BucketParts],
    ["SSE-S3 instead of SSE-KMS", { sse: "AES256" } as BucketParts],
  ])("rejects a bucket with %s", (_case, parts) => {
    const stack = guardedStack();
    bucketWith(stack, parts);
    expectRejected(stack, "bucket", "bucket-sse-kms");
  });

  it("accepts SSE-S3 only on a bucket exempted from SSE-KMS, and still rejects it unencrypted", () => {
    const exempted = guardedStack();
    PolicyGuard.exempt(bucketWith(exempted, { sse: "AES256" }), "bucket-sse-kms", "S3 server access logs support only SSE-S3 targets");
    expect(synthError(exempted)).toBeUndefined();
    const unencrypted = guardedStack();
    PolicyGuard.exempt(bucketWith(unencrypted, { sse: "none" }), "bucket-sse-kms", "S3 server access logs support only SSE-S3 targets");
    expectRejected(unencrypted, "bucket", "bucket-sse-kms");
  });

  it.each([
    ["no public-access block", { publicAccessBlock: false } as BucketParts, "bucket-public-access-block"],
    ["a public-access block with one flag off", { publicAccessBlock: "partial" } as BucketParts, "bucket-public-access-block"],
    ["no versioning", { versioning: "none" } as BucketParts, "bucket-versioning"],
    ["suspended versioning", { versioning: "Suspended" } as BucketParts, "bucket-versioning"],
  ])("rejects a bucket with %s", (_case, parts, rule) => {
    const stack = guardedStack();
    bucketWith(stack, parts);
    expectRejected(stack, "bucket", rule);
  });

  it.each([
    ["no bucket policy", "none"],
    [
      "a policy without a TLS-only deny",
      JSON.stringify({
        Statement: [
          {
            Sid: "Read",
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::111122223333:root" },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::guard-test-bucket/*",
          },
        ],
      }),
    ],
  ])("rejects a bucket with %s", (_case, policy) => {
    const stack = guardedStack();
    bucketWith(stack, { policy });
    expectRejected(stack, "bucket", "bucket-tls-only");
  });

  it("rejects a bucket without server access logging unless exempted", () => {
    const stack = guardedStack();
    new S3Bucket(stack, "unlogged", { bucket: "unlogged" });
    expectRejected(stack, "unlogged", "bucket-access-logging");
  });

  it("sees through escape-hatch overrides: a platform bucket whose policy is overridden fails", () => {
    const stack = guardedStack();
    const buckets = testBuckets(stack, testKeys(stack), { lineageObjectLock: { mode: "GOVERNANCE", days: 1 } });
    expect(synthError(stack)).toBeUndefined();
    const policy = buckets.raw.node.findAll().find((node) => node instanceof S3BucketPolicy) as S3BucketPolicy;
    policy.addOverride("policy", JSON.stringify({ Statement: [] }));
    expectRejected(stack, "buckets/raw/baseline/bucket", "bucket-tls-only");
  });
});

describe("policy guard: log groups", () => {
  it("rejects a log group without a KMS key, and one without retention, naming each", () => {
    const stack = guardedStack();
    new CloudwatchLogGroup(stack, "plain", { name: "/plain", retentionInDays: 365 });
    new CloudwatchLogGroup(stack, "forever", { name: "/forever", kmsKeyId: "arn:aws:kms:eu-central-2:111122223333:key/x" });
    const message = expectRejected(stack, "plain", "log-group-kms");
    expect(message).toContain("[test/forever] policy guard [log-group-retention]");
  });

  it("passes groups from the log-group factory", () => {
    const stack = guardedStack();
    testLogGroups(stack, testKeys(stack)).create({ purpose: "x" });
    expect(synthError(stack)).toBeUndefined();
  });
});

describe("policy guard: no internet path", () => {
  it.each<[string, string, (stack: TerraformStack) => void]>([
    ["an internet gateway", "no-internet-gateway", (stack) => new InternetGateway(stack, "offender", { vpcId: "vpc-1" })],
    [
      "an egress-only internet gateway",
      "no-internet-gateway",
      (stack) => new EgressOnlyInternetGateway(stack, "offender", { vpcId: "vpc-1" }),
    ],
    ["a NAT gateway", "no-nat-gateway", (stack) => new NatGateway(stack, "offender", { subnetId: "subnet-1" })],
    ["an Elastic IP", "no-eip", (stack) => new Eip(stack, "offender", { domain: "vpc" })],
    [
      "a subnet mapping public IPs",
      "no-public-ip",
      (stack) => new Subnet(stack, "offender", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true }),
    ],
    [
      "an instance with a public IP",
      "no-public-ip",
      (stack) => new Instance(stack, "offender", { ami: "ami-1", associatePublicIpAddress: true }),
    ],
    [
      "a launch template with a public IP",
      "no-public-ip",
      (stack) => new LaunchTemplate(stack, "offender", { networkInterfaces: [{ associatePublicIpAddress: "true" }] }),
    ],
    [
      "a default route",
      "no-default-route",
      (stack) => new Route(stack, "offender", { routeTableId: "rtb-1", destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-1" }),
    ],
    [
      "a route table with an IPv6 default route",
      "no-default-route",
      (stack) => new RouteTable(stack, "offender", { vpcId: "vpc-1", route: [{ ipv6CidrBlock: "::/0", gatewayId: "igw-1" }] }),
    ],
  ])("rejects %s", (_case, rule, build) => {
    const stack = guardedStack();
    build(stack);
    expectRejected(stack, "offender", rule);
  });
});

describe("policy guard: IAM", () => {
  const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

  it.each([
    ["a service wildcard", [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }]],
    ["a global wildcard", [{ Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: "*" }]],
    ["a prefix wildcard", [{ Effect: "Allow", Action: ["s3:Get*"], Resource: "arn:aws:s3:::b/*" }]],
    ["NotAction in an Allow", [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }]],
  ])("rejects a role policy with %s", (_case, statements) => {
    const stack = guardedStack();
    new IamRolePolicy(stack, "offender", { role: "r", policy: policy(statements) });
    expectRejected(stack, "offender", "iam-wildcard-action");
  });

  it("accepts a wildcard in a Deny", () => {
    const stack = guardedStack();
    new IamRolePolicy(stack, "boundary", { role: "r", policy: policy([{ Effect: "Deny", Action: "s3:*", Resource: "*" }]) });
    expect(synthError(stack)).toBeUndefined();
  });

  it("rejects kms:* in a key policy, even for the account root (AWS's default key policy)", () => {
    const bad = guardedStack();
    const root = { Sid: "Admin", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" };
    new KmsKey(bad, "offender", { policy: policy([root]) });
    expectRejected(bad, "offender", "iam-wildcard-action");
    expectRejected(bad, "offender", "kms-key-policy");
  });

  it("rejects a wildcard in an aws_iam_policy_document data source", () => {
    const stack = guardedStack();
    new DataAwsIamPolicyDocument(stack, "offender", { statement: [{ actions: ["glue:*"], resources: ["*"] }] });
    expectRejected(stack, "offender", "iam-wildcard-action");
  });

  it("rejects a policy it cannot inspect (an HCL expression instead of JSON)", () => {
    const stack = guardedStack();
    new IamRolePolicy(stack, "offender", { role: "r", policy: "${jsonencode(local.policy)}" });
    expect(expectRejected(stack, "offender", "iam-wildcard-action")).toContain("policy is not a JSON document the guard can inspect");
  });
});

describe("policy guard: keys, records, trail and DNS", () => {
  const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
  const ROOT = "arn:aws:iam::111122223333:root";
  const guardedKeyPolicy = [
    {
      Sid: "Recovery",
      Effect: "Allow",
      Principal: { AWS: ROOT },
      Action: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy"],
      Resource: "*",
    },
    {
      Sid: "Users",
      Effect: "Allow",
      Principal: { AWS: ROOT },
      Action: ["kms:Decrypt"],
      Resource: "*",
      Condition: { ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::111122223333:role/job"] } },
    },
    {
      Sid: "DenyUse",
      Effect: "Deny",
      Principal: "*",
      Action: ["kms:Decrypt"],
      Resource: "*",
      Condition: { ArnNotEquals: { "aws:PrincipalArn": ["arn:aws:iam::111122223333:role/job"] } },
    },
    {
      Sid: "DenyManagement",
      Effect: "Deny",
      Principal: "*",
      Action: ["kms:PutKeyPolicy", "kms:DisableKey", "kms:ScheduleKeyDeletion"],
      Resource: "*",
      Condition: { ArnNotEquals: { "aws:PrincipalArn": [TEST_DEPLOYER_ARN, ROOT] } },
    },
  ];

  it("passes the platform's keys and a hand-written key policy with an allow-list and both denies", () => {
    const stack = guardedStack();
    testKeys(stack);
    new KmsKey(stack, "hand-written", { policy: policy(guardedKeyPolicy) });
    expect(synthError(stack)).toBeUndefined();
  });

  it.each<[string, object[]]>([
    [
      "hands Decrypt to every IAM principal of the account",
      guardedKeyPolicy.map((s) => (s.Sid === "Users" ? { ...s, Condition: undefined } : s)),
    ],
    ["denies no use outside its allow-list", guardedKeyPolicy.filter((s) => s.Sid !== "DenyUse")],
    ["leaves its policy, state and deletion to IAM", guardedKeyPolicy.filter((s) => s.Sid !== "DenyManagement")],
  ])("rejects a key policy that %s", (_case, statements) => {
    const stack = guardedStack();
    new KmsKey(stack, "offender", { policy: policy(statements) });
    expectRejected(stack, "offender", "kms-key-policy");
  });

  it("rejects a key without a policy (KMS would give the account root kms:*)", () => {
    const stack = guardedStack();
    new KmsKey(stack, "offender", {});
    expectRejected(stack, "offender", "kms-key-policy");
  });

  it("rejects an SSE-KMS bucket whose policy lets aws:kms through without a key id", () => {
    const stack = guardedStack();
    bucketWith(stack, {
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransportStatement("guard-test-bucket")] }),
    });
    expectRejected(stack, "bucket", "bucket-kms-key-id");
  });

  it("rejects an Object-Locked bucket whose policy lets a writer choose another lock mode, and passes it with the deny", () => {
    const bad = guardedStack();
    const locked = bucketWith(bad);
    locked.objectLockEnabled = true;
    expectRejected(bad, "bucket", "bucket-object-lock-mode");
    const ok = guardedStack();
    const lockMode = {
      Sid: "DenyOtherObjectLockMode",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: ["arn:aws:s3:::guard-test-bucket/*"],
      Condition: { StringNotEquals: { "s3:object-lock-mode": ["COMPLIANCE"] }, Null: { "s3:object-lock-mode": ["false"] } },
    };
    bucketWith(ok, { policy: TLS_POLICY("guard-test-bucket", [lockMode]) }).objectLockEnabled = true;
    expect(synthError(ok)).toBeUndefined();
  });

  it("rejects a trail without log file validation or without a customer-managed key", () => {
    const stack = guardedStack();
    new Cloudtrail(stack, "offender", { name: "t", s3BucketName: "b", enableLogFileValidation: false });
    const message = expectRejected(stack, "offender", "cloudtrail-integrity");
    expect(message).toContain("log file validation");
    expect(message).toContain("kms_key_id");
  });

  it("rejects a VPC without a DNS firewall association, and passes one with it", () => {
    const bad = guardedStack();
    new Vpc(bad, "offender", { cidrBlock: "10.50.0.0/16" });
    expectRejected(bad, "offender", "vpc-dns-firewall");
    const ok = guardedStack();
    const vpc = new Vpc(ok, "vpc", { cidrBlock: "10.50.0.0/16" });
    new DnsFirewall(ok, "dns", { namePrefix: "t", vpcId: vpc.id, vpcCidr: "10.50.0.0/16", region: "eu-central-2" });
    expect(synthError(ok)).toBeUndefined();
  });
});

describe("policy guard: exemptions", () => {
  it("admits exemptions only from the two exemptable rules, and only with a reason", () => {
    const stack = testStack();
    const bucket = new S3Bucket(stack, "bucket", {});
    expect(() => PolicyGuard.exempt(bucket, "bucket-tls-only", "because I said so, at length")).toThrow(/admits no exemption/);
    expect(() => PolicyGuard.exempt(bucket, "bucket-sse-kms", "why not")).toThrow(/needs a written reason/);
    PolicyGuard.exempt(bucket, "bucket-sse-kms", "S3 server access logs support only SSE-S3 targets");
    expect(PolicyGuard.exemptionsOf(bucket)).toEqual([
      { rule: "bucket-sse-kms", reason: "S3 server access logs support only SSE-S3 targets" },
    ]);
  });

  it("reports every violation of a stack at once", () => {
    const stack = guardedStack();
    bucketWith(stack, { sse: "none", versioning: "none" });
    new NatGateway(stack, "nat", { subnetId: "subnet-1" });
    const message = synthError(stack) ?? "";
    expect(message.match(/policy guard \[/g)).toHaveLength(3);
  });
});
