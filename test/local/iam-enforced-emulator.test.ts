/**
 * What the emulator does once npm start enforces IAM (local/emulator_iam.py, local/emulator/role-sessions.ts), for the
 * CDKTF commands against a running `npm start -- --keep-running`:
 *  - the signature of every request the Terraform refresh makes is verified as its client computed it, and a wrong one
 *    is still refused: a request without a body (Scheduler's GetScheduleGroup, Lambda's ListFunctions) over the empty
 *    payload, a CloudWatch CBOR request over the CBOR the client sent (not the query request the emulator's front makes
 *    of it), and an S3 Control request with its path encoded once, as S3 signs;
 *  - the roles keep the trust policies Terraform applied, and the local operator stands in for the services and absent
 *    consumer principals they name; nobody else is let in by such a statement, and a Deny still holds.
 */
import { createHash, createHmac } from "node:crypto";
import { resolve } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { cbor } from "@smithy/core/cbor";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { CreateScheduleGroupCommand, GetScheduleGroupCommand, ListScheduleGroupsCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";
import {
  createUser,
  grantUserWithKey,
  iamCall,
  stopEnforcingIam,
  enforceIam,
  xmlField,
  type AwsCredentials,
} from "../../local/emulator/iam-enforcement";
import { enforceRolesOfAppliedStack, type EnforcedRoles } from "../../local/emulator/role-sessions";

const REGION = EMULATOR_CREDENTIALS.region;

let emulator: Emulator;
let enforced: EnforcedRoles;
let someone: AwsCredentials;
let someoneArn: string;
const roleArns = new Map<string, string>();
const trusts = new Map<string, string>();

/** Trust policies as Terraform applies them (stacks/: a service with a source condition; consumer principals with MFA). */
function serviceTrust(service: string, accountId: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumedByService",
        Effect: "Allow",
        Principal: { Service: [service] },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "aws:SourceAccount": [accountId] } },
      },
    ],
  };
}

async function createRole(name: string, trust: Record<string, unknown>): Promise<void> {
  const document = JSON.stringify(trust);
  const created = await iamCall(emulator.endpoint, { Action: "CreateRole", RoleName: name, AssumeRolePolicyDocument: document });
  roleArns.set(name, xmlField(created, "Arn", "CreateRole"));
  trusts.set(name, document);
}

/**
 * A SigV4-signed request to the emulator's plain listener, signed here independently of any SDK: the canonical URI is
 * the path as sent (encoded once, as S3 and S3 Control sign it; CloudWatch's path has nothing to encode).
 */
async function signedFetch(
  path: string,
  request: { readonly method: string; readonly service: string; readonly headers: Record<string, string>; readonly body?: Uint8Array },
  credentials: AwsCredentials,
): Promise<Response> {
  const url = new URL(path, emulator.endpoint);
  const amzDate = new Date().toISOString().replaceAll(/[-:]|\.\d{3}/g, "");
  const day = amzDate.slice(0, 8);
  const body = request.body ?? new Uint8Array();
  const headers: Record<string, string> = { ...request.headers, host: url.host, "x-amz-date": amzDate };
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const payloadHash = createHash("sha256").update(body).digest("hex");
  const canonical = [
    request.method,
    url.pathname,
    url.searchParams.toString(),
    ...names.map((name) => `${name}:${lower[name]!.trim()}`),
    "",
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${day}/${REGION}/${request.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
  let key: Buffer = Buffer.from(`AWS4${credentials.secretAccessKey}`);
  for (const part of [day, REGION, request.service, "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  // fetch sends the host itself (the same value)
  const sent = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== "host"));
  return fetch(url, {
    method: request.method,
    headers: {
      ...sent,
      authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
    },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
}

const withWrongSecret = (credentials: AwsCredentials): AwsCredentials => ({
  ...credentials,
  secretAccessKey: `${credentials.secretAccessKey}x`,
});

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => "allowed",
    (error: unknown) => (error as { name?: string }).name ?? String(error),
  );

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: resolve(import.meta.dirname, "..", "..") });
  const account = "123456789012";
  someoneArn = await createUser(emulator.endpoint, "someone-else");
  someone = await grantUserWithKey(emulator.endpoint, "someone-else", "assume-anything", {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
  });
  await createRole("job", serviceTrust("glue.amazonaws.com", account));
  await createRole("consumer", {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumedByTrustedPrincipals",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws:iam::${account}:role/not-in-the-emulator`] },
        Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
        Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": ["true"] } },
      },
    ],
  });
  await createRole("trusts-someone-else", {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: someoneArn }, Action: "sts:AssumeRole" }],
  });
  const denying = serviceTrust("lambda.amazonaws.com", account);
  await createRole("denies-everyone", {
    ...denying,
    Statement: [...denying.Statement, { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" }],
  });
  await new S3Client({ ...emulatorClientConfig(emulator.tlsEndpoint, REGION), forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: "sentinel-local-tagged", CreateBucketConfiguration: { LocationConstraint: REGION } }),
  );
  await new SchedulerClient(emulatorClientConfig(emulator.tlsEndpoint, REGION)).send(
    new CreateScheduleGroupCommand({ Name: "sentinel-local-schedules" }),
  );
  enforced = await enforceRolesOfAppliedStack(emulator.endpoint, REGION);
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
});

