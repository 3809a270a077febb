/**
 * The lineage role in the raw bucket, tried as an attacker holding its credentials would: it may read the
 * DataBrew profile results (pii-profiles/) and list the versions of landing files, and nothing else.
 *
 * Two proofs, each of what the other cannot show:
 * - static: the dev environment as synthesized, the lineage role's identity policy evaluated together with
 *   the raw bucket's policy and the data key's policy (test/modules/support/iam-evaluation.ts), for reads
 *   of every raw prefix, from inside and outside the VPC, and kms:Decrypt in every context;
 * - at run time: the same identity policy on a role in the emulator (moto 5.2.5 with IAM enforcement
 *   switched on: identity policies on action and object ARN; moto evaluates no bucket or key policy and no
 *   condition but StringEquals), the handler's own code reading the findings and the input versions with
 *   that role's credentials, and plain GetObject/HeadObject on landing/ and quarantine/ refused.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeInputFiles } from "../../handlers/lineage/input-files";
import { readPiiFindings } from "../../handlers/lineage/pii-findings";
import { emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { buildApp } from "../../stacks/app";
import { loadEnvironments } from "../../stacks/config/environments";
import { decide, referenceResolver, rolePolicies, type Caller, type Request } from "../modules/support/iam-evaluation";
import { resourcesOf, statementsOf, type Statement, type Synthesized } from "../modules/support/synth";
import { withPlainStackTraces } from "../modules/support/test-stack";

/** moto's default account: the synthesized ARNs are resolved with it, so the emulator's names match. */
const ACCOUNT = "123456789012";
const REGION = "eu-central-2";
const ENVIRONMENT = "dev";
const RAW = `sentinel-${ENVIRONMENT}-raw-${ACCOUNT}`;
const LINEAGE_ROLE = `sentinel-${ENVIRONMENT}-lineage`;
const LINEAGE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${LINEAGE_ROLE}`;
const S3_SERVICE = `s3.${REGION}.amazonaws.com`;
const PLANTED = "jane.planted-7f3c@example.org";
const PROFILE_RESULT_KEY = "pii-profiles/card-transactions/sentinel-dev-card-transactions-pii-profile_db_run1.json";
const LANDING_KEY = "landing/card-transactions/run_date=2026-03-01/cards.csv";
const QUARANTINE_KEY = "quarantine/card-transactions/ingestion_date=2026-03-01/part-0.json";

let outdir: string;
let synthesized: Synthesized;
let lineagePolicy: Statement[];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "sentinel-lineage-access-"));
  const dev = loadEnvironments().filter((config) => config.name === ENVIRONMENT);
  withPlainStackTraces(() => buildApp({ outdir, environments: dev }).app.synth());
  synthesized = JSON.parse(readFileSync(join(outdir, "stacks", ENVIRONMENT, "cdk.tf.json"), "utf8")) as Synthesized;
  const policy = rolePolicies(synthesized, ACCOUNT).get(LINEAGE_ROLE);
  if (policy === undefined) throw new Error(`no policy for ${LINEAGE_ROLE}`);
  lineagePolicy = policy;
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("the lineage role in the raw bucket, statically (dev as synthesized)", () => {
  const resolve = () => referenceResolver(synthesized, ACCOUNT);
  const bucketPolicy = (bucket: string): Statement[] => {
    const buckets = resourcesOf(synthesized, "aws_s3_bucket");
    const id = Object.keys(buckets).find((candidate) => resolve()(String(buckets[candidate]?.bucket)) === bucket);
    const policy = Object.values(resourcesOf(synthesized, "aws_s3_bucket_policy")).find(
      (candidate) => candidate.bucket === `\${aws_s3_bucket.${String(id)}.id}`,
    );
    if (policy === undefined) throw new Error(`no bucket policy for ${bucket}`);
    return statementsOf(resolve()(String(policy.policy)));
  };
  const dataKey = (): { arn: string; policy: Statement[] } => {
    const [id, key] =
      Object.entries(resourcesOf(synthesized, "aws_kms_key")).find(([candidate]) => candidate.startsWith("keys_data_")) ?? [];
    if (id === undefined || key === undefined) throw new Error("no data key");
    return { arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`, policy: statementsOf(resolve()(String(key.policy))) };
  };
  const s3Endpoint = () =>
    `vpce-${Object.keys(resourcesOf(synthesized, "aws_vpc_endpoint")).find((id) => id.includes("s3-endpoint")) ?? "none"}`;
  const lineage = (): Caller => ({ arn: LINEAGE_ROLE_ARN, identity: lineagePolicy });
  const readRaw = (key: string, context: Request["context"] = { "aws:SourceVpce": s3Endpoint() }, action = "s3:GetObject") =>
    decide(bucketPolicy(RAW), "bucket", lineage(), { action, resource: `arn:aws:s3:::${RAW}/${key}`, context }, ACCOUNT);

  it("reads pii-profiles/ from inside the VPC, and no other raw object, in any version, from anywhere", () => {
    expect(readRaw(PROFILE_RESULT_KEY)).toBe(true);
    for (const key of [
      LANDING_KEY,
      QUARANTINE_KEY,
      "landing/baf/run_date=2026-03-01/baf.csv",
      "elsewhere/x.csv",
      "pii-profiles-copy/x.json",
    ]) {
      for (const action of ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes"])
        expect(readRaw(key, undefined, action), `${action} ${key}`).toBe(false);
    }
    // outside the VPC, not even the profile results (the lineage role is no carve-out of the raw perimeter)
    expect(readRaw(PROFILE_RESULT_KEY, {})).toBe(false);
  });

  it("the raw bucket policy alone refuses it every other raw prefix, whatever IAM grants it later", () => {
    const everything: Caller = {
      arn: LINEAGE_ROLE_ARN,
      identity: [{ Sid: "Broad", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${RAW}/*`] }],
    };
    const inVpc = { "aws:SourceVpce": s3Endpoint() };
    const read = (key: string) =>
      decide(
        bucketPolicy(RAW),
        "bucket",
        everything,
        { action: "s3:GetObject", resource: `arn:aws:s3:::${RAW}/${key}`, context: inVpc },
        ACCOUNT,
      );
    expect(read(LANDING_KEY)).toBe(false);
    expect(read(QUARANTINE_KEY)).toBe(false);
    expect(read(PROFILE_RESULT_KEY)).toBe(true);
  });

  it("lists the versions of landing files (keys, version ids, ETags) and no other raw prefix", () => {
    const list = (prefix: string) =>
      decide(
        bucketPolicy(RAW),
        "bucket",
        lineage(),
        {
          action: "s3:ListBucketVersions",
          resource: `arn:aws:s3:::${RAW}`,
          context: { "s3:prefix": prefix, "aws:SourceVpce": s3Endpoint() },
        },
        ACCOUNT,
      );
    expect(list(LANDING_KEY)).toBe(true);
    expect(list("quarantine/")).toBe(false);
  });

  it("uses the data key only to decrypt, only through S3, only for the raw bucket", () => {
    const key = dataKey();
    const use = (action: string, context: Request["context"]) =>
      decide(key.policy, "key", lineage(), { action, resource: key.arn, context }, ACCOUNT);
    const rawContext = { "kms:ViaService": S3_SERVICE, "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${RAW}` };
    expect(use("kms:Decrypt", rawContext)).toBe(true);
    expect(
      use("kms:Decrypt", { "kms:ViaService": S3_SERVICE, "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${RAW}/${PROFILE_RESULT_KEY}` }),
    ).toBe(true);
    expect(use("kms:Decrypt", {})).toBe(false);
    expect(use("kms:Decrypt", { "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${RAW}` })).toBe(false);
    for (const tier of ["processed", "artifacts", "archive"]) {
      expect(
        use("kms:Decrypt", {
          "kms:ViaService": S3_SERVICE,
          "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::sentinel-${ENVIRONMENT}-${tier}-${ACCOUNT}`,
        }),
        tier,
      ).toBe(false);
    }
    expect(use("kms:Decrypt", { ...rawContext, "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${RAW}/${LANDING_KEY}` })).toBe(false);
    for (const action of ["kms:GenerateDataKey", "kms:Encrypt", "kms:ReEncryptFrom"]) expect(use(action, rawContext), action).toBe(false);
    // the key policy alone: a broader identity grant added later still cannot decrypt outside S3 or raw
    const broad: Caller = {
      arn: LINEAGE_ROLE_ARN,
      identity: [{ Sid: "Broad", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [key.arn] }],
    };
    const decideBroad = (context: Request["context"]) =>
      decide(key.policy, "key", broad, { action: "kms:Decrypt", resource: key.arn, context }, ACCOUNT);
    expect(decideBroad({})).toBe(false);
    expect(
      decideBroad({
        "kms:ViaService": S3_SERVICE,
        "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::sentinel-${ENVIRONMENT}-processed-${ACCOUNT}`,
      }),
    ).toBe(false);
  });
});

/**
 * Creates the lineage role in the emulator with its synthesized identity policy and assumes it (boto3 from
 * the project's .venv: the Node dependencies hold no IAM client).
 */
function lineageRoleCredentials(endpoint: string): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
  const script = `
import json, os, sys, boto3
kwargs = dict(endpoint_url=os.environ["EMULATOR"], region_name="${REGION}", aws_access_key_id="testing", aws_secret_access_key="testing")
iam, sts = boto3.client("iam", **kwargs), boto3.client("sts", **kwargs)
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName="${LINEAGE_ROLE}", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
iam.put_role_policy(RoleName="${LINEAGE_ROLE}", PolicyName="lineage", PolicyDocument=sys.stdin.read())
c = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="attacker")["Credentials"]
print(json.dumps({"accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"], "sessionToken": c["SessionToken"]}))
`;
  const output = execFileSync(join(process.cwd(), ".venv/bin/python"), ["-c", script], {
    input: JSON.stringify({ Version: "2012-10-17", Statement: lineagePolicy }),
    env: { ...process.env, EMULATOR: endpoint },
    encoding: "utf8",
  });
  return JSON.parse(output) as { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

describe("the lineage role in the raw bucket, at run time (emulator with IAM enforced)", () => {
  let emulator: Emulator;
  let asLineage: S3Client;

  beforeAll(async () => {
    emulator = await startEmulator();
    const admin = emulatorClientConfig(emulator.endpoint);
    const s3 = new S3Client({ ...admin, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: RAW, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: RAW, VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutObjectCommand({ Bucket: RAW, Key: LANDING_KEY, Body: `customer_id,email\nC-1,${PLANTED}\n` }));
    await s3.send(new PutObjectCommand({ Bucket: RAW, Key: QUARANTINE_KEY, Body: JSON.stringify({ raw_record: PLANTED }) }));
    // a profile result whose statistics quote the value, as DataBrew's can
    const result = {
      rowsProfiled: 1,
      columns: [
        { name: "customer_id", detectedEntityTypes: [], entities: [] },
        {
          name: "email",
          detectedEntityTypes: ["EMAIL"],
          entities: [{ entityType: "EMAIL", count: 1, ratio: 1 }],
          mostCommonValues: [{ value: PLANTED, count: 1 }],
        },
      ],
    };
    await s3.send(
      new PutObjectCommand({ Bucket: RAW, Key: PROFILE_RESULT_KEY, Body: JSON.stringify(result), ContentType: "application/json" }),
    );

    const credentials = lineageRoleCredentials(emulator.endpoint);
    asLineage = new S3Client({
      endpoint: emulator.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials,
    });
    // from here every request is authenticated and authorized against IAM
    const enforced = await fetch(`${emulator.endpoint}/moto-api/reset-auth`, { method: "POST", body: "0" });
    expect(enforced.ok).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await emulator.stop();
  });

  it("reads the profile's findings with the handler's code, without the value its statistics quote", async () => {
    const findings = await readPiiFindings(asLineage, `s3://${RAW}/pii-profiles/card-transactions/`, "db_run1");
    expect(findings?.profileLocation).toBe(`s3://${RAW}/${PROFILE_RESULT_KEY}`);
    expect(Object.fromEntries(findings?.columns ?? [])).toEqual({
      customer_id: { entityTypes: [], matches: {} },
      email: { entityTypes: ["EMAIL"], matches: { EMAIL: 1 } },
    });
    expect(JSON.stringify({ ...findings, columns: Object.fromEntries(findings?.columns ?? []) })).not.toContain(PLANTED);
  });

  it("describes the landing file's version from the listing", async () => {
    const [file] = await describeInputFiles(asLineage, [{ path: `s3://${RAW}/${LANDING_KEY}`, bytes: 10 }]);
    expect(file).toMatchObject({
      path: `s3://${RAW}/${LANDING_KEY}`,
      present: true,
      versionId: expect.any(String),
      etag: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it("is refused every read of landing and quarantine objects", async () => {
    const refused = async (command: GetObjectCommand | HeadObjectCommand) =>
      asLineage.send(command as GetObjectCommand).then(
        // Read the body through: a response stream left open errors ("aborted") when the emulator stops after the suite.
        async (output) => {
          await output.Body?.transformToString();
          return "read";
        },
        (error: unknown) =>
          (error as { name?: string; $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? (error as Error).name,
      );
    for (const key of [LANDING_KEY, QUARANTINE_KEY]) {
      expect(await refused(new GetObjectCommand({ Bucket: RAW, Key: key })), key).toBe(403);
      expect(await refused(new HeadObjectCommand({ Bucket: RAW, Key: key })), key).toBe(403);
    }
    expect(await refused(new GetObjectCommand({ Bucket: RAW, Key: PROFILE_RESULT_KEY }))).toBe("read");
  });
});
