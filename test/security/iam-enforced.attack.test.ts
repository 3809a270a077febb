/**
 * Insider attacks refused by IAM at runtime: the local stack is synthesized, each of its roles is created
 * in the emulator (moto 5.2.5 on loopback) with its synthesized permission policy (references resolved to
 * the emulator's resources, local/emulator/iam-enforcement.ts), moto's IAM enforcement is switched on, and every
 * call below is made with credentials from sts:AssumeRole of the role named. Each attack must fail with
 * AccessDenied from the emulator, and the same role's honest call must succeed, so the refusal comes from
 * the grant and not from a broken set-up.
 *
 * What moto evaluates (and so what this file proves at runtime): the calling role's identity policies,
 * Allow/Deny with Action and Resource (ARN wildcards), for S3 (bucket and object ARNs), STS AssumeRole
 * (with the trust policy's principal), and, through local/emulator_iam.py, Glue (job/table ARNs),
 * KMS (key ARNs), CloudWatch Logs (group/stream ARNs) and EventBridge (bus ARNs).
 * What moto does NOT evaluate (proven only statically: test/modules, test/stacks, the policy guard,
 * parliament): S3 bucket policies (writer allow-list on artifacts, If-None-Match and Object Lock denies,
 * the missing-key-id deny, aws:SourceVpce), KMS key policies (allow-lists, the Deny to everyone else,
 * key administrators), and every policy Condition (moto treats a condition as satisfied, so a
 * kms:ViaService- or prefix-conditioned Allow is broader here than in AWS; none of the roles has a Deny).
 * Trust policies are replaced by one local operator that stands in for the AWS services.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateDatabaseCommand,
  CreateJobCommand,
  CreateTableCommand,
  DeleteTableCommand,
  GetTableCommand,
  StartJobRunCommand,
  UpdateJobCommand,
  UpdateTableCommand,
} from "@aws-sdk/client-glue";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DecryptCommand, GenerateMacCommand, SignCommand, VerifyCommand } from "@aws-sdk/client-kms";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { localClients, type LocalClients } from "../../local/emulator/local-clients";
import {
  StackReferences,
  assumeRole,
  createStackKeys,
  enforceIam,
  provisionRoles,
  stackRoles,
  type StackRole,
  type SynthesizedStack,
} from "../../local/emulator/iam-enforcement";
import type { DatasetDefinition, JobDefinition } from "../../local/databrew/databrew-definitions";
import { executeProfileRun } from "../../local/databrew/profile-job-execution";
import { buildApp } from "../../stacks/app";
import { loadEnvironments } from "../../stacks/config/environments";
import { withPlainStackTraces } from "../modules/support/test-stack";

const ACCOUNT = "123456789012"; // moto's account
const REGION = EMULATOR_CREDENTIALS.region;
const scope = { accountId: ACCOUNT, region: REGION };
const bucket = (tier: string) => `sentinel-local-${tier}-${ACCOUNT}`;
const JOB = "sentinel-local-etl";
const PROCESSED_DATABASE = "sentinel_local_processed";
const AUDIT_LOG_GROUP = "/sentinel/local/audit";
const DATABREW_ROLE = "sentinel-local-databrew-pii-profile";
/** Files a job run staged before publishing (put by the set-up). */
const STAGED_FILES = [
  "processed/card-transactions/_staging/run-1/part-0.parquet",
  "processed/card-transactions/_staging/run-1/part-1.parquet",
];

/** The error name and HTTP status of a refused call, or "allowed". */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "allowed";
  } catch (error) {
    const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return `${failure.name ?? "Error"} ${failure.$metadata?.httpStatusCode ?? ""}`.trim();
  }
}

const DENIED = /^AccessDenied(Exception)? 403$/;

let emulator: Emulator;
let outdir: string;
let roles: Map<string, LocalClients>;
let keyArns: Map<string, string>;
let signature: Uint8Array;

function role(name: string): LocalClients {
  const clients = roles.get(`sentinel-local-${name}`);
  if (clients === undefined) throw new Error(`no role sentinel-local-${name} in the synthesized local stack`);
  return clients;
}