describe("requests without a body, IAM enforced", () => {
  // signed as the Terraform provider's Go SDK sends them: no body, no Content-Length (the JavaScript SDK's requests verified
  // before the fix too)
  const getScheduleGroup = (credentials: AwsCredentials) =>
    signedFetch("/schedule-groups/sentinel-local-schedules", { method: "GET", service: "scheduler", headers: {} }, credentials);
  const listFunctions = (credentials: AwsCredentials) =>
    signedFetch("/2015-03-31/functions/", { method: "GET", service: "lambda", headers: {} }, credentials);

  it("Scheduler's GetScheduleGroup and Lambda's ListFunctions verify over the empty payload", async () => {
    const group = await getScheduleGroup(enforced.deployer);
    expect([group.status, await group.json()]).toEqual([200, expect.objectContaining({ Name: "sentinel-local-schedules" })]);
    const functions = await listFunctions(enforced.deployer);
    expect([functions.status, await functions.json()]).toEqual([200, expect.objectContaining({ Functions: [] })]);
  });

  it("the SDK's own Scheduler and Lambda calls verify", async () => {
    const config = { ...emulatorClientConfig(emulator.tlsEndpoint, REGION), credentials: enforced.deployer, maxAttempts: 1 };
    const scheduler = new SchedulerClient(config);
    expect((await scheduler.send(new GetScheduleGroupCommand({ Name: "sentinel-local-schedules" }))).Name).toBe("sentinel-local-schedules");
    expect((await scheduler.send(new ListScheduleGroupsCommand({}))).ScheduleGroups?.map(({ Name }) => Name)).toContain(
      "sentinel-local-schedules",
    );
    expect((await new LambdaClient(config).send(new ListFunctionsCommand({}))).Functions).toEqual([]);
  });

  it("a wrong signature is still refused", async () => {
    const refused = await getScheduleGroup(withWrongSecret(enforced.deployer));
    expect([refused.status, await refused.text()]).toEqual([403, expect.stringContaining("SignatureDoesNotMatch")]);
  });
});

describe("requests the emulator's front translates, and S3 Control's, IAM enforced", () => {
  const describeAlarms = (credentials: AwsCredentials) =>
    signedFetch(
      "/service/GraniteServiceVersion20100801/operation/DescribeAlarms",
      {
        method: "POST",
        service: "monitoring",
        headers: { "content-type": "application/cbor", accept: "application/cbor", "smithy-protocol": "rpc-v2-cbor" },
        body: cbor.serialize({}),
      },
      credentials,
    );

  it("a CloudWatch CBOR request verifies over the CBOR its client signed; a wrong signature is refused", async () => {
    const answer = await describeAlarms(enforced.deployer);
    expect(answer.status).toBe(200);
    expect(cbor.deserialize(new Uint8Array(await answer.arrayBuffer()))).toMatchObject({ MetricAlarms: [] });
    const refused = await describeAlarms(withWrongSecret(enforced.deployer));
    expect([refused.status, refused.headers.get("x-amzn-query-error")]).toEqual([403, "SignatureDoesNotMatch;Sender"]);
  });

  it("S3 Control's ListTagsForResource of a bucket ARN verifies with its path encoded once; a wrong signature is refused", async () => {
    const listTags = (credentials: AwsCredentials) =>
      signedFetch(
        `/v20180820/tags/${encodeURIComponent("arn:aws:s3:::sentinel-local-tagged")}`,
        {
          method: "GET",
          service: "s3",
          headers: { "x-amz-account-id": "123456789012", "x-amz-content-sha256": createHash("sha256").update("").digest("hex") },
        },
        credentials,
      );
    const answer = await listTags(enforced.deployer);
    expect([answer.status, await answer.text()]).toEqual([200, expect.stringContaining("<Tags")]);
    const refused = await listTags(withWrongSecret(enforced.deployer));
    expect([refused.status, await refused.text()]).toEqual([403, expect.stringContaining("SignatureDoesNotMatch")]);
  });
});

describe("the local operator stands in for the principals of Terraform's trust policies", () => {
  it("npm start leaves every role's trust policy as it was applied", async () => {
    await stopEnforcingIam(emulator.endpoint);
    try {
      for (const [name, trust] of trusts) {
        const role = await iamCall(emulator.endpoint, { Action: "GetRole", RoleName: name });
        const document = decodeURIComponent(xmlField(role, "AssumeRolePolicyDocument", "GetRole"));
        expect(JSON.parse(document), name).toEqual(JSON.parse(trust));
      }
    } finally {
      await enforceIam(emulator.endpoint);
    }
  });

  it("the operator assumes a role trusting a service, and one trusting consumer principals the emulator does not hold", async () => {
    for (const name of ["job", "consumer"]) {
      const credentials = await enforced.credentialsOf(roleArns.get(name)!);
      expect(credentials.sessionToken, name).toBeTruthy();
    }
  });

  it("the operator does not stand in for a principal that exists, nor past a Deny", async () => {
    expect(await refusal(enforced.credentialsOf(roleArns.get("trusts-someone-else")!))).toBe("AccessDenied");
    expect(await refusal(enforced.credentialsOf(roleArns.get("denies-everyone")!))).toBe("AccessDenied");
  });

  it("a service's statement lets no other caller in; a statement naming the caller does", async () => {
    const sts = new STSClient({ ...emulatorClientConfig(emulator.endpoint, REGION), credentials: someone, maxAttempts: 1 });
    const assume = (name: string) => sts.send(new AssumeRoleCommand({ RoleArn: roleArns.get(name)!, RoleSessionName: "someone-else" }));
    expect(await refusal(assume("job"))).toBe("AccessDenied");
    expect(await refusal(assume("consumer"))).toBe("AccessDenied");
    expect(await refusal(assume("trusts-someone-else"))).toBe("allowed");
  });
});
