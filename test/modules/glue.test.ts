import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LINEAGE_PREFIX } from "../../handlers/lineage/lineage-store";
import { CATALOG_PARAMETERS } from "../../handlers/lineage/catalog-pointer";
import { processedTableName } from "../../contracts/run-identity";
import { LINEAGE_AUDIT_PREFIXES, PARTITION_COLUMN } from "../../contracts/data-layout";
import { LINEAGE_POINTER_PARAMETERS } from "../../modules/glue/glue-catalog";
import { jobOutputSchemaOf } from "../../contracts/job-output-schema";
import { loadDatasetProfiles } from "../../contracts/dataset-profiles";
import { FIXTURE_SETTINGS, FIXTURE_WHEEL, glueFixture, glueSourcesFixture, type GlueFixture } from "./support/glue-fixture";
import { TOKENIZATION_JAR } from "../../tools/build/source-tree";
import { scopeProblems } from "./support/policy-scope";
import { referencedId, resourcesOf, statement, statementsOf, synth, type Config, type Synthesized } from "./support/synth";

const ARTIFACTS = "sentinel-test-artifacts-111122223333";
const RAW = "sentinel-test-raw-111122223333";
const PROCESSED = "sentinel-test-processed-111122223333";
const LINEAGE = "sentinel-test-lineage-audit-111122223333";

let fixture: GlueFixture;
let sources: ReturnType<typeof glueSourcesFixture>;
let out: Synthesized;

beforeAll(() => {
  sources = glueSourcesFixture();
  fixture = glueFixture(sources);
  out = synth(fixture.stack);
});

function only(type: string): [string, Config] {
  const entries = Object.entries(resourcesOf(out, type));
  expect(entries).toHaveLength(1);
  return entries[0] as [string, Config];
}

function byName(type: string, name: string): Config {
  const found = Object.values(resourcesOf(out, type)).find((config) => config.name === name);
  if (found === undefined) throw new Error(`no ${type} named ${name}`);
  return found;
}

function logicalIdOf(type: string, predicate: (config: Config) => boolean): string {
  const found = Object.entries(resourcesOf(out, type)).find(([, config]) => predicate(config));
  if (found === undefined) throw new Error(`no matching ${type}`);
  return found[0];
}

/** `${aws_kms_key.<id>.arn}` of the key behind alias/sentinel-test-<purpose>. */
function keyRef(purpose: "data" | "logs" | "audit" | "job-bookmarks" | "tokenization" | "state-authentication"): string {
  const alias = Object.values(resourcesOf(out, "aws_kms_alias")).find((candidate) => candidate.name === `alias/sentinel-test-${purpose}`);
  return `\${aws_kms_key.${referencedId(alias?.target_key_id)}.arn}`;
}

describe("Glue security configuration and network connection", () => {
  it("encrypts S3 output with the data key, bookmarks with their own key and logs with the logs key", () => {
    const [, config] = only("aws_glue_security_configuration");
    expect(config.name).toBe("sentinel-test-glue");
    const encryption = config.encryption_configuration as Record<string, Config>;
    expect(encryption.s3_encryption).toEqual({ s3_encryption_mode: "SSE-KMS", kms_key_arn: keyRef("data") });
    expect(encryption.cloudwatch_encryption).toEqual({ cloudwatch_encryption_mode: "SSE-KMS", kms_key_arn: keyRef("logs") });
    expect(encryption.job_bookmarks_encryption).toEqual({ job_bookmarks_encryption_mode: "CSE-KMS", kms_key_arn: keyRef("job-bookmarks") });
  });

  it("places jobs in the first private subnet with the Glue security group", () => {
    const [, connection] = only("aws_glue_connection");
    expect(connection.connection_type).toBe("NETWORK");
    const physical = connection.physical_connection_requirements as Config;
    expect(physical.availability_zone).toBe("eu-central-2a");
    expect(referencedId(physical.subnet_id)).toBe(logicalIdOf("aws_subnet", (subnet) => subnet.availability_zone === "eu-central-2a"));
    expect((physical.security_group_id_list as string[]).map(referencedId)).toEqual([
      logicalIdOf("aws_security_group", (group) => group.name === "sentinel-test-glue"),
    ]);
  });
});