function keyArn(logicalIdPrefix: string): string {
  const found = [...keyArns.entries()].find(([logicalId]) => logicalId.startsWith(logicalIdPrefix));
  if (found === undefined) throw new Error(`no key ${logicalIdPrefix}* in the synthesized local stack`);
  return found[1];
}

/** The job role without the grant its fitted-state writes need: a variant to show the run depends on it. */
function withoutStatement(source: StackRole, sid: string, name: string): StackRole {
  return {
    logicalId: `${source.logicalId}-without-${sid}`,
    name,
    policies: source.policies.map((policy) => ({
      name: policy.name,
      document: { ...policy.document, Statement: policy.document.Statement.filter((statement) => statement.Sid !== sid) },
    })),
  };
}

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), "sentinel-iam-"));
  withPlainStackTraces(() =>
    buildApp({ outdir, environments: loadEnvironments().filter((config) => config.name === "local") }).app.synth(),
  );
  const stack = JSON.parse(readFileSync(join(outdir, "stacks", "local", "cdk.tf.json"), "utf8")) as SynthesizedStack;

  emulator = await startEmulator();
  // The platform's resources, as the deployer creates them (before enforcement, with the emulator's dummy credentials).
  const setup = localClients(emulator.endpoint, REGION, {
    accessKeyId: EMULATOR_CREDENTIALS.accessKeyId,
    secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey,
  });
  for (const tier of ["raw", "processed", "artifacts", "lineage-audit"]) {
    await setup.s3.send(
      new CreateBucketCommand({
        Bucket: bucket(tier),
        CreateBucketConfiguration: { LocationConstraint: REGION },
        ObjectLockEnabledForBucket: tier === "lineage-audit",
      }),
    );
    await setup.s3.send(new PutBucketVersioningCommand({ Bucket: bucket(tier), VersioningConfiguration: { Status: "Enabled" } }));
  }
  await setup.s3.send(
    new PutObjectCommand({
      Bucket: bucket("raw"),
      Key: "landing/card-transactions/run_date=2026-03-01/part-0.csv",
      Body: "customer_id,email\n42,jane@example.com\n",
    }),
  );
  await setup.s3.send(
    new PutObjectCommand({
      Bucket: bucket("raw"),
      Key: "quarantine/card-transactions/part-0.json",
      Body: '{"raw_record":"42,jane@example.com"}',
    }),
  );
  await setup.s3.send(
    new PutObjectCommand({ Bucket: bucket("processed"), Key: "processed/card-transactions/part-0.parquet", Body: "tokenized" }),
  );
  for (const key of STAGED_FILES) await setup.s3.send(new PutObjectCommand({ Bucket: bucket("processed"), Key: key, Body: "staged" }));
  await setup.s3.send(new PutObjectCommand({ Bucket: bucket("lineage-audit"), Key: "lineage/card-transactions/run.json", Body: "{}" }));
  await setup.logs.send(new CreateLogGroupCommand({ logGroupName: AUDIT_LOG_GROUP }));
  await setup.logs.send(new CreateLogStreamCommand({ logGroupName: AUDIT_LOG_GROUP, logStreamName: "run-1" }));
  const jobDefinition = {
    Role: `arn:aws:iam::${ACCOUNT}:role/sentinel-local-etl-job`,
    Command: { Name: "glueetl", ScriptLocation: `s3://${bucket("artifacts")}/glue/scripts/sentinel_etl_job.py` },
    GlueVersion: "5.0",
  };
  await setup.glue.send(new CreateJobCommand({ Name: JOB, ...jobDefinition }));
  await setup.glue.send(new CreateJobCommand({ Name: "sentinel-local-other", ...jobDefinition }));
  await setup.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: PROCESSED_DATABASE } }));
  for (const table of ["card_transactions", "not_a_platform_table"]) {
    await setup.glue.send(
      new CreateTableCommand({
        DatabaseName: PROCESSED_DATABASE,
        TableInput: {
          Name: table,
          TableType: "EXTERNAL_TABLE",
          StorageDescriptor: {
            Location: `s3://${bucket("processed")}/processed/card-transactions/`,
            Columns: [{ Name: "amount", Type: "double" }],
          },
        },
      }),
    );
  }

  keyArns = await createStackKeys(emulator.endpoint, stack, scope);
  const stackRoleList = stackRoles(stack, new StackReferences(stack, scope, keyArns));
  const jobRole = stackRoleList.find((candidate) => candidate.name === "sentinel-local-etl-job");
  if (jobRole === undefined) throw new Error("no sentinel-local-etl-job role in the synthesized local stack");
  const variant = withoutStatement(jobRole, "WriteArtifactsStateObjects", "sentinel-local-etl-job-without-state-grant");
  const profileRole = stackRoleList.find((candidate) => candidate.name === DATABREW_ROLE);
  if (profileRole === undefined) throw new Error(`no ${DATABREW_ROLE} role in the synthesized local stack`);
  const profileVariant = withoutStatement(profileRole, "WriteRawPiiProfilesObjects", `${DATABREW_ROLE}-without-profile-write`);
  const provisioned = await provisionRoles(emulator.endpoint, [...stackRoleList, variant, profileVariant]);

  // A signature by the audit signing key, made before enforcement, for the auditor's Verify.
  const signed = await setup.kms.send(
    new SignCommand({
      KeyId: keyArn("keys_audit-signing_key"),
      Message: Buffer.from("chain head"),
      MessageType: "RAW",
      SigningAlgorithm: "ECDSA_SHA_256",
    }),
  );
  signature = signed.Signature ?? new Uint8Array();

  await enforceIam(emulator.endpoint);
  roles = new Map();
  for (const [name, arn] of provisioned.roleArns) {
    roles.set(
      name,
      localClients(
        emulator.endpoint,
        REGION,
        await assumeRole(emulator.endpoint, REGION, provisioned.operator, arn, `attack-${name}`.slice(0, 64)),
      ),
    );
  }
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  if (outdir !== undefined) rmSync(outdir, { recursive: true, force: true });
});

