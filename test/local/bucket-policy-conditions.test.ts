/**
 * Bucket policies in the emulator are evaluated with their conditions (local/emulator_bucket_policy.py), through the
 * real emulator and its two listeners (local/emulator_tls.py): the platform's TLS-only statements refuse a plain-HTTP
 * request and let a TLS one through; the encryption-header and principal conditions decide as IAM does; a request is
 * evaluated as the action IAM authorizes it as (a multipart upload as s3:PutObject, PutObjectRetention as
 * s3:PutObjectRetention with the lock mode from its body), with s3:ObjectCreationOperation as S3 sets it; a condition
 * the emulator cannot evaluate makes a Deny refuse and an Allow grant nothing.
 */
import { request } from "node:https";
import { resolve } from "node:path";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3Client,
  UploadPartCommand,
  type CreateMultipartUploadCommandInput,
  type PutObjectCommandInput,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EMULATOR_CREDENTIALS,
  emulatorClientConfig,
  emulatorHttpsAgent,
  startEmulator,
  type Emulator,
} from "../../local/emulator/emulator";
import { iamCall, xmlField } from "../../local/emulator/iam-enforcement";

const ROOT = resolve(import.meta.dirname, "..", "..");
const BUCKET = "conditions";
const RESOURCES = [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`];
let emulator: Emulator;
let secure: S3Client;
let plain: S3Client;
let keyArn: string;

const s3Over = (endpoint: string, credentials?: S3Client["config"]["credentials"]) =>
  new S3Client({ ...emulatorClientConfig(endpoint), forcePathStyle: true, maxAttempts: 1, ...(credentials ? { credentials } : {}) });

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: ROOT });
  secure = s3Over(emulator.tlsEndpoint);
  plain = s3Over(emulator.endpoint);
  await secure.send(
    new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: EMULATOR_CREDENTIALS.region } }),
  );
  const kms = new KMSClient(emulatorClientConfig(emulator.tlsEndpoint));
  keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  kms.destroy();
});
afterAll(async () => {
  secure?.destroy();
  plain?.destroy();
  await emulator?.stop();
});

/** A Deny of object writes in the test bucket under `condition` (the shape of the baseline policy's KMS statements). */
function denyObjectPutWhen(sid: string, condition: Record<string, unknown>): Record<string, unknown> {
  return {
    Sid: sid,
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:PutObject"],
    Resource: [`arn:aws:s3:::${BUCKET}/*`],
    Condition: condition,
  };
}

function policy(...statements: ReadonlyArray<Record<string, unknown>>) {
  return secure.send(
    new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }),
  );
}

/** The two transport statements exactly as the synthesized baseline policy writes them. */
const TLS_ONLY = [
  {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*"],
    Resource: RESOURCES,
    Condition: { Bool: { "aws:SecureTransport": ["false"] } },
  },
  {
    Sid: "DenyOutdatedTls",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*"],
    Resource: RESOURCES,
    Condition: { NumericLessThan: { "s3:TlsVersion": ["1.2"] } },
  },
];

const put = (client: S3Client, input: Partial<PutObjectCommandInput> = {}) =>
  client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "data/object.json", Body: "{}", ...input }));

const REFUSED = { $metadata: { httpStatusCode: 403 } };

/** Starts a multipart upload of `key` (with `input`'s headers) and uploads its one part; the upload id and the part. */
async function uploadOnePart(key: string, input: Partial<CreateMultipartUploadCommandInput> = {}) {
  const { UploadId } = await secure.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...input }));
  const { ETag } = await secure.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: "{}" }));
  return { UploadId: UploadId!, part: { ETag: ETag!, PartNumber: 1 } };
}

describe("the TLS-only bucket policy", () => {
  beforeAll(() => policy(...TLS_ONLY));

  it("refuses a write and a read over plain HTTP", async () => {
    await expect(put(plain)).rejects.toMatchObject({
      ...REFUSED,
      name: "AccessDenied",
      message: `User: arn:aws:sts::123456789012:user/moto is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::${BUCKET}/data/object.json" with an explicit deny in a resource-based policy`,
    });
    await put(secure);
    await expect(plain.send(new GetObjectCommand({ Bucket: BUCKET, Key: "data/object.json" }))).rejects.toMatchObject(REFUSED);
  });

  it("accepts the same write and read over TLS (the certificate verified)", async () => {
    await put(secure, { Body: '{"over":"tls"}' });
    const object = await secure.send(new GetObjectCommand({ Bucket: BUCKET, Key: "data/object.json" }));
    expect(await object.Body!.transformToString()).toBe('{"over":"tls"}');
  });

  it("lets the plain-HTTP write through once the policy is deleted (the refusal was the policy's)", async () => {
    await secure.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    await put(plain);
  });
});

