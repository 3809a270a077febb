import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type {
  CloudFormationTemplate,
  ProfileJobProperties,
  RulesetProperties,
  DatasetProperties,
} from "../../modules/databrew/cloudformation-template";
import { DATABREW_ENTITY_TYPES } from "../../contracts/databrew-entity-types";
import { landingRules } from "../../modules/databrew/landing-rules";
import { entityTypesFor, PII_COLUMN_CLASSIFICATION, UNDECLARED_PII_SWEEP } from "../../modules/databrew/pii-entities";
import { loadDatasetProfiles, type DatasetProfile } from "../../contracts/dataset-profiles";
import { FIXTURE_SETTINGS, FIXTURE_TOPIC, glueFixture, type GlueFixture } from "./support/glue-fixture";
import { scopeProblems } from "./support/policy-scope";
import { referencedId, resourcesOf, statement, statementsOf, synth, type Config, type Synthesized } from "./support/synth";

const RAW = "sentinel-test-raw-111122223333";
const profiles = loadDatasetProfiles(join(process.cwd(), "glue-jobs"));
const profileNamed = (name: string) => profiles.find((profile) => profile.name === name) as DatasetProfile;

let fixture: GlueFixture;
let out: Synthesized;

beforeAll(() => {
  fixture = glueFixture();
  out = synth(fixture.stack);
});

function stackOf(profile: string): Config {
  const found = Object.values(resourcesOf(out, "aws_cloudformation_stack")).find(
    (stack) => stack.name === `sentinel-test-${profile}-pii-profiling`,
  );
  if (found === undefined) throw new Error(`no stack for ${profile}`);
  return found;
}

function templateOf(profile: string): CloudFormationTemplate {
  return JSON.parse(String(stackOf(profile).template_body)) as CloudFormationTemplate;
}

/** The ARN of the template's own DataBrew `resourceType` named by `logicalId`, as the template builds it. */
function templateDataBrewArn(resourceType: string, logicalId: string): object {
  return {
    "Fn::Join": [
      ":",
      [
        "arn",
        { Ref: "AWS::Partition" },
        "databrew",
        { Ref: "AWS::Region" },
        { Ref: "AWS::AccountId" },
        { "Fn::Join": ["/", [resourceType, { Ref: logicalId }]] },
      ],
    ],
  };
}

function resourceOf<T>(template: CloudFormationTemplate, logicalId: string, type: string): T {
  const resource = template.Resources[logicalId];
  expect(resource?.Type).toBe(type);
  return resource?.Properties as T;
}