const put = (clients: LocalClients, tier: string, key: string) =>
  outcome(clients.s3.send(new PutObjectCommand({ Bucket: bucket(tier), Key: key, Body: "attacker bytes" })));
const get = (clients: LocalClients, tier: string, key: string) =>
  outcome(clients.s3.send(new GetObjectCommand({ Bucket: bucket(tier), Key: key })));

const signChainHead = (clients: LocalClients, message: string) =>
  outcome(
    clients.kms.send(
      new SignCommand({
        KeyId: keyArn("keys_audit-signing_key"),
        Message: Buffer.from(message),
        MessageType: "RAW",
        SigningAlgorithm: "ECDSA_SHA_256",
      }),
    ),
  );
const appendToAuditStream = (clients: LocalClients) =>
  outcome(
    clients.logs.send(
      new PutLogEventsCommand({
        logGroupName: AUDIT_LOG_GROUP,
        logStreamName: "run-1",
        logEvents: [{ timestamp: Date.now(), message: "{}" }],
      }),
    ),
  );
const sendAuditEvent = (clients: LocalClients, source: string) =>
  outcome(
    clients.events.send(
      new PutEventsCommand({
        Entries: [{ Source: source, DetailType: "Sentinel Audit Event", Detail: JSON.stringify({ run_id: "run-1" }) }],
      }),
    ),
  );

