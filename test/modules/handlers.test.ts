/**
 * The deployed Lambda handlers: runtime, network, encryption, concurrency, failure handling, logs,
 * environment (checked against the handlers' own schemas), archives, and each role's permissions.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { auditHandlerEnvironment, lineageHandlerEnvironment, triggerHandlerEnvironment } from "../../handlers/environment";
import { archiveOf } from "../../tools/build/reproducible-zip";
import { checkedEnvironment, HandlerEnvironmentError } from "../../modules/handlers/handler-environment";
import { HANDLER_SIZING } from "../../modules/handlers/pipeline-handlers";
import { RUN_WINDOW_LEASE_SECONDS } from "../../contracts/trigger-settings";
import { ACTIONS_WITHOUT_RESOURCE_TYPES, isWildcardAction } from "../../modules/iam/rules";
import { isAllowed, rolePolicies } from "./support/iam-evaluation";
import {
  ACCOUNT,
  archiveBundles,
  bucketName,
  buildOperations,
  DATABREW_JOB_NAMES,
  fixtureBundles,
  JOBS,
  PREFIX,
  synthesizedOperations,
  REGION,
  operationsJson,
} from "./support/operations-fixture";
import { referencedId, resourcesBy, resourcesOf, statementsOf, synth, type Config } from "./support/synth";
import { HANDLER_NAMES } from "../../contracts/handler-names";

const functions = () => resourcesBy(operationsJson(), "aws_lambda_function", (fn) => String(fn.function_name).replace(`${PREFIX}-`, ""));
const fn = (name: string): Config => functions()[name] as Config;
const SCHEMAS = { trigger: triggerHandlerEnvironment, lineage: lineageHandlerEnvironment, audit: auditHandlerEnvironment };

describe("Lambda functions", () => {
  it("are the three handlers on Node.js 22, arm64, from their bundle's index.handler", () => {
    expect(Object.keys(functions()).sort()).toEqual(["audit", "lineage", "trigger"]);
    for (const name of HANDLER_NAMES) {
      expect(fn(name)).toMatchObject({
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        tracing_config: { mode: "Active" },
      });
    }
  });

  it("run in the private subnets with the handlers' security group", () => {
    const subnets = Object.keys(resourcesOf(operationsJson(), "aws_subnet")).sort();
    for (const name of HANDLER_NAMES) {
      const vpc = fn(name).vpc_config as Config;
      expect((vpc.subnet_ids as string[]).map(referencedId).sort()).toEqual(subnets);
      expect((vpc.security_group_ids as string[]).map(referencedId)).toEqual([expect.stringMatching(/^handlers_security-group_/)]);
    }
  });

  it("have a security group with no ingress and HTTPS egress to the VPC endpoints and the S3 prefix list only", () => {
    const groups = Object.entries(resourcesOf(operationsJson(), "aws_security_group")).filter(([id]) => id.startsWith("handlers_"));
    expect(groups).toHaveLength(1);
    const [groupId, group] = groups[0] as [string, Config];
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
    const rules = Object.values(resourcesOf(operationsJson(), "aws_security_group_rule")).filter(
      (rule) => referencedId(rule.security_group_id) === groupId,
    );
    expect(rules.map((rule) => [rule.type, rule.protocol, rule.from_port, rule.to_port, rule.cidr_blocks])).toEqual([
      ["egress", "tcp", 443, 443, undefined],
      ["egress", "tcp", 443, 443, undefined],
    ]);
    expect(referencedId(rules[0]?.source_security_group_id)).toMatch(/^network_endpoint-security-group_/);
    expect(String((rules[1]?.prefix_list_ids as string[])[0])).toMatch(
      /^\$\{aws_vpc_endpoint\.network_s3-endpoint_[^.]+\.prefix_list_id\}$/,
    );
  });

  it("encrypt their environment with the operations key and reserve their configured concurrency", () => {
    for (const [name, reserved] of [
      ["trigger", 2],
      ["lineage", 7],
      ["audit", 4],
    ] as const) {
      expect(referencedId(fn(name).kms_key_arn)).toMatch(/^operations-key_/);
      expect(fn(name).reserved_concurrent_executions).toBe(reserved);
      expect(fn(name)).toMatchObject({ memory_size: HANDLER_SIZING[name].memorySizeMb, timeout: HANDLER_SIZING[name].timeoutSeconds });
    }
    // A live trigger invocation never loses its run-window claim to a retry.
    expect(RUN_WINDOW_LEASE_SECONDS).toBeGreaterThanOrEqual(3 * HANDLER_SIZING.trigger.timeoutSeconds);
  });

  it("send failed async invocations, after two retries, to a KMS-encrypted dead-letter queue of their own", () => {
    const queues = resourcesOf(operationsJson(), "aws_sqs_queue");
    for (const name of HANDLER_NAMES) {
      const queue = queues[referencedId((fn(name).dead_letter_config as Config).target_arn)] as Config;
      expect(queue).toMatchObject({ name: `${PREFIX}-${name}-dead-letters`, message_retention_seconds: 1_209_600 });
      expect(referencedId(queue.kms_master_key_id)).toMatch(/^operations-key_/);
    }
    const invokeConfigs = Object.values(resourcesOf(operationsJson(), "aws_lambda_function_event_invoke_config"));
    expect(invokeConfigs).toHaveLength(3);
    expect(invokeConfigs.every((config) => config.maximum_retry_attempts === 2 && config.maximum_event_age_in_seconds === 21_600)).toBe(
      true,
    );
  });

  it("refuse plain-HTTP access to every dead-letter queue", () => {
    for (const policy of Object.values(resourcesOf(operationsJson(), "aws_sqs_queue_policy"))) {
      expect(statementsOf(policy.policy)[0]).toMatchObject({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Action: ["sqs:*"],
        Condition: { Bool: { "aws:SecureTransport": ["false"] } },
      });
    }
  });

  it("log JSON to an encrypted log group with retention, created before the function", () => {
    const groups = resourcesOf(operationsJson(), "aws_cloudwatch_log_group");
    for (const name of HANDLER_NAMES) {
      const logging = fn(name).logging_config as Config;
      expect(logging).toMatchObject({ log_format: "JSON", log_group: `/sentinel/test/lambda/${name}` });
      const [groupId, group] = Object.entries(groups).find(([, candidate]) => candidate.name === logging.log_group) as [string, Config];
      expect(group.retention_in_days).toBe(365);
      expect(referencedId(group.kms_key_id)).toMatch(/^keys_logs_/);
      expect(fn(name).depends_on).toContain(`aws_cloudwatch_log_group.${groupId}`);
      expect((fn(name).depends_on as string[]).some((dependency) => dependency.startsWith("aws_iam_role_policy.handlers_"))).toBe(true);
    }
  });

  it("deploy their reproducible archive as a Terraform asset, hashed as Lambda reports CodeSha256", () => {
    const { fixture } = synthesizedOperations();
    for (const handler of fixture.handlers.all) {
      const name = handler.node.id;
      expect(String(fn(name).filename)).toMatch(new RegExp(`^assets/handlers_${name}_bundle_[^/]+/[0-9A-F]+/${name}\\.zip$`));
      expect(fn(name).source_code_hash).toBe(handler.codeSha256);
    }
  });
});

describe("handler environments", () => {
  it.each(HANDLER_NAMES)("%s: every variable its schema reads, and values it accepts", (name) => {
    const variables = (fn(name).environment as Config).variables as Record<string, string>;
    // a key ARN is a Terraform reference at synth: checked by what it refers to, parsed as an ARN of that shape
    const resolved = Object.fromEntries(
      Object.entries(variables).map(([variable, value]) => [
        variable,
        /^\$\{aws_kms_key\.[\w-]+\.arn\}$/.test(value)
          ? `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
          : value,
      ]),
    );
    const parsed = SCHEMAS[name].safeParse(resolved);
    expect(parsed.error?.issues ?? []).toEqual([]);
    if (name === "audit") expect(variables.AUDIT_SIGNING_KEY_ARN).toMatch(/^\$\{aws_kms_key\.keys_audit-signing_key_\w+\.arn\}$/);
    expect(Object.keys(variables).sort()).toEqual(Object.keys(SCHEMAS[name].shape).sort());
    expect(variables).toMatchObject({
      SENTINEL_ENVIRONMENT: "test",
      LINEAGE_AUDIT_BUCKET: bucketName("lineage-audit"),
      AUDIT_LOG_GROUP_NAME: "/sentinel/test/audit",
      OBJECT_LOCK_MODE: "GOVERNANCE",
      OBJECT_LOCK_RETENTION_DAYS: "30",
    });
  });

  it("name the lineage producer by the digest of the deployed lineage archive", () => {
    const variables = (fn("lineage").environment as Config).variables as Record<string, string>;
    const archive = synthesizedOperations().fixture.handlers.lineage.codeSha256;
    expect(Buffer.from(variables.CODE_VERSION ?? "", "hex").toString("base64")).toBe(archive);
  });

  it("give the trigger the job names and the run layout the Glue job expects", () => {
    const variables = (fn("trigger").environment as Config).variables as Record<string, string>;
    expect(variables).toMatchObject({
      GLUE_JOB_NAME: JOBS.glueJobName,
      DATABREW_JOB_NAME_TEMPLATE: JOBS.databrewJobNameTemplate,
      DATASET_PROFILES: "card-transactions,baf",
      RUN_DATE_LAG_DAYS: "1",
      INPUT_PREFIX_TEMPLATE: `s3://${bucketName("raw")}/landing/{profile}/run_date={run_date}/`,
      OUTPUT_LOCATION_TEMPLATE: `s3://${bucketName("processed")}/processed/{profile}/`,
      QUARANTINE_LOCATION_TEMPLATE: `s3://${bucketName("raw")}/quarantine/{profile}/`,
      METRICS_LOCATION_TEMPLATE: `s3://${bucketName("lineage-audit")}/run-metrics/{profile}/{run_date}/{run_id}/`,
      KEY_LOCATION_TEMPLATE: `s3://${bucketName("artifacts")}/keys/{profile}/data-key.json`,
    });
  });

  it("refuse at synth a variable the handler does not read, a missing one, or a value it would reject", () => {
    const good = {
      SENTINEL_ENVIRONMENT: "dev",
      LINEAGE_AUDIT_BUCKET: "sentinel-dev-lineage-audit-111122223333",
      AUDIT_LOG_GROUP_NAME: "/sentinel/dev/audit",
      OBJECT_LOCK_MODE: "GOVERNANCE",
      OBJECT_LOCK_RETENTION_DAYS: "30",
      AUDIT_SIGNING_KEY_ARN: "arn:aws:kms:eu-central-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    };
    expect(checkedEnvironment("audit", auditHandlerEnvironment, good)).toEqual(good);
    expect(() => checkedEnvironment("audit", auditHandlerEnvironment, { ...good, GLUE_JOB_NAME: "x" })).toThrow(
      new HandlerEnvironmentError("audit", ["GLUE_JOB_NAME is not a variable the handler reads"]),
    );
    const missing = Object.fromEntries(Object.entries(good).filter(([name]) => name !== "AUDIT_LOG_GROUP_NAME"));
    expect(() => checkedEnvironment("audit", auditHandlerEnvironment, missing)).toThrow(/AUDIT_LOG_GROUP_NAME is required/);
    expect(() => checkedEnvironment("audit", auditHandlerEnvironment, { ...good, OBJECT_LOCK_MODE: "LEGAL_HOLD" })).toThrow(
      /OBJECT_LOCK_MODE="LEGAL_HOLD"/,
    );
  });
});

describe("handler archives", () => {
  it("are reproducible: the same files give the same bytes, a changed file other bytes", () => {
    const directory = mkdtempSync(join(tmpdir(), "sentinel-archive-"));
    writeFileSync(join(directory, "index.mjs"), "export const handler = async () => 1;\n");
    const first = archiveOf(directory);
    expect(Buffer.from(archiveOf(directory)).equals(Buffer.from(first))).toBe(true);
    expect(Object.keys(unzipSync(first))).toEqual(["index.mjs"]);
    writeFileSync(join(directory, "index.mjs"), "export const handler = async () => 2;\n");
    expect(Buffer.from(archiveOf(directory)).equals(Buffer.from(first))).toBe(false);
  });

  it("redeploy exactly the handler whose code changed", () => {
    const bundles = fixtureBundles();
    const before = synth(buildOperations({ bundles }).stack);
    const deployed = Object.values(before.resource?.aws_lambda_function ?? {}).find((config) =>
      String(config.function_name).endsWith("-trigger"),
    );
    expect(deployed?.source_code_hash).toBe(createHash("sha256").update(readFileSync(bundles.trigger.archive)).digest("base64"));
    const directory = dirname(bundles.trigger.archive);
    writeFileSync(join(directory, "trigger", "index.mjs"), 'export const handler = async () => "trigger v2";\n');
    const after = synth(buildOperations({ bundles: archiveBundles(directory) }).stack);
    const changed: string[] = [];
    for (const [type, resources] of Object.entries(after.resource ?? {})) {
      for (const [id, config] of Object.entries(resources)) {
        for (const key of new Set([...Object.keys(config), ...Object.keys(before.resource?.[type]?.[id] ?? {})])) {
          if (JSON.stringify(config[key]) !== JSON.stringify(before.resource?.[type]?.[id]?.[key])) changed.push(`${type}.${id}.${key}`);
        }
      }
    }
    expect(changed.map((change) => change.replace(/_[0-9A-F]{8}\./, "."))).toEqual([
      "aws_lambda_function.handlers_trigger_function.filename",
      "aws_lambda_function.handlers_trigger_function.source_code_hash",
    ]);
  });
});

describe("handler roles", () => {
  const policies = () => rolePolicies(operationsJson(), ACCOUNT);
  const statements = (name: string) => policies().get(`${PREFIX}-${name}`) ?? [];
  const allowed = (name: string, action: string, resource: string, context?: Record<string, string>) =>
    isAllowed(statements(name), { action, resource, context });
  const glueJob = `arn:aws:glue:${REGION}:${ACCOUNT}:job/${JOBS.glueJobName}`;
  const lineageObject = (key: string) => `arn:aws:s3:::${bucketName("lineage-audit")}/${key}`;

  it("delete only network interfaces in the platform's subnets", () => {
    const subnets = Object.keys(resourcesOf(operationsJson(), "aws_subnet")).map(
      (id) => `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-${id}`,
    );
    const eni = `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0123`;
    for (const name of HANDLER_NAMES) {
      for (const subnet of subnets) expect(allowed(name, "ec2:DeleteNetworkInterface", eni, { "ec2:Subnet": subnet }), name).toBe(true);
      expect(
        allowed(name, "ec2:DeleteNetworkInterface", eni, { "ec2:Subnet": `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-of-another-app` }),
        name,
      ).toBe(false);
      expect(allowed(name, "ec2:DeleteNetworkInterface", eni), name).toBe(false);
    }
  });

  it("are assumed by Lambda of this account only", () => {
    const roles = Object.values(resourcesOf(operationsJson(), "aws_iam_role")).filter((role) =>
      /-(trigger|lineage|audit)$/.test(String(role.name)),
    );
    expect(roles).toHaveLength(3);
    for (const role of roles) {
      expect(statementsOf(role.assume_role_policy)).toEqual([
        {
          Sid: "AssumedByService",
          Effect: "Allow",
          Principal: { Service: ["lambda.amazonaws.com"] },
          Action: ["sts:AssumeRole"],
          Condition: { StringEquals: { "aws:SourceAccount": [ACCOUNT] } },
        },
      ]);
    }
  });

  it("list their actions and scope every resource to this account, region and the platform's names", () => {
    for (const name of HANDLER_NAMES) {
      for (const statement of statements(name)) {
        expect(statement.Action.filter(isWildcardAction), `${name} ${statement.Sid}`).toEqual([]);
        for (const resource of statement.Resource ?? []) {
          if (resource === "*") {
            expect(
              statement.Action.every((action) => ACTIONS_WITHOUT_RESOURCE_TYPES.has(action)),
              `${name} ${statement.Sid}`,
            ).toBe(true);
          } else {
            expect(
              resource.startsWith(`arn:aws:s3:::${PREFIX}-`) || resource.includes(`:${REGION}:${ACCOUNT}:`),
              `${name} ${statement.Sid} ${resource}`,
            ).toBe(true);
          }
        }
      }
    }
  });

  it("let only the trigger start the Glue job and the DataBrew profile jobs of this environment", () => {
    expect(allowed("trigger", "glue:StartJobRun", glueJob)).toBe(true);
    for (const job of DATABREW_JOB_NAMES)
      expect(allowed("trigger", "databrew:StartJobRun", `arn:aws:databrew:${REGION}:${ACCOUNT}:job/${job}`)).toBe(true);
    expect(allowed("trigger", "glue:StartJobRun", `arn:aws:glue:${REGION}:${ACCOUNT}:job/sentinel-prod-etl`)).toBe(false);
    for (const name of ["lineage", "audit"]) {
      expect(allowed(name, "glue:StartJobRun", glueJob)).toBe(false);
      expect(allowed(name, "databrew:StartJobRun", `arn:aws:databrew:${REGION}:${ACCOUNT}:job/${DATABREW_JOB_NAMES[0]}`)).toBe(false);
    }
  });

  it("let only lineage write lineage records and point the processed tables at them", () => {
    expect(allowed("lineage", "s3:PutObject", lineageObject("lineage/sentinel-test/pipeline.baf/r/START.json"))).toBe(true);
    expect(allowed("lineage", "s3:PutObjectRetention", lineageObject("lineage/sentinel-test/pipeline.baf/r/START.json"))).toBe(true);
    expect(
      allowed("lineage", "glue:UpdateTable", `arn:aws:glue:${REGION}:${ACCOUNT}:table/${JOBS.processedDatabaseName}/card_transactions`),
    ).toBe(true);
    expect(allowed("lineage", "glue:UpdateTable", `arn:aws:glue:${REGION}:${ACCOUNT}:table/sentinel_test_raw/card_transactions`)).toBe(
      false,
    );
    for (const name of ["trigger", "audit"]) expect(allowed(name, "s3:PutObject", lineageObject("lineage/x.json"))).toBe(false);
  });

  it("let lineage read the DataBrew profile results and list raw input versions, and decrypt nothing else", () => {
    const raw = (key: string) => `arn:aws:s3:::${bucketName("raw")}/${key}`;
    expect(allowed("lineage", "s3:GetObject", raw("pii-profiles/baf/sentinel-test-baf-pii-profile_db_1.json"))).toBe(true);
    expect(
      allowed("lineage", "s3:ListBucketVersions", `arn:aws:s3:::${bucketName("raw")}`, {
        "s3:prefix": "landing/baf/run_date=2025-01-01/a.csv",
      }),
    ).toBe(true);
    for (const key of ["landing/baf/run_date=2025-01-01/a.csv", "quarantine/baf/x", "other/x"])
      expect(allowed("lineage", "s3:GetObject", raw(key)), key).toBe(false);
    const dataKey = Object.keys(resourcesOf(operationsJson(), "aws_kms_key")).find((id) => id.startsWith("keys_data_"));
    const viaS3 = (tier: string) => ({
      "kms:ViaService": `s3.${REGION}.amazonaws.com`,
      "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${bucketName(tier)}`,
    });
    expect(allowed("lineage", "kms:Decrypt", `arn:aws:kms:${REGION}:${ACCOUNT}:key/${dataKey}`, viaS3("raw"))).toBe(true);
    for (const tier of ["artifacts", "processed"]) {
      expect(allowed("lineage", "kms:Decrypt", `arn:aws:kms:${REGION}:${ACCOUNT}:key/${dataKey}`, viaS3(tier)), tier).toBe(false);
    }
    expect(allowed("lineage", "s3:GetObject", `arn:aws:s3:::${bucketName("artifacts")}/glue/scripts/etl_job.py`)).toBe(true);
  });

  it("let only the audit handler append to the audit chain and the audit log group, and delete nothing", () => {
    const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/sentinel/test/audit`;
    const chainObject = lineageObject("audit-chain/run/0000000001.json");
    expect(allowed("audit", "s3:PutObjectRetention", chainObject)).toBe(true);
    for (const name of HANDLER_NAMES) {
      const writer = name === "audit";
      expect(allowed(name, "s3:PutObject", chainObject), name).toBe(writer);
      expect(allowed(name, "logs:PutLogEvents", `${group}:log-stream:run`), name).toBe(writer);
      expect(allowed(name, "s3:DeleteObject", chainObject), name).toBe(false);
      expect(allowed(name, "s3:BypassGovernanceRetention", chainObject), name).toBe(false);
      expect(allowed(name, "logs:DeleteLogStream", `${group}:log-stream:run`), name).toBe(false);
    }
  });

  it("let the trigger and lineage handlers send audit events to the audit handler only under their own source", () => {
    const bus = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
    const event = (source: string, detailType = "Sentinel Audit Event") => ({ "events:source": source, "events:detail-type": detailType });
    expect(allowed("trigger", "events:PutEvents", bus, event("sentinel.trigger"))).toBe(true);
    expect(allowed("lineage", "events:PutEvents", bus, event("sentinel.lineage"))).toBe(true);
    // posing as the other sender, as an AWS service, or as another kind of event
    expect(allowed("trigger", "events:PutEvents", bus, event("sentinel.lineage"))).toBe(false);
    expect(allowed("lineage", "events:PutEvents", bus, event("aws.glue"))).toBe(false);
    expect(allowed("trigger", "events:PutEvents", bus, event("sentinel.trigger", "Glue Job State Change"))).toBe(false);
    expect(allowed("audit", "events:PutEvents", bus, event("sentinel.trigger"))).toBe(false);
  });

  it("route the audit events to the audit handler only, retrying for a day and then dead-lettering", () => {
    const rule = Object.entries(resourcesOf(operationsJson(), "aws_cloudwatch_event_rule")).find(([id]) =>
      id.startsWith("handlers_audit-events_rule"),
    ) as [string, Config];
    expect(JSON.parse(String(rule[1].event_pattern))).toEqual({
      source: ["sentinel.trigger", "sentinel.lineage"],
      "detail-type": ["Sentinel Audit Event"],
    });
    const targets = Object.values(resourcesOf(operationsJson(), "aws_cloudwatch_event_target")).filter(
      (target) => referencedId(target.rule) === rule[0],
    );
    expect(targets).toHaveLength(1);
    const target = targets[0] as Config;
    expect(referencedId(target.arn)).toMatch(/^handlers_audit_function_/);
    expect(target.retry_policy).toEqual({ maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86_400 });
    expect(referencedId((target.dead_letter_config as Config).arn)).toMatch(/^handlers_audit-events_dead-letters/);
  });

  it("decrypt their own environment only (encryption context: the function name)", () => {
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${Object.keys(resourcesOf(operationsJson(), "aws_kms_key")).find((id) => id.startsWith("operations-key"))}`;
    expect(allowed("trigger", "kms:Decrypt", key, { "kms:EncryptionContext:LambdaFunctionName": `${PREFIX}-trigger` })).toBe(true);
    expect(allowed("trigger", "kms:Decrypt", key, { "kms:EncryptionContext:LambdaFunctionName": `${PREFIX}-lineage` })).toBe(false);
  });

  it("extend the S3 endpoint policy to object-lock writes in the lineage-audit bucket only", () => {
    const endpoint = Object.values(resourcesOf(operationsJson(), "aws_vpc_endpoint")).find((candidate) =>
      String(candidate.service_name).endsWith(".s3"),
    ) as Config;
    const locks = statementsOf(endpoint.policy).filter((statement) => statement.Action.includes("s3:PutObjectRetention"));
    expect(locks.map((statement) => [statement.Action, statement.Resource])).toEqual([
      [["s3:PutObjectRetention"], [`arn:aws:s3:::${bucketName("lineage-audit")}/*`]],
    ]);
  });
});
