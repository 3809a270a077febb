/**
 * Inventory of every environment as synthesized to disk (the same path `npm run synth` takes):
 * what each must and must not contain.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Aspects } from "cdktf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyGuard } from "../../modules/policy-guard/policy-guard";
import { buildApp, type SentinelApp } from "../../stacks/app";
import { loadEnvironments } from "../../stacks/config/environments";
import { referencedId, resourcesOf, statementsOf, type Config, type Synthesized } from "../modules/support/synth";
import { withPlainStackTraces } from "../modules/support/test-stack";

const ENVIRONMENTS = loadEnvironments();
let sentinel: SentinelApp;
let outdir: string;
const synthesized = new Map<string, Synthesized>();

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "sentinel-synth-"));
  sentinel = withPlainStackTraces(() => {
    const built = buildApp({ outdir });
    built.app.synth();
    return built;
  });
  for (const config of ENVIRONMENTS) {
    synthesized.set(config.name, JSON.parse(readFileSync(join(outdir, "stacks", config.name, "cdk.tf.json"), "utf8")) as Synthesized);
  }
});

// Each environment's synth holds a copy of the Glue job's assets (tens of megabytes of wheels).
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const stackOf = (name: string): Synthesized => synthesized.get(name) as Synthesized;

function companionsOf(stack: Synthesized, type: string): Map<string, Config> {
  return new Map(Object.values(resourcesOf(stack, type)).map((config) => [referencedId(config.bucket), config]));
}

describe("synth", () => {
  it("writes stacks/<env>/cdk.tf.json for dev, staging, prod and local, each guarded by the policy guard", () => {
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { synthesizedStackPath: string }>;
    };
    expect(Object.fromEntries(Object.entries(manifest.stacks).map(([name, stack]) => [name, stack.synthesizedStackPath]))).toEqual({
      dev: "stacks/dev/cdk.tf.json",
      staging: "stacks/staging/cdk.tf.json",
      prod: "stacks/prod/cdk.tf.json",
      local: "stacks/local/cdk.tf.json",
    });
    for (const stack of sentinel.stacks) {
      expect(Aspects.of(stack).all.some((aspect) => aspect instanceof PolicyGuard)).toBe(true);
    }
  });

  it("builds local from exactly the same modules as dev: the same resources at the same addresses", () => {
    const addresses = (name: string) =>
      Object.entries(stackOf(name).resource ?? {})
        .flatMap(([type, resources]) => Object.keys(resources).map((id) => `${type}.${id}`))
        .sort();
    expect(addresses("local")).toEqual(addresses("dev"));
    expect(addresses("dev").length).toBeGreaterThan(80);
  });
});

describe.each(ENVIRONMENTS.map((config) => [config.name, config] as const))("environment %s", (name, config) => {
  it("has no internet path: no gateways, EIPs, default VPC/subnets, routes or public IP mapping", () => {
    const stack = stackOf(name);
    for (const type of [
      "aws_internet_gateway",
      "aws_egress_only_internet_gateway",
      "aws_nat_gateway",
      "aws_eip",
      "aws_eip_association",
      "aws_default_vpc",
      "aws_default_subnet",
      "aws_route",
    ]) {
      expect(resourcesOf(stack, type), type).toEqual({});
    }
    expect(Object.values(resourcesOf(stack, "aws_subnet")).map((subnet) => subnet.map_public_ip_on_launch)).toEqual(
      config.availabilityZones.map(() => false),
    );
    expect(Object.values(resourcesOf(stack, "aws_route_table")).every((table) => table.route === undefined)).toBe(true);
  });

  it("gives every bucket encryption, versioning, all public-access blocks, a TLS-only policy, ownership and lifecycle rules", () => {
    const stack = stackOf(name);
    const buckets = resourcesOf(stack, "aws_s3_bucket");
    // five data tiers, the access logs, the Athena query results and the CloudTrail logs
    expect(Object.keys(buckets)).toHaveLength(8);
    const encryption = companionsOf(stack, "aws_s3_bucket_server_side_encryption_configuration");
    const versioning = companionsOf(stack, "aws_s3_bucket_versioning");
    const publicAccess = companionsOf(stack, "aws_s3_bucket_public_access_block");
    const policies = companionsOf(stack, "aws_s3_bucket_policy");
    const ownership = companionsOf(stack, "aws_s3_bucket_ownership_controls");
    const lifecycle = companionsOf(stack, "aws_s3_bucket_lifecycle_configuration");
    const sseS3: string[] = [];
    for (const [id, bucket] of Object.entries(buckets)) {
      const [rule] = encryption.get(id)?.rule as Config[];
      const algorithm = (rule?.apply_server_side_encryption_by_default as Config).sse_algorithm;
      if (algorithm === "AES256") sseS3.push(String(bucket.bucket));
      else expect(rule).toMatchObject({ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" }, bucket_key_enabled: true });
      expect(versioning.get(id)?.versioning_configuration).toEqual({ status: "Enabled" });
      expect(publicAccess.get(id)).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(statementsOf(policies.get(id)?.policy).find((s) => s.Sid === "DenyInsecureTransport")?.Condition).toEqual({
        Bool: { "aws:SecureTransport": ["false"] },
      });
      expect(ownership.get(id)?.rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
      expect(lifecycle.get(id)?.rule).toBeDefined();
    }
    // SSE-S3 only where AWS requires it: the server-access-log target.
    expect(sseS3).toEqual([`sentinel-${name}-access-logs-\${var.account_id}`]);
  });

  it("logs every data bucket's access to the access-log bucket and locks lineage records as configured", () => {
    const stack = stackOf(name);
    const buckets = resourcesOf(stack, "aws_s3_bucket");
    const logging = companionsOf(stack, "aws_s3_bucket_logging");
    for (const [id, bucket] of Object.entries(buckets)) {
      const target = logging.get(id)?.target_bucket;
      if (String(bucket.bucket).includes("-access-logs-")) expect(target).toBeUndefined();
      else expect(buckets[referencedId(target)]?.bucket).toBe(`sentinel-${name}-access-logs-\${var.account_id}`);
    }
    const [lock] = Object.values(resourcesOf(stack, "aws_s3_bucket_object_lock_configuration"));
    expect(lock?.rule).toEqual({ default_retention: { mode: config.objectLock.mode, days: config.objectLock.days } });
  });

  it("encrypts every log group with a platform key and keeps it for the environment's retention", () => {
    const groups = Object.values(resourcesOf(stackOf(name), "aws_cloudwatch_log_group"));
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(String(group.kms_key_id)).toMatch(/^\$\{aws_kms_key\.keys_(logs|audit)_key_\w+\.arn\}$/);
      expect(group.retention_in_days).toBe(config.logRetentionDays);
    }
  });

  it("grants no wildcard action anywhere, key policies included", () => {
    const stack = stackOf(name);
    const allows = Object.entries(stack.resource ?? {}).flatMap(([type, resources]) =>
      Object.values(resources).flatMap((resource) =>
        ["policy", "assume_role_policy"]
          // Trust policies built from a Terraform list variable are aws_iam_policy_document data sources, checked below.
          .filter(
            (attribute) =>
              typeof resource[attribute] === "string" && !String(resource[attribute]).startsWith("${data.aws_iam_policy_document."),
          )
          .flatMap((attribute) =>
            statementsOf(resource[attribute])
              .filter((s) => s.Effect === "Allow")
              .map((s) => ({ type, ...s })),
          ),
      ),
    );
    expect(allows.length).toBeGreaterThan(10);
    const wildcards = allows.filter((s) => s.Action.some((action) => action.includes("*")));
    const documents = Object.values(stack.data?.aws_iam_policy_document ?? {}).flatMap((document) => document.statement as Config[]);
    expect(documents.flatMap((statement) => statement.actions as string[]).filter((action) => action.includes("*"))).toEqual([]);
    expect(wildcards.map((s) => `${s.type}:${s.Sid}`)).toEqual([]);
  });

  it("tags every resource with Project, Environment, Owner, DataClassification and CostCenter", () => {
    const [provider] = (stackOf(name).provider as { aws: Config[] }).aws;
    expect((provider?.default_tags as Config[])[0]?.tags).toEqual({
      Project: "sentinel",
      Environment: name,
      Owner: config.tags.owner,
      DataClassification: config.tags.dataClassification,
      CostCenter: config.tags.costCenter,
    });
    expect(provider?.region).toBe(config.region);
  });

  it("declares the per-deployment inputs as validated Terraform variables", () => {
    const variables = stackOf(name).variable as Record<string, Config>;
    const expected = [
      "account_id",
      "alarm_email",
      "auditor_principal_arns",
      "data_scientist_principal_arns",
      "reidentification_principal_arns",
    ];
    expect(Object.keys(variables).sort()).toEqual(
      config.deploymentTarget === "emulator" ? [...expected, "emulator_endpoint"].sort() : expected,
    );
    for (const variable of Object.values(variables)) {
      expect((variable.validation as Config[])[0]).toMatchObject({
        condition: expect.stringMatching(/^\$\{.+\}$/),
        error_message: expect.any(String),
      });
      expect("default" in variable).toBe(config.deploymentTarget === "emulator");
    }
  });

  it("outputs what operators and the local pipeline read after apply", () => {
    expect(Object.keys(stackOf(name).output as Config).sort()).toEqual(
      [
        "bucket_names",
        "glue_security_group_id",
        "kms_key_arns",
        "log_group_prefix",
        "private_subnet_ids",
        "vpc_id",
        "handler_function_names",
        "dead_letter_queue_urls",
        "audit_log_group_name",
        "alarm_topic_arn",
        "schedule_group_name",
        "dashboard_name",
        "consumer_role_arns",
        "glue_job_name",
        "databrew_job_names",
        "glue_catalog",
        "glue_artifact_uris",
        "audit_trail",
      ].sort(),
    );
  });

  it("administers every key by the deployer, who is no key user, and lets nobody outside each key's allow-list use it", () => {
    const deployer = `arn:aws:iam::\${var.account_id}:${config.deployerPrincipals[0]}`;
    const keys = Object.values(resourcesOf(stackOf(name), "aws_kms_key"));
    expect(keys).toHaveLength(9);
    for (const key of keys) {
      const statements = statementsOf(key.policy);
      expect(statements.find((s) => s.Sid === "KeyAdministrators")?.Principal, String(key.description)).toEqual({ AWS: [deployer] });
      const deny = statements.filter((s) => s.Sid.startsWith("DenyDataUseOutsideAllowList"));
      expect(deny.length, String(key.description)).toBeGreaterThan(0);
      for (const allow of statements.filter((s) => s.Sid.startsWith("IamGrantsDataUseToAllowList"))) {
        const users = allow.Condition?.ArnEquals?.["aws:PrincipalArn"] ?? [];
        // The one exception, by design: the operations key (function environments, schedules), which
        // Lambda and Scheduler use with the deployer's rights when it creates them.
        const operations = String(key.description).endsWith("alarm topic");
        if (allow.Action.includes("kms:Decrypt") && !operations)
          expect(users, `${String(key.description)} ${allow.Sid}`).not.toContain(deployer);
      }
    }
  });

  it("records data events of the four data buckets and the handlers, validated and encrypted, in a locked bucket", () => {
    const stack = stackOf(name);
    const [trail] = Object.values(resourcesOf(stack, "aws_cloudtrail"));
    expect(trail).toMatchObject({ enable_log_file_validation: true, is_multi_region_trail: true, include_global_service_events: true });
    expect(String(trail?.kms_key_id)).toMatch(/^\$\{aws_kms_key\.audit-trail_key_\w+\.arn\}$/);
    const selectors = trail?.advanced_event_selector as Config[];
    const s3Selector = (selectors.find((selector) => String(selector.name).startsWith("S3"))?.field_selector as Config[]).find(
      (field) => field.field === "resources.ARN",
    );
    expect(s3Selector?.starts_with).toEqual(
      ["raw", "processed", "artifacts", "lineage-audit"].map((tier) => `arn:aws:s3:::sentinel-${name}-${tier}-\${var.account_id}/`),
    );
    const trailBucket = Object.values(resourcesOf(stack, "aws_s3_bucket")).find((bucket) =>
      String(bucket.bucket).includes("-audit-trail-"),
    );
    expect(trailBucket?.object_lock_enabled).toBe(true);
    const rules = Object.values(resourcesOf(stack, "aws_cloudwatch_event_rule")).map((rule) => String(rule.name));
    expect(rules).toEqual(
      expect.arrayContaining(
        ["key-changes", "bucket-policy-changes", "glue-job-changes", "function-changes"].map((rule) => `sentinel-${name}-${rule}`),
      ),
    );
  });

  it("filters the VPC's DNS to AWS service domains and blocks the rest with NODATA", () => {
    const stack = stackOf(name);
    const rules = Object.values(resourcesOf(stack, "aws_route53_resolver_firewall_rule"));
    expect(rules.map((rule) => [rule.priority, rule.action, rule.block_response])).toEqual([
      [100, "ALLOW", undefined],
      [200, "BLOCK", "NODATA"],
    ]);
    const [association] = Object.values(resourcesOf(stack, "aws_route53_resolver_firewall_rule_group_association"));
    expect(String(association?.vpc_id)).toMatch(/^\$\{aws_vpc\./);
  });

  if (config.deploymentTarget === "aws") {
    it("keeps remote state in S3, KMS-encrypted with the state key and locked with the S3 lockfile; pins the account", () => {
      const terraform = stackOf(name).terraform as { backend: Record<string, Config> };
      const backend = config.stateBackend;
      expect(terraform.backend).toEqual({
        s3: {
          bucket: backend.kind === "s3" ? backend.bucket : "",
          key: `sentinel/${name}/terraform.tfstate`,
          region: "eu-central-2",
          encrypt: true,
          kms_key_id: backend.kind === "s3" ? backend.kmsKeyArn : "",
          use_lockfile: true,
        },
      });
      const [provider] = (stackOf(name).provider as { aws: Config[] }).aws;
      expect(provider?.allowed_account_ids).toEqual(["${var.account_id}"]);
      expect(provider?.endpoints).toBeUndefined();
    });
  } else {
    it("keeps state in a local file and can reach nothing but the emulator on loopback", () => {
      const terraform = stackOf(name).terraform as { backend: Record<string, Config> };
      expect(terraform.backend).toEqual({ local: { path: "terraform.local.tfstate" } });
      const [provider] = (stackOf(name).provider as { aws: Config[] }).aws;
      const endpoints = (provider?.endpoints as Config[])[0] as Config;
      expect(Object.keys(endpoints)).toEqual(expect.arrayContaining(["s3", "kms", "logs", "ec2", "iam", "sts", "glue"]));
      expect(new Set(Object.values(endpoints))).toEqual(new Set(["${var.emulator_endpoint}"]));
      expect(provider?.s3_use_path_style).toBe(true);
      expect((stackOf(name).variable as Record<string, Config>).account_id?.default).toBe("123456789012");
    });
  }
});