describe("encryption-header conditions (the baseline policy's KMS statements)", () => {
  beforeAll(() =>
    policy(
      ...TLS_ONLY,
      denyObjectPutWhen("DenyEncryptionOtherThanKms", {
        Null: { "s3:x-amz-server-side-encryption": ["false"] },
        StringNotEquals: { "s3:x-amz-server-side-encryption": ["aws:kms"] },
      }),
      denyObjectPutWhen("DenyKeysOtherThanPlatformKey", {
        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": ["false"] },
        StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": [keyArn] },
      }),
      denyObjectPutWhen("DenyKmsWithoutKeyId", {
        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": ["true"] },
        StringEquals: { "s3:x-amz-server-side-encryption": ["aws:kms", "aws:kms:dsse"] },
      }),
    ),
  );

  it("accepts no encryption header (the bucket default applies) and the platform key", async () => {
    await put(secure);
    await put(secure, { ServerSideEncryption: "aws:kms", SSEKMSKeyId: keyArn });
  });

  it("refuses another algorithm, another key, and KMS without a key id", async () => {
    await expect(put(secure, { ServerSideEncryption: "AES256" })).rejects.toMatchObject(REFUSED);
    await expect(put(secure, { ServerSideEncryption: "aws:kms", SSEKMSKeyId: `${keyArn}-other` })).rejects.toMatchObject(REFUSED);
    await expect(put(secure, { ServerSideEncryption: "aws:kms" })).rejects.toMatchObject(REFUSED);
  });

  it("refuses a multipart upload with another algorithm (s3:PutObject, as IAM authorizes CreateMultipartUpload)", async () => {
    const start = (input: Partial<CreateMultipartUploadCommandInput>) =>
      secure.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "data/multipart.json", ...input }));
    await expect(start({ ServerSideEncryption: "AES256" })).rejects.toMatchObject({
      ...REFUSED,
      message: expect.stringContaining("not authorized to perform: s3:PutObject on resource") as unknown,
    });
    await expect(start({ ServerSideEncryption: "aws:kms" })).rejects.toMatchObject(REFUSED);
    const { UploadId, part } = await uploadOnePart("data/multipart.json", { ServerSideEncryption: "aws:kms", SSEKMSKeyId: keyArn });
    await secure.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: "data/multipart.json", UploadId, MultipartUpload: { Parts: [part] } }),
    );
  });
});

describe("write-once records (the data bucket's DenyOverwritableRecordWrites, s3:ObjectCreationOperation)", () => {
  beforeAll(() =>
    policy(...TLS_ONLY, {
      Sid: "DenyOverwritableRecordWrites",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: [`arn:aws:s3:::${BUCKET}/lineage/*`],
      Condition: { Null: { "s3:if-none-match": ["true"] }, BoolIfExists: { "s3:ObjectCreationOperation": ["true"] } },
    }),
  );

  it("refuses a single PUT without If-None-Match and accepts one with it", async () => {
    await expect(put(secure, { Key: "lineage/single.json" })).rejects.toMatchObject(REFUSED);
    await put(secure, { Key: "lineage/single.json", IfNoneMatch: "*" });
  });

  it("lets CreateMultipartUpload and UploadPart through (no conditional header on AWS either); the completion needs it", async () => {
    const key = "lineage/multipart.json";
    const { UploadId, part } = await uploadOnePart(key);
    const complete = (ifNoneMatch?: string) =>
      secure.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: [part] },
          ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}),
        }),
      );
    await expect(complete()).rejects.toMatchObject(REFUSED);
    await complete("*");
  });
});

describe("PutObjectRetention (the data bucket's DenyOtherObjectLockMode)", () => {
  const LOCKED = "conditions-locked";
  const key = "records/locked.json";
  const retain = (Mode: "GOVERNANCE" | "COMPLIANCE") =>
    secure.send(
      new PutObjectRetentionCommand({
        Bucket: LOCKED,
        Key: key,
        Retention: { Mode, RetainUntilDate: new Date(Date.now() + 3 * 86_400_000) },
      }),
    );

  beforeAll(async () => {
    await secure.send(
      new CreateBucketCommand({
        Bucket: LOCKED,
        ObjectLockEnabledForBucket: true,
        CreateBucketConfiguration: { LocationConstraint: EMULATOR_CREDENTIALS.region },
      }),
    );
    await secure.send(new PutObjectCommand({ Bucket: LOCKED, Key: key, Body: "{}" }));
    const statement = {
      Sid: "DenyOtherObjectLockMode",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject", "s3:PutObjectRetention"],
      Resource: [`arn:aws:s3:::${LOCKED}/*`],
      Condition: { StringNotEquals: { "s3:object-lock-mode": ["COMPLIANCE"] }, Null: { "s3:object-lock-mode": ["false"] } },
    };
    await secure.send(
      new PutBucketPolicyCommand({ Bucket: LOCKED, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) }),
    );
  });

  it("refuses GOVERNANCE, read from the request body, as s3:PutObjectRetention; accepts COMPLIANCE", async () => {
    await expect(retain("GOVERNANCE")).rejects.toMatchObject({
      ...REFUSED,
      message: expect.stringContaining("not authorized to perform: s3:PutObjectRetention on resource") as unknown,
    });
    await retain("COMPLIANCE");
  });
});