describe("with IAM enforced, the emulator refuses", () => {
  it("requests without valid credentials (the emulator's dummy keys no longer work)", async () => {
    const anonymous = localClients(emulator.endpoint, REGION, {
      accessKeyId: EMULATOR_CREDENTIALS.accessKeyId,
      secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey,
    });
    expect(await get(anonymous, "raw", "landing/card-transactions/run_date=2026-03-01/part-0.csv")).toMatch(/^InvalidAccessKeyId 403$/);
  });

  it("the trigger role changing the job's code or starting another job; its honest StartJobRun is allowed", async () => {
    const trigger = role("trigger");
    expect(await outcome(trigger.glue.send(new StartJobRunCommand({ JobName: JOB, Arguments: { "--run_date": "2026-03-01" } })))).toBe(
      "allowed",
    );
    expect(
      await outcome(
        trigger.glue.send(
          new UpdateJobCommand({
            JobName: JOB,
            JobUpdate: { Role: "r", Command: { Name: "glueetl", ScriptLocation: "s3://attacker/evil.py" } },
          }),
        ),
      ),
    ).toMatch(DENIED);
    expect(await outcome(trigger.glue.send(new StartJobRunCommand({ JobName: "sentinel-local-other" })))).toMatch(DENIED);
    // what the operator sees: who, what and on which resource, as AWS words it
    await expect(trigger.glue.send(new StartJobRunCommand({ JobName: "sentinel-local-other" }))).rejects.toThrow(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/sentinel-local-trigger/attack-sentinel-local-trigger is not authorized to perform: glue:StartJobRun on resource: arn:aws:glue:${REGION}:${ACCOUNT}:job/sentinel-local-other`,
    );
    expect(await put(trigger, "artifacts", "glue/scripts/sentinel_etl_job.py")).toMatch(DENIED);
    expect(await put(trigger, "artifacts", "glue/python/sentinel_etl-0.1.0-py3-none-any.whl")).toMatch(DENIED);
    expect(await get(trigger, "raw", "landing/card-transactions/run_date=2026-03-01/part-0.csv")).toMatch(DENIED);
  });

  it("the job role writing the code, config, reference data or key files it trusts; its fitted-state write is allowed", async () => {
    const job = role("etl-job");
    expect(await put(job, "artifacts", "state/card-transactions/model.json")).toBe("allowed");
    for (const key of [
      "glue/scripts/sentinel_etl_job.py",
      "glue/python/sentinel_etl-0.1.0-py3-none-any.whl",
      "glue/wheels/numpy-2.2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
      "config/profiles/card-transactions.json",
      "reference/mcc-categories.json",
      "keys/card-transactions/data-key.json",
    ]) {
      expect(await put(job, "artifacts", key), key).toMatch(DENIED);
    }
    expect(await put(job, "lineage-audit", "lineage/card-transactions/forged.json")).toMatch(DENIED);
    expect(await put(job, "lineage-audit", "audit-chain/run-1/head.json")).toMatch(DENIED);
    expect(await signChainHead(job, "forged head")).toMatch(DENIED);
    expect(
      await outcome(
        job.kms.send(
          new GenerateMacCommand({
            KeyId: keyArn("keys_state-authentication_key"),
            Message: Buffer.from("state"),
            MacAlgorithm: "HMAC_SHA_256",
          }),
        ),
      ),
    ).toBe("allowed");
  });

  it("the job role deleting published output in a multi-object delete; its own _staging files in the same request are deleted", async () => {
    // moto authorizes DeleteObjects on the bucket; local/emulator_iam.py authorizes each key, as AWS does
    const job = role("etl-job");
    const staging = STAGED_FILES;
    const deleteAll = (keys: readonly string[]) =>
      job.s3.send(new DeleteObjectsCommand({ Bucket: bucket("processed"), Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    const mixed = await deleteAll([staging[0]!, "processed/card-transactions/part-0.parquet"]);
    expect((mixed.Deleted ?? []).map((deleted) => deleted.Key)).toEqual([staging[0]]);
    expect((mixed.Errors ?? []).map((error) => [error.Key, error.Code])).toEqual([
      ["processed/card-transactions/part-0.parquet", "AccessDenied"],
    ]);
    const own = await deleteAll([staging[1]!]);
    expect((own.Deleted ?? []).map((deleted) => deleted.Key)).toEqual([staging[1]]);
    expect(own.Errors ?? []).toEqual([]);
    expect(await get(role("data-scientist"), "processed", "processed/card-transactions/part-0.parquet")).toBe("allowed");
  });

  it("the run fails when the job role loses a grant it needs (its fitted-state write)", async () => {
    const reduced = roles.get("sentinel-local-etl-job-without-state-grant") as LocalClients;
    expect(await put(reduced, "artifacts", "state/card-transactions/model.json")).toMatch(DENIED);
  });

  it("the trigger and lineage roles writing the audit chain or its log stream; sending their audit events to the audit handler is allowed", async () => {
    for (const name of ["trigger", "lineage"] as const) {
      const sender = role(name);
      expect(await sendAuditEvent(sender, `sentinel.${name}`), name).toBe("allowed");
      expect(await put(sender, "lineage-audit", "audit-chain/run-1/0000000002.json"), name).toMatch(DENIED);
      expect(await put(sender, "lineage-audit", "audit-chain/run-1/heads/0000000002.json"), name).toMatch(DENIED);
      expect(await appendToAuditStream(sender), name).toMatch(DENIED);
    }
    // moto ignores the events:source condition, so posing as the other sender is refused only statically (test/modules/handlers.test.ts)
    expect(await sendAuditEvent(role("auditor"), "sentinel.trigger")).toMatch(DENIED);
    expect(await sendAuditEvent(role("etl-job"), "sentinel.trigger")).toMatch(DENIED);
  });

  it("the lineage role signing chain heads, or rewriting or deleting catalog tables other than its own pointer", async () => {
    const lineage = role("lineage");
    expect(await put(lineage, "lineage-audit", "lineage/card-transactions/run-2.json")).toBe("allowed");
    expect(await outcome(lineage.glue.send(new GetTableCommand({ DatabaseName: PROCESSED_DATABASE, Name: "card_transactions" })))).toBe(
      "allowed",
    );
    expect(await signChainHead(lineage, "forged head")).toMatch(DENIED);
    const input = {
      Name: "not_a_platform_table",
      StorageDescriptor: { Location: "s3://attacker/", Columns: [{ Name: "amount", Type: "double" }] },
    };
    expect(await outcome(lineage.glue.send(new UpdateTableCommand({ DatabaseName: PROCESSED_DATABASE, TableInput: input })))).toMatch(
      DENIED,
    );
    expect(
      await outcome(lineage.glue.send(new DeleteTableCommand({ DatabaseName: PROCESSED_DATABASE, Name: "card_transactions" }))),
    ).toMatch(DENIED);
    expect(await put(lineage, "raw", "landing/card-transactions/run_date=2026-03-01/part-1.csv")).toMatch(DENIED);
    expect(await get(lineage, "raw", "quarantine/card-transactions/part-0.json")).toMatch(DENIED);
  });

  it("the auditor reading raw or processed data, signing, or writing or deleting audit records; its reads of the trail are allowed", async () => {
    const auditor = role("auditor");
    expect(await get(auditor, "lineage-audit", "lineage/card-transactions/run.json")).toBe("allowed");
    expect(await outcome(auditor.s3.send(new ListObjectVersionsCommand({ Bucket: bucket("lineage-audit"), Prefix: "lineage/" })))).toBe(
      "allowed",
    );
    const verify = new VerifyCommand({
      KeyId: keyArn("keys_audit-signing_key"),
      Message: Buffer.from("chain head"),
      MessageType: "RAW",
      Signature: signature,
      SigningAlgorithm: "ECDSA_SHA_256",
    });
    expect(await outcome(auditor.kms.send(verify))).toBe("allowed");
    expect(await get(auditor, "raw", "landing/card-transactions/run_date=2026-03-01/part-0.csv")).toMatch(DENIED);
    expect(await get(auditor, "raw", "quarantine/card-transactions/part-0.json")).toMatch(DENIED);
    expect(await get(auditor, "processed", "processed/card-transactions/part-0.parquet")).toMatch(DENIED);
    expect(await put(auditor, "lineage-audit", "audit-chain/run-1/head.json")).toMatch(DENIED);
    expect(
      await outcome(
        auditor.s3.send(new DeleteObjectCommand({ Bucket: bucket("lineage-audit"), Key: "lineage/card-transactions/run.json" })),
      ),
    ).toMatch(DENIED);
    expect(await signChainHead(auditor, "forged head")).toMatch(DENIED);
    expect(await appendToAuditStream(auditor)).toMatch(DENIED);
  });

  it("the data scientist reading raw or quarantined rows or decrypting with the tokenization key; processed reads are allowed", async () => {
    const scientist = role("data-scientist");
    expect(await get(scientist, "processed", "processed/card-transactions/part-0.parquet")).toBe("allowed");
    expect(await get(scientist, "raw", "landing/card-transactions/run_date=2026-03-01/part-0.csv")).toMatch(DENIED);
    expect(await get(scientist, "raw", "quarantine/card-transactions/part-0.json")).toMatch(DENIED);
    expect(await get(scientist, "artifacts", "keys/card-transactions/data-key.json")).toMatch(DENIED);
    expect(
      await outcome(
        scientist.kms.send(new DecryptCommand({ KeyId: keyArn("keys_tokenization_key"), CiphertextBlob: Buffer.from("wrapped data key") })),
      ),
    ).toMatch(DENIED);
  });

  it("the audit handler's role reaching data or the job; its signing and chain writes are allowed", async () => {
    const audit = role("audit");
    expect(await signChainHead(audit, "chain head")).toBe("allowed");
    expect(await appendToAuditStream(audit)).toBe("allowed");
    expect(await put(audit, "lineage-audit", "audit-chain/run-1/0000000002.json")).toBe("allowed");
    expect(await get(audit, "raw", "landing/card-transactions/run_date=2026-03-01/part-0.csv")).toMatch(DENIED);
    expect(await put(audit, "artifacts", "glue/scripts/sentinel_etl_job.py")).toMatch(DENIED);
    expect(await outcome(audit.glue.send(new StartJobRunCommand({ JobName: JOB })))).toMatch(DENIED);
  });
});

describe("with IAM enforced, a component run on its own role", () => {
  // The DataBrew stand-in (local/databrew), the component the local run executes for the PII profile job, run for real
  // against the emulator: what it reads and writes is what DataBrew does with the job's role.
  const dataset: DatasetDefinition = {
    Name: "card-transactions-landing",
    Input: { S3InputDefinition: { Bucket: bucket("raw"), Key: "landing/card-transactions/" } },
  };
  const job: JobDefinition = {
    Name: "sentinel-local-card-transactions-pii-profile",
    Type: "PROFILE",
    DatasetName: dataset.Name,
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/${DATABREW_ROLE}`,
    OutputLocation: { Bucket: bucket("raw"), Key: "pii-profiles/card-transactions/" },
    LogSubscription: "DISABLE",
    ProfileConfiguration: { EntityDetectorConfiguration: { EntityTypes: ["EMAIL"] } },
  };
  const profileRun = (name: string, runId: string) =>
    executeProfileRun(
      { service: "databrew", jobName: job.Name, runId, arguments: {}, startedOn: new Date(), state: "RUNNING" },
      job,
      dataset,
      role(name),
    );

  it("succeeds with the grants Terraform gives it, and fails naming the denied action when one is removed", async () => {
    const honest = await profileRun("databrew-pii-profile", "db_honest");
    expect(honest.state, honest.errorMessage).toBe("SUCCEEDED");
    expect(honest.profile?.columns.find((column) => column.name === "email")?.detectedEntityTypes).toContain("EMAIL");

    const withoutWrite = await profileRun("databrew-pii-profile-without-profile-write", "db_without_write");
    expect(withoutWrite.state).toBe("FAILED");
    expect(withoutWrite.errorMessage).toMatch(
      /^writing the profile to s3:\/\/sentinel-local-raw-\d+\/pii-profiles\/card-transactions\/.*db_without_write\.json: User: arn:aws:sts::\d+:assumed-role\/sentinel-local-databrew-pii-profile-without-profile-write\/.* is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::sentinel-local-raw-\d+\/pii-profiles\/card-transactions\/.*" because no identity-based policy allows the s3:PutObject action$/,
    );
  });
});