describe("DataBrew PII profiling, one CloudFormation stack per profile", () => {
  it("deploys one stack per profile, with the role, data key and raw bucket as parameters", () => {
    expect(
      Object.values(resourcesOf(out, "aws_cloudformation_stack"))
        .map((stack) => stack.name)
        .sort(),
    ).toEqual(profiles.map((profile) => `sentinel-test-${profile.name}-pii-profiling`).sort());
    const parameters = stackOf("card-transactions").parameters as Record<string, string>;
    expect(referencedId(parameters.ProfileJobRoleArn)).toBe(
      Object.entries(resourcesOf(out, "aws_iam_role")).find(([, role]) => role.name === "sentinel-test-databrew-pii-profile")?.[0],
    );
    const dataAlias = Object.values(resourcesOf(out, "aws_kms_alias")).find((alias) => alias.name === "alias/sentinel-test-data");
    expect(parameters.DataKeyArn).toBe(`\${aws_kms_key.${referencedId(dataAlias?.target_key_id)}.arn}`);
    expect(parameters.RawBucketName).toMatch(/^\$\{aws_s3_bucket\..+\.id\}$/);
    const template = templateOf("card-transactions");
    expect(Object.keys(template.Parameters).sort()).toEqual(Object.keys(parameters).sort());
    expect(JSON.stringify(template)).not.toContain("${");
    expect(stackOf("card-transactions").notification_arns).toEqual([FIXTURE_TOPIC]);
  });

  it("defines the dataset over the profile's landing prefix, by run_date folder, newest files first", () => {
    const dataset = resourceOf<DatasetProperties>(templateOf("card-transactions"), "LandingDataset", "AWS::DataBrew::Dataset");
    expect(dataset).toEqual({
      Name: "sentinel-test-card-transactions-landing",
      Format: "CSV",
      FormatOptions: { Csv: { Delimiter: ",", HeaderRow: true } },
      Input: { S3InputDefinition: { Bucket: { Ref: "RawBucketName" }, Key: "landing/card-transactions/run_date={run_date}/" } },
      PathOptions: {
        Parameters: [
          {
            PathParameterName: "run_date",
            DatasetParameter: { Name: "run_date", Type: "Datetime", DatetimeOptions: { Format: "yyyy-MM-dd" }, CreateColumn: false },
          },
        ],
        FilesLimit: { MaxFiles: FIXTURE_SETTINGS.databrew.maxFiles, OrderedBy: "LAST_MODIFIED_DATE", Order: "DESCENDING" },
      },
    });
  });

  it("runs a PROFILE job that detects the profile's PII, encrypts its output with the data key and logs to CloudWatch", () => {
    const template = templateOf("card-transactions");
    const job = resourceOf<ProfileJobProperties>(template, "PiiProfileJob", "AWS::DataBrew::Job");
    expect(job).toMatchObject({
      Name: "sentinel-test-card-transactions-pii-profile",
      Type: "PROFILE",
      DatasetName: { Ref: "LandingDataset" },
      RoleArn: { Ref: "ProfileJobRoleArn" },
      OutputLocation: { Bucket: { Ref: "RawBucketName" }, Key: "pii-profiles/card-transactions/" },
      EncryptionMode: "SSE-KMS",
      EncryptionKeyArn: { Ref: "DataKeyArn" },
      LogSubscription: "ENABLE",
      MaxCapacity: FIXTURE_SETTINGS.databrew.nodeCount,
      MaxRetries: FIXTURE_SETTINGS.databrew.maxRetries,
      Timeout: FIXTURE_SETTINGS.databrew.timeoutMinutes,
      JobSample: { Mode: "CUSTOM_ROWS", Size: FIXTURE_SETTINGS.databrew.sampleRows },
    });
    const detected = job.ProfileConfiguration.EntityDetectorConfiguration.EntityTypes;
    expect(detected).toEqual(expect.arrayContaining(["EMAIL", "PERSON_NAME", "BANK_ACCOUNT", "CREDIT_CARD"]));
    expect(detected.every((type) => (DATABREW_ENTITY_TYPES as readonly string[]).includes(type))).toBe(true);
    // No AllowedStatistics: DataBrew computes no statistics (so quotes no values) on detected PII columns.
    expect(Object.keys(job.ProfileConfiguration.EntityDetectorConfiguration)).toEqual(["EntityTypes"]);
    expect(job.ValidationConfigurations).toEqual([
      {
        RulesetArn: templateDataBrewArn("ruleset", "LandingRuleset"),
        ValidationMode: "CHECK_ALL",
      },
    ]);
  });

  it("attaches a ruleset of the profile's structural rules to the dataset", () => {
    const ruleset = resourceOf<RulesetProperties>(templateOf("baf"), "LandingRuleset", "AWS::DataBrew::Ruleset");
    expect(ruleset.Name).toBe("sentinel-test-baf-landing-rules");
    expect(ruleset.TargetArn).toEqual(templateDataBrewArn("dataset", "LandingDataset"));
    expect(ruleset.Rules).toEqual(landingRules(profileNamed("baf")));
  });

  it("exposes deterministic job names and ARNs for the trigger, lineage and orchestration", () => {
    expect(fixture.databrew.jobNameTemplate).toBe("sentinel-test-{profile}-pii-profile");
    const card = fixture.databrew.jobs.get("card-transactions");
    expect(card?.jobArn).toBe("arn:aws:databrew:eu-central-2:111122223333:job/sentinel-test-card-transactions-pii-profile");
    expect(card?.outputUri).toBe(`s3://${RAW}/pii-profiles/card-transactions/`);
  });
});