describe("aws:PrincipalArn (the artifacts bucket's writer restriction)", () => {
  it("lets only sessions of the named role write", async () => {
    const config = emulatorClientConfig(emulator.tlsEndpoint);
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] };
    const created = await iamCall(emulator.endpoint, {
      Action: "CreateRole",
      RoleName: "writer",
      AssumeRolePolicyDocument: JSON.stringify(trust),
    });
    const role = { Arn: xmlField(created, "Arn", "CreateRole") };
    await policy(...TLS_ONLY, {
      Sid: "DenyWritesByOthers",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: [`arn:aws:s3:::${BUCKET}/*`],
      Condition: { ArnNotEquals: { "aws:PrincipalArn": [role.Arn!] } },
    });
    await expect(put(secure)).rejects.toMatchObject(REFUSED);
    const sts = new STSClient(config);
    const session = (await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: "deploy" }))).Credentials!;
    sts.destroy();
    const writer = s3Over(emulator.tlsEndpoint, {
      accessKeyId: session.AccessKeyId!,
      secretAccessKey: session.SecretAccessKey!,
      sessionToken: session.SessionToken!,
    } as unknown as S3Client["config"]["credentials"]);
    await put(writer);
    writer.destroy();
  });

  it("names a refused assumed-role caller by its session ARN, as AWS does", async () => {
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] };
    const created = await iamCall(emulator.endpoint, {
      Action: "CreateRole",
      RoleName: "reader",
      AssumeRolePolicyDocument: JSON.stringify(trust),
    });
    const sts = new STSClient(emulatorClientConfig(emulator.tlsEndpoint));
    const session = (await sts.send(new AssumeRoleCommand({ RoleArn: xmlField(created, "Arn", "CreateRole"), RoleSessionName: "nightly" })))
      .Credentials!;
    sts.destroy();
    await policy(...TLS_ONLY, denyObjectPutWhen("DenyReaderWrites", { ArnEquals: { "aws:PrincipalArn": ["arn:aws:iam::*:role/reader"] } }));
    const reader = s3Over(emulator.tlsEndpoint, {
      accessKeyId: session.AccessKeyId!,
      secretAccessKey: session.SecretAccessKey!,
      sessionToken: session.SessionToken!,
    } as unknown as S3Client["config"]["credentials"]);
    try {
      await expect(put(reader)).rejects.toMatchObject({
        name: "AccessDenied",
        message: expect.stringMatching(
          /^User: arn:aws:sts::\d+:assumed-role\/reader\/nightly is not authorized to perform: s3:PutObject/,
        ) as unknown,
      });
    } finally {
      reader.destroy();
    }
  });
});

/** An anonymous GET over TLS: the only request moto lets a bucket policy's Allow decide (the key's ACL is private). */
function anonymousGet(key: string): Promise<number> {
  const url = new URL(`${emulator.tlsEndpoint}/${BUCKET}/${key}`);
  return new Promise((done, fail) => {
    const get = request(url, { method: "GET", agent: emulatorHttpsAgent(emulator.certificate) }, (answer) => {
      answer.resume();
      done(answer.statusCode ?? 0);
    });
    get.on("error", fail);
    get.end();
  });
}

describe("a condition the emulator cannot evaluate", () => {
  const publicRead = (condition?: Record<string, unknown>) => ({
    Effect: "Allow",
    Principal: "*",
    Action: ["s3:GetObject"],
    Resource: [`arn:aws:s3:::${BUCKET}/*`],
    ...(condition ? { Condition: condition } : {}),
  });

  it("makes a Deny refuse (an unsupported operator, an unknown key)", async () => {
    for (const condition of [{ IpAddress: { "aws:SourceIp": ["10.0.0.0/8"] } }, { StringEquals: { "aws:RequestTag/team": ["x"] } }]) {
      await policy({ Effect: "Deny", Principal: "*", Action: ["s3:PutObject"], Resource: RESOURCES, Condition: condition });
      await expect(put(secure)).rejects.toMatchObject(REFUSED);
    }
  });

  it("makes an Allow grant nothing, where the same Allow without it grants", async () => {
    await secure.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    await put(secure);
    await policy(publicRead());
    expect(await anonymousGet("data/object.json")).toBe(200);
    await policy(publicRead({ DateGreaterThan: { "aws:CurrentTime": ["2020-01-01T00:00:00Z"] } }));
    expect(await anonymousGet("data/object.json")).toBe(403);
    await policy(publicRead({ Bool: { "aws:SecureTransport": ["true"] } }));
    expect(await anonymousGet("data/object.json")).toBe(200);
  });
});