describe("Glue ETL job", () => {
  let job: Config;
  beforeAll(() => {
    job = only("aws_glue_job")[1];
  });

  it("runs Glue 5.0 with the configured workers, timeout and retries, one run at a time", () => {
    expect(job).toMatchObject({
      name: "sentinel-test-etl",
      glue_version: "5.0",
      worker_type: FIXTURE_SETTINGS.glue.workerType,
      number_of_workers: FIXTURE_SETTINGS.glue.numberOfWorkers,
      timeout: FIXTURE_SETTINGS.glue.timeoutMinutes,
      max_retries: FIXTURE_SETTINGS.glue.maxRetries,
      execution_property: { max_concurrent_runs: 1 },
      command: { name: "glueetl", python_version: "3", script_location: `s3://${ARTIFACTS}/glue/scripts/sentinel_etl_job.py` },
    });
    expect(referencedId(job.security_configuration)).toBe(only("aws_glue_security_configuration")[0]);
    expect((job.connections as string[]).map(referencedId)).toEqual([only("aws_glue_connection")[0]]);
    expect(referencedId(job.role_arn)).toBe(logicalIdOf("aws_iam_role", (role) => role.name === "sentinel-test-etl-job"));
  });

  it("keeps bookmarks on and defaults to the default profile's config and locations", () => {
    expect(job.default_arguments).toEqual({
      "--job-bookmark-option": "job-bookmark-enable",
      "--profile": "card-transactions",
      "--config_location": `s3://${ARTIFACTS}/config/profiles/card-transactions.json`,
      "--output_location": `s3://${PROCESSED}/processed/card-transactions/`,
      "--quarantine_location": `s3://${RAW}/quarantine/card-transactions/`,
      "--state_location": `s3://${ARTIFACTS}/state/card-transactions/`,
      "--key_location": `s3://${ARTIFACTS}/keys/card-transactions/data-key.json`,
    });
  });

  it("fixes code, wheels, the offline installer, auto scaling, metrics, logging and the trust arguments so no run can change them", () => {
    const fixed = job.non_overridable_arguments as Record<string, string>;
    const { "--artifact_digests": digests, "--account_id": account, ...rest } = fixed;
    expect(account).toMatch(/^\$\{data\.aws_caller_identity\.|^\d{12}$/);
    expect(Object.keys(JSON.parse(digests ?? "{}") as Record<string, string>).length).toBeGreaterThan(0);
    expect(rest).toEqual({
      "--job-language": "python",
      "--extra-py-files": `s3://${ARTIFACTS}/glue/python/sentinel_etl-0.1.0-py3-none-any.whl`,
      "--extra-jars": `s3://${ARTIFACTS}/glue/jars/sentinel-tokenization.jar`,
      "--additional-python-modules": `s3://${ARTIFACTS}/glue/wheels/${FIXTURE_WHEEL}`,
      "--python-modules-installer-option": "--no-index",
      "--TempDir": `s3://${ARTIFACTS}/glue/temp/`,
      "--enable-auto-scaling": "true",
      "--enable-metrics": "true",
      "--enable-observability-metrics": "true",
      "--enable-job-insights": "true",
      "--custom-logGroup-prefix": "/sentinel/test/glue/sentinel-test-etl",
      "--enable-spark-ui": "false",
      "--environment": "test",
      "--mapping_location": `s3://${ARTIFACTS}/reference/mcc-mapping.csv`,
      "--tokenization_key_arn": keyRef("tokenization"),
      "--state_mac_key_arn": keyRef("state-authentication"),
    });
    const overlap = Object.keys(fixed).filter((name) => name in (job.default_arguments as Config));
    expect(overlap).toEqual([]);
  });

  it("passes the digest of every uploaded artifact but the script, as Terraform uploads it", () => {
    const digests = JSON.parse((job.non_overridable_arguments as Record<string, string>)["--artifact_digests"] ?? "{}") as Record<
      string,
      string
    >;
    const uploaded = Object.values(resourcesOf(out, "aws_s3_object")).filter(
      (object) => typeof object.key === "string" && !String(object.key).startsWith("glue/scripts/"),
    );
    expect(uploaded.length).toBeGreaterThan(3);
    for (const object of uploaded) {
      expect(digests[`s3://${ARTIFACTS}/${String(object.key)}`], String(object.key)).toBe(object.source_hash);
    }
    expect(Object.keys(digests)).toHaveLength(uploaded.length);
  });

  it("refuses to let a run choose code: every code, jar and file argument Glue knows is non-overridable or absent", () => {
    const defaults = job.default_arguments as Record<string, string>;
    for (const name of [
      "--extra-jars",
      "--extra-files",
      "--extra-py-files",
      "--user-jars-first",
      "--scriptLocation",
      "--additional-python-modules",
      "--python-modules-installer-option",
    ]) {
      expect(defaults[name], name).toBeUndefined();
    }
  });

  it("logs to two log groups under its prefix, encrypted with the logs key and with retention", () => {
    for (const stream of ["error", "output"]) {
      const group = byName("aws_cloudwatch_log_group", `/sentinel/test/glue/sentinel-test-etl/${stream}`);
      expect(group.kms_key_id).toBe(keyRef("logs"));
      expect(group.retention_in_days).toBe(365);
    }
  });

  it("waits for every uploaded artifact", () => {
    const uploaded = Object.keys(resourcesOf(out, "aws_s3_object")).map((id) => `aws_s3_object.${id}`);
    expect([...(job.depends_on as string[])].sort()).toEqual(uploaded.sort());
  });
});

describe("Glue job role", () => {
  let policy: unknown;
  let trust: unknown;
  beforeAll(() => {
    const roleId = logicalIdOf("aws_iam_role", (role) => role.name === "sentinel-test-etl-job");
    trust = resourcesOf(out, "aws_iam_role")[roleId]?.assume_role_policy;
    policy = Object.values(resourcesOf(out, "aws_iam_role_policy")).find((candidate) => referencedId(candidate.role) === roleId)?.policy;
  });

  it("is assumed by Glue only", () => {
    expect(statement(trust, "AssumedByJobRuns")).toMatchObject({
      Principal: { Service: ["glue.amazonaws.com"] },
      Action: ["sts:AssumeRole"],
    });
  });

  it("lists every action and scopes every resource", () => {
    expect(scopeProblems(policy)).toEqual([]);
  });

  it("reads its code, profiles, mapping, wrapped keys and landing files, and nothing else of those buckets", () => {
    expect(statement(policy, "ReadArtifactsGlueScriptsObjects").Resource).toEqual([`arn:aws:s3:::${ARTIFACTS}/glue/scripts/*`]);
    expect(statement(policy, "ReadArtifactsGlueJarsObjects").Resource).toEqual([`arn:aws:s3:::${ARTIFACTS}/glue/jars/*`]);
    expect(statement(policy, "ReadArtifactsKeysObjects").Resource).toEqual([`arn:aws:s3:::${ARTIFACTS}/keys/*`]);
    expect(statement(policy, "ReadRawLandingObjects").Resource).toEqual([`arn:aws:s3:::${RAW}/landing/*`]);
    expect(statement(policy, "ListRawLandingObjects").Condition).toEqual({ StringLike: { "s3:prefix": ["landing/*"] } });
  });

  it("writes only its output prefixes and run metrics, with the audit key for the lineage bucket", () => {
    expect(statement(policy, "WriteProcessedProcessedObjects").Resource).toEqual([`arn:aws:s3:::${PROCESSED}/processed/*`]);
    expect(statement(policy, "WriteRawQuarantineObjects").Resource).toEqual([`arn:aws:s3:::${RAW}/quarantine/*`]);
    expect(statement(policy, "WriteLineageAuditRunMetricsObjects").Resource).toEqual([`arn:aws:s3:::${LINEAGE}/run-metrics/*`]);
    expect(statement(policy, "EncryptWithAuditKeyViaS3").Resource).toEqual([keyRef("audit")]);
    const anyWrite = statementsOf(policy)
      .filter((candidate) => candidate.Action.includes("s3:PutObject"))
      .flatMap((candidate) => candidate.Resource ?? []);
    expect(anyWrite.sort()).toEqual(
      [
        `arn:aws:s3:::${ARTIFACTS}/glue/temp/*`,
        `arn:aws:s3:::${ARTIFACTS}/state/*`,
        `arn:aws:s3:::${LINEAGE}/run-metrics/*`,
        `arn:aws:s3:::${PROCESSED}/processed/*`,
        `arn:aws:s3:::${RAW}/quarantine/*`,
      ].sort(),
    );
  });

  it("deletes only its staging folders, folder markers and temp files, never published output", () => {
    const deletes = statementsOf(policy).filter((candidate) => candidate.Action.includes("s3:DeleteObject"));
    expect(deletes.map((candidate) => candidate.Sid)).toEqual(["RemoveStagingAndFolderMarkers"]);
    expect(deletes[0]?.Resource).toEqual([
      `arn:aws:s3:::${RAW}/quarantine/*/_staging/*`,
      `arn:aws:s3:::${RAW}/quarantine/*_$folder$`,
      `arn:aws:s3:::${PROCESSED}/processed/*/_staging/*`,
      `arn:aws:s3:::${PROCESSED}/processed/*_$folder$`,
      `arn:aws:s3:::${ARTIFACTS}/glue/temp/*`,
    ]);
  });

  it("uses the data key only through S3, the bookmarks key directly, and creates interfaces only in its subnet", () => {
    const dataKeyStatements = statementsOf(policy).filter((s) => (s.Resource ?? []).includes(keyRef("data")));
    expect(dataKeyStatements.length).toBeGreaterThan(0);
    for (const s of dataKeyStatements)
      expect(s.Condition, s.Sid).toEqual({ StringEquals: { "kms:ViaService": ["s3.eu-central-2.amazonaws.com"] } });
    expect(statement(policy, "EncryptDecryptWithJobBookmarksKey")).toMatchObject({ Resource: [keyRef("job-bookmarks")] });
    const subnetId = logicalIdOf("aws_subnet", (subnet) => subnet.availability_zone === "eu-central-2a");
    expect(statement(policy, "CreateJobNetworkInterfaces").Resource).toContain(
      `arn:aws:ec2:eu-central-2:111122223333:subnet/\${aws_subnet.${subnetId}.id}`,
    );
    expect(statement(policy, "DeleteJobNetworkInterfaces").Condition).toEqual({
      ArnEquals: { "ec2:Subnet": [`arn:aws:ec2:eu-central-2:111122223333:subnet/\${aws_subnet.${subnetId}.id}`] },
    });
    expect(statement(policy, "TagJobNetworkInterfaces").Condition).toEqual({
      "ForAllValues:StringEquals": { "aws:TagKeys": ["aws-glue-service-resource"] },
    });
    expect(statement(policy, "PublishGlueJobMetrics").Condition).toEqual({ StringEquals: { "cloudwatch:namespace": ["Glue"] } });
    expect(statement(policy, "PublishPipelineMetrics")).toMatchObject({
      Action: ["cloudwatch:PutMetricData"],
      Condition: { StringEquals: { "cloudwatch:namespace": ["Sentinel/Pipeline"] } },
    });
  });
});

describe("Glue job assets", () => {
  const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

  it("uploads script, package, wheels, the tokenization jar, profiles and mapping under stable keys, SSE-KMS, hashed by content", () => {
    const objects = Object.values(resourcesOf(out, "aws_s3_object"));
    expect(objects.map((object) => object.key).sort()).toEqual(
      [
        "config/profiles/baf.json",
        "config/profiles/card-transactions.json",
        "glue/python/sentinel_etl-0.1.0-py3-none-any.whl",
        `glue/wheels/${FIXTURE_WHEEL}`,
        "glue/jars/sentinel-tokenization.jar",
        "glue/scripts/sentinel_etl_job.py",
        "reference/mcc-mapping.csv",
      ].sort(),
    );
    for (const object of objects) {
      expect(object).toMatchObject({ server_side_encryption: "aws:kms", kms_key_id: keyRef("data"), bucket_key_enabled: true });
      expect(object.source_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(object.etag).toBeUndefined();
      expect(String(object.source)).toContain(String(object.source_hash));
    }
    const script = Object.values(resourcesOf(out, "aws_s3_object")).find((object) => object.key === "glue/scripts/sentinel_etl_job.py");
    expect(script?.source_hash).toBe(sha256(join(sources.glueJobsDir, "jobs", "sentinel_etl_job.py")));
    const jar = Object.values(resourcesOf(out, "aws_s3_object")).find((object) => object.key === "glue/jars/sentinel-tokenization.jar");
    expect(jar).toMatchObject({
      source_hash: sha256(join(sources.buildDir, "jvm", TOKENIZATION_JAR)),
      content_type: "application/java-archive",
    });
    const profile = Object.values(resourcesOf(out, "aws_s3_object")).find((object) => object.key === "config/profiles/baf.json");
    expect(profile?.source_hash).toBe(sha256(join(sources.glueJobsDir, "config", "profiles", "baf.json")));
  });
});

describe("Glue Catalog", () => {
  const profiles = loadDatasetProfiles(join(process.cwd(), "glue-jobs"));

  it("has a database per tier", () => {
    expect(
      Object.values(resourcesOf(out, "aws_glue_catalog_database"))
        .map((database) => database.name)
        .sort(),
    ).toEqual(["sentinel_test_lineage", "sentinel_test_processed", "sentinel_test_quarantine", "sentinel_test_raw"]);
    expect(fixture.glue.catalog.databaseNames).toEqual({
      raw: "sentinel_test_raw",
      processed: "sentinel_test_processed",
      quarantine: "sentinel_test_quarantine",
      lineage: "sentinel_test_lineage",
    });
  });

  const tableIn = (tier: string, name: string) =>
    Object.values(resourcesOf(out, "aws_glue_catalog_table")).find(
      (table) =>
        table.name === name &&
        referencedId(table.database_name) ===
          logicalIdOf("aws_glue_catalog_database", (database) => database.name === `sentinel_test_${tier}`),
    ) as Config;

  it.each(profiles.map((profile) => profile.name))(
    "declares the processed table of %s with the job's real columns, partitioned and projected",
    (name) => {
      const profile = profiles.find((candidate) => candidate.name === name);
      if (profile === undefined) throw new Error(name);
      const table = tableIn("processed", processedTableName(name));
      const descriptor = table.storage_descriptor as Config;
      expect(descriptor.location).toBe(`s3://${PROCESSED}/processed/${name}/`);
      expect((descriptor.ser_de_info as Config).serialization_library).toBe("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
      const columns = (descriptor.columns as Config[]).map((column) => ({ name: column.name, type: column.type }));
      expect(columns).toEqual(jobOutputSchemaOf(profile).processed);
      expect(columns.map((column) => column.name)).not.toContain(PARTITION_COLUMN);
      expect(table.partition_keys).toEqual([expect.objectContaining({ name: PARTITION_COLUMN, type: "date" })]);
      expect(table.parameters).toMatchObject({
        "projection.enabled": "true",
        "projection.ingestion_date.type": "date",
        "projection.ingestion_date.format": "yyyy-MM-dd",
        "storage.location.template": `s3://${PROCESSED}/processed/${name}/ingestion_date=$\${ingestion_date}/`,
      });
      expect((table.lifecycle as Config).ignore_changes).toEqual(
        Object.values(CATALOG_PARAMETERS).map((parameter) => `parameters["${parameter}"]`),
      );
      for (const column of profile.tokenized.keys()) {
        expect((descriptor.columns as Config[]).find((candidate) => candidate.name === column)?.comment).toMatch(/^PII replaced by a /);
      }
    },
  );

  it.each(profiles.map((profile) => profile.name))("keeps the quarantine table of %s in the raw bucket with reason columns", (name) => {
    const table = tableIn("quarantine", processedTableName(name));
    const descriptor = table.storage_descriptor as Config;
    expect(descriptor.location).toBe(`s3://${RAW}/quarantine/${name}/`);
    const columns = (descriptor.columns as Config[]).map((column) => column.name);
    expect(columns).toEqual(expect.arrayContaining(["raw_record", "source_file", "reason_code", "reason", "run_id"]));
    expect(table.partition_keys).toEqual([expect.objectContaining({ name: PARTITION_COLUMN, type: "date" })]);
    expect((table.parameters as Config)["projection.enabled"]).toBe("true");
  });

  it.each(profiles.map((profile) => profile.name))("reads the landing CSV of %s as text, by run_date", (name) => {
    const table = tableIn("raw", processedTableName(name));
    const descriptor = table.storage_descriptor as Config;
    expect(descriptor.location).toBe(`s3://${RAW}/landing/${name}/`);
    expect((descriptor.ser_de_info as Config).serialization_library).toBe("org.apache.hadoop.hive.serde2.OpenCSVSerde");
    expect((descriptor.columns as Config[]).every((column) => column.type === "string")).toBe(true);
    expect(table.parameters).toMatchObject({ "skip.header.line.count": "1", "projection.run_date.type": "date" });
  });

  it("projects the lineage records by namespace and job, where the lineage handler writes them", () => {
    const table = tableIn("lineage", "run_events");
    const descriptor = table.storage_descriptor as Config;
    expect(LINEAGE_AUDIT_PREFIXES.lineage).toBe(LINEAGE_PREFIX);
    expect(descriptor.location).toBe(`s3://${LINEAGE}/${LINEAGE_PREFIX}`);
    expect((descriptor.ser_de_info as Config).serialization_library).toBe("org.openx.data.jsonserde.JsonSerDe");
    expect(table.parameters).toMatchObject({
      "projection.lineage_namespace.values": "sentinel-test",
      "projection.job_name.values": "sentinel-test-baf-pii-profile,sentinel-test-card-transactions-pii-profile,sentinel-test-etl",
      "storage.location.template": `s3://${LINEAGE}/lineage/$\${lineage_namespace}/$\${job_name}/`,
    });
    expect((descriptor.columns as Config[]).map((column) => column.name)).toEqual([
      "eventtype",
      "eventtime",
      "producer",
      "schemaurl",
      "run",
      "job",
      "inputs",
      "outputs",
    ]);
  });

  it("keeps the lineage pointer parameters the lineage handler writes out of Terraform's hands", () => {
    expect([...LINEAGE_POINTER_PARAMETERS]).toEqual(Object.values(CATALOG_PARAMETERS));
  });

  it("checks each processed table with a DQDL ruleset derived from its profile", () => {
    const card = byName("aws_glue_data_quality_ruleset", "sentinel-test-card-transactions-processed");
    const target = card.target_table as Config;
    const tableId = logicalIdOf("aws_glue_catalog_table", (table) => table === tableIn("processed", "card_transactions"));
    expect(target.table_name).toBe(`\${aws_glue_catalog_table.${tableId}.name}`);
    const rules = String(card.ruleset);
    expect(rules.startsWith("Rules = [")).toBe(true);
    expect(rules).toContain('ColumnValues "channel" in ["card_present", "contactless", "ecommerce", "atm"]');
    expect(rules).toContain('ColumnValues "amount" >= 0');
    expect(rules).toContain('IsComplete "customer_id"');
    expect(rules).not.toMatch(/ColumnValues "(customer_id|account_number|email|first_name|last_name|device_id)"/);
    expect(rules).not.toContain('"email"');
    expect(byName("aws_glue_data_quality_ruleset", "sentinel-test-baf-processed").ruleset).toContain('ColumnValues "fraud_bool" in [0, 1]');
  });
});