describe("DataBrew role and logs", () => {
  let policy: unknown;
  let trust: unknown;
  beforeAll(() => {
    const [roleId, role] = Object.entries(resourcesOf(out, "aws_iam_role")).find(
      ([, candidate]) => candidate.name === "sentinel-test-databrew-pii-profile",
    ) as [string, Config];
    trust = role.assume_role_policy;
    policy = Object.values(resourcesOf(out, "aws_iam_role_policy")).find((candidate) => referencedId(candidate.role) === roleId)?.policy;
  });

  it("is assumed by DataBrew only, lists every action and scopes every resource", () => {
    expect(statement(trust, "AssumedByJobRuns")).toMatchObject({ Principal: { Service: ["databrew.amazonaws.com"] } });
    expect(scopeProblems(policy)).toEqual([]);
  });

  it("reads only the landing files and writes only the profile results", () => {
    const s3 = statementsOf(policy).filter((candidate) =>
      candidate.Action.some((action) => action.startsWith("s3:") && action !== "s3:GetBucketLocation"),
    );
    const read = s3.filter((candidate) => candidate.Action.includes("s3:GetObject")).flatMap((candidate) => candidate.Resource ?? []);
    const written = s3.filter((candidate) => candidate.Action.includes("s3:PutObject")).flatMap((candidate) => candidate.Resource ?? []);
    expect(read).toEqual([`arn:aws:s3:::${RAW}/landing/*`]);
    expect(written).toEqual([`arn:aws:s3:::${RAW}/pii-profiles/*`]);
    expect(s3.some((candidate) => candidate.Action.includes("s3:DeleteObject"))).toBe(false);
  });

  it("logs to an encrypted, retained group per job, where DataBrew writes, and nowhere else", () => {
    const groups = Object.values(resourcesOf(out, "aws_cloudwatch_log_group")).filter((group) =>
      String(group.name).startsWith("/aws-glue-databrew/jobs/"),
    );
    expect(groups.map((group) => group.name).sort()).toEqual(
      profiles.map((profile) => `/aws-glue-databrew/jobs/sentinel-test-${profile.name}-pii-profile`).sort(),
    );
    for (const group of groups) {
      expect(group.kms_key_id).toMatch(/^\$\{aws_kms_key\./);
      expect(group.retention_in_days).toBe(365);
    }
    expect(statement(policy, "OpenProfileJobLogGroups").Resource).toHaveLength(profiles.length);
  });
});

describe("PII entity types", () => {
  it("detects each profile's declared PII plus the undeclared-PII sweep", () => {
    expect(entityTypesFor(profileNamed("card-transactions"))).toEqual(
      [...new Set(["EMAIL", "PERSON_NAME", "BANK_ACCOUNT", "CREDIT_CARD", ...UNDECLARED_PII_SWEEP])].sort(),
    );
    expect(entityTypesFor(profileNamed("baf"))).toEqual([...UNDECLARED_PII_SWEEP].sort());
  });

  it("classifies every column any shipped profile tokenizes", () => {
    for (const profile of profiles) {
      for (const column of profile.tokenized.keys()) expect(PII_COLUMN_CLASSIFICATION).toHaveProperty(column);
    }
  });

  it("fails synth for a tokenized column nobody classified", () => {
    const profile = { ...profileNamed("card-transactions"), tokenized: new Map([["passport_number", "deterministic" as const]]) };
    expect(() => entityTypesFor(profile)).toThrow(
      /tokenizes column "passport_number", which modules\/databrew\/pii-entities.ts does not classify/,
    );
  });
});

describe("landing rules", () => {
  it("derive completeness, uniqueness and column-count checks from the profile", () => {
    const card = profileNamed("card-transactions");
    const rules = landingRules(card);
    const names = rules.map((rule) => rule.Name);
    expect(names.slice(0, 2)).toEqual(["rows-present", "declared-columns-present"]);
    expect(rules[1]?.SubstitutionMap).toEqual([
      { ValueReference: ":val", Value: String(card.columns.filter((column) => column.required).length) },
    ]);
    expect(names).toContain("transaction_id-unique");
    expect(names).toContain("customer_id-complete");
    expect(names).not.toContain("email-complete");
    for (const rule of rules) expect(rule.CheckExpression).toMatch(/^[<>0-9A-Za-z_.,:)(!= ]+$/);
  });
});
