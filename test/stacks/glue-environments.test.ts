import { Testing } from "cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEnvironments } from "../../stacks/config/environments";
import type { EnvironmentConfig } from "../../stacks/config/schema";
import { SentinelStack } from "../../stacks/sentinel-stack";
import { scopeProblems } from "../modules/support/policy-scope";
import { resolveIn, resourcesOf, type Config, type Synthesized } from "../modules/support/synth";
import { withPlainStackTraces } from "../modules/support/test-stack";

interface Built {
  readonly config: EnvironmentConfig;
  readonly stack: SentinelStack;
  readonly out: Synthesized;
}

let environments: Built[];

beforeAll(() => {
  environments = withPlainStackTraces(() =>
    loadEnvironments().map((config) => {
      const stack = new SentinelStack(Testing.app(), config.name, { config });
      return { config, stack, out: JSON.parse(Testing.synth(stack)) as Synthesized };
    }),
  );
});

const named = (out: Synthesized, type: string, name: string): Config | undefined =>
  Object.values(resourcesOf(out, type)).find((config) => config.name === name);

describe("Glue and DataBrew in every environment", () => {
  it("sizes the Glue job from the environment's config", () => {
    for (const { config, out } of environments) {
      const job = named(out, "aws_glue_job", `sentinel-${config.name}-etl`);
      expect(job, config.name).toMatchObject({
        glue_version: "5.0",
        worker_type: config.glue.workerType,
        number_of_workers: config.glue.numberOfWorkers,
        timeout: config.glue.timeoutMinutes,
        max_retries: config.glue.maxRetries,
        execution_property: { max_concurrent_runs: 1 },
      });
      expect((job?.default_arguments as Record<string, string>)["--profile"]).toBe(config.datasetProfiles[0]);
    }
  });

  it("profiles every scheduled dataset profile with DataBrew, sized from the config", () => {
    for (const { config, out } of environments) {
      const stacks = Object.values(resourcesOf(out, "aws_cloudformation_stack"));
      expect(stacks.map((stack) => stack.name).sort(), config.name).toEqual(
        config.datasetProfiles.map((profile) => `sentinel-${config.name}-${profile}-pii-profiling`).sort(),
      );
      for (const stack of stacks) {
        const job = (JSON.parse(String(stack.template_body)) as { Resources: { PiiProfileJob: { Properties: Config } } }).Resources
          .PiiProfileJob.Properties;
        expect(job).toMatchObject({
          MaxCapacity: config.databrew.nodeCount,
          Timeout: config.databrew.timeoutMinutes,
          MaxRetries: config.databrew.maxRetries,
          JobSample: { Mode: "CUSTOM_ROWS", Size: config.databrew.sampleRows },
        });
        expect((stack.notification_arns as string[]).length).toBe(1);
      }
    }
  });

  it("catalogs a table per scheduled profile in each tier", () => {
    for (const { config, out } of environments) {
      const tables = Object.values(resourcesOf(out, "aws_glue_catalog_table")).map((table) => table.name);
      const perProfile = config.datasetProfiles.map((profile) => profile.replaceAll("-", "_"));
      expect(tables.sort(), config.name).toEqual([...perProfile, ...perProfile, ...perProfile, "run_events"].sort());
    }
  });

  it("scopes every statement of the Glue and DataBrew roles", () => {
    for (const { config, out } of environments) {
      const roles = Object.entries(resourcesOf(out, "aws_iam_role")).filter(([, role]) =>
        [`sentinel-${config.name}-etl-job`, `sentinel-${config.name}-databrew-pii-profile`].includes(String(role.name)),
      );
      expect(roles, config.name).toHaveLength(2);
      for (const [roleId] of roles) {
        const policy = Object.values(resourcesOf(out, "aws_iam_role_policy")).find((candidate) =>
          String(candidate.role).includes(`.${roleId}.`),
        )?.policy;
        expect(scopeProblems(policy, "${var.account_id}"), `${config.name} ${roleId}`).toEqual([]);
      }
    }
  });

  it("exposes the names and locations the handlers and the local pipeline read", () => {
    for (const { config, stack, out } of environments) {
      const outputs = out.output as Record<string, { value: unknown }>;
      expect(outputs.glue_job_name?.value).toBe(`sentinel-${config.name}-etl`);
      expect(outputs.databrew_job_names?.value).toEqual(
        Object.fromEntries(config.datasetProfiles.map((profile) => [profile, `sentinel-${config.name}-${profile}-pii-profile`])),
      );
      const catalog = outputs.glue_catalog?.value as { databases: Record<string, string> };
      expect(catalog.databases.processed).toBe(`sentinel_${config.name}_processed`);
      const artifacts = outputs.glue_artifact_uris?.value as Record<string, unknown>;
      expect(artifacts).toMatchObject(
        resolveIn(stack, {
          wrapped_key_prefix: stack.glue.wrappedKeyPrefixUri,
          state_prefix: stack.glue.statePrefixUri,
          location_templates: stack.glue.locationTemplates,
        }) as Record<string, unknown>,
      );
      expect(artifacts.state_prefix).toBe(`s3://sentinel-${config.name}-artifacts-\${var.account_id}/state/`);
      expect(stack.databrew.jobNameTemplate).toBe(`sentinel-${config.name}-{profile}-pii-profile`);
    }
  });
});
