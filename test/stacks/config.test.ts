import { describe, expect, it } from "vitest";
import { loadEnvironments } from "../../stacks/config/environments";
import { scheduleExpressionProblem } from "../../stacks/config/schedule-expression";
import { ConfigError, validateEnvironments } from "../../stacks/config/validate";
import { dev, integerOutside, local, problemsOf, prod, setInDev, staging } from "./support/config-problems";

describe("environment configuration", () => {
  it("defines dev, staging, prod and local, defaulting to eu-central-2", () => {
    const environments = loadEnvironments();
    expect(environments.map((config) => config.name)).toEqual(["dev", "staging", "prod", "local"]);
    expect(environments.every((config) => config.region === "eu-central-2")).toBe(true);
    expect(environments.map((config) => config.deploymentTarget)).toEqual(["aws", "aws", "aws", "emulator"]);
  });

  it("builds local from dev's configuration, apart from what the emulator needs", () => {
    const [devConfig, , , localConfig] = loadEnvironments();
    const differences = Object.keys(devConfig ?? {}).filter(
      (key) =>
        JSON.stringify(devConfig?.[key as keyof typeof devConfig]) !== JSON.stringify(localConfig?.[key as keyof typeof localConfig]),
    );
    expect(differences.sort()).toEqual(["deploymentTarget", "name", "objectLock", "stateBackend", "vpcCidr"]);
  });

  it("keeps prod's Object Lock in COMPLIANCE mode and retains its logs for ten years", () => {
    const prodConfig = loadEnvironments().find((config) => config.name === "prod");
    expect(prodConfig?.objectLock.mode).toBe("COMPLIANCE");
    expect(prodConfig?.logRetentionDays).toBe(3653);
  });
});

describe("each bad field is reported with the field and the allowed values", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["name", { name: "qa" }, 'qa: name must be one of dev, staging, prod, local (got "qa")'],
    ["deployment target", { deploymentTarget: "gcp" }, 'dev: deploymentTarget must be one of aws, emulator (got "gcp")'],
    ["region", { region: "Zurich" }, 'dev: region must be an AWS region code like eu-central-2 (got "Zurich")'],
    [
      "too few zones",
      { availabilityZones: ["eu-central-2a"] },
      'dev: availabilityZones must list 2 to 3 availability zones (got ["eu-central-2a"])',
    ],
    [
      "too many zones",
      { availabilityZones: ["eu-central-2a", "eu-central-2b", "eu-central-2c", "eu-central-2d"] },
      "dev: availabilityZones must list 2 to 3 availability zones",
    ],
    [
      "a zone of another region",
      { availabilityZones: ["eu-central-2a", "eu-west-1b"] },
      'dev: availabilityZones.1 must be a zone of region eu-central-2 like eu-central-2a (got "eu-west-1b")',
    ],
    ["a repeated zone", { availabilityZones: ["eu-central-2a", "eu-central-2a"] }, "dev: availabilityZones must not repeat a zone"],
    [
      "a malformed CIDR",
      { vpcCidr: "10.20.0.0/33" },
      'dev: vpcCidr must be an IPv4 CIDR block with no host bits set, like 10.20.0.0/16 (got "10.20.0.0/33")',
    ],
    ["a CIDR with host bits", { vpcCidr: "10.20.0.1/16" }, "dev: vpcCidr must be an IPv4 CIDR block with no host bits set"],
    [
      "a public CIDR",
      { vpcCidr: "8.8.0.0/16" },
      "dev: vpcCidr must be inside an RFC 1918 private range 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
    ],
    ["a CIDR too small", { vpcCidr: "10.20.0.0/24" }, "dev: vpcCidr must have a prefix length from /16 to /22"],
    [
      "retention outside CloudWatch's set",
      { logRetentionDays: 100 },
      "dev: logRetentionDays must be one of CloudWatch Logs' retention values 1, 3, 5, 7, 14, 30, 60, 90",
    ],
    [
      "retention under a year",
      { logRetentionDays: 90 },
      "dev: logRetentionDays must be at least 365: one of 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 90)",
    ],
    [
      "Object Lock mode",
      { objectLock: { mode: "LEGAL_HOLD", days: 30 } },
      'dev: objectLock.mode must be one of GOVERNANCE, COMPLIANCE (got "LEGAL_HOLD")',
    ],
    integerOutside("Object Lock days", "objectLock.days", 0, [1, 36500]),
    [
      "a schedule that is neither rate nor cron",
      setInDev("schedule.expression", "every night"),
      'dev: schedule.expression must be "rate(<n> <unit>)" or "cron(',
    ],
    [
      "a cron with both day fields",
      setInDev("schedule.expression", "cron(0 2 * * MON *)"),
      "dev: schedule.expression exactly one of day-of-month and day-of-week must be ?",
    ],
    [
      "a cron with five fields",
      setInDev("schedule.expression", "cron(0 2 * * ?)"),
      "dev: schedule.expression a cron expression has 6 fields, got 5",
    ],
    [
      "a time zone",
      setInDev("schedule.timezone", "Europe/Atlantis"),
      'dev: schedule.timezone must be an IANA time zone like Europe/Zurich (got "Europe/Atlantis")',
    ],
    [
      "Glue worker type",
      { glue: { workerType: "Standard", numberOfWorkers: 2 } },
      'dev: glue.workerType must be one of G.1X, G.2X, G.4X, G.8X (got "Standard")',
    ],
    integerOutside("Glue worker count", "glue.numberOfWorkers", 1, [2, 100]),
    integerOutside("Glue timeout", "glue.timeoutMinutes", 0, [1, 2880]),
    integerOutside("Glue retries", "glue.maxRetries", 11, [0, 10]),
    integerOutside("DataBrew node count", "databrew.nodeCount", 150, [1, 149]),
    integerOutside("DataBrew timeout", "databrew.timeoutMinutes", 2, [5, 2880]),
    integerOutside("DataBrew retries", "databrew.maxRetries", 6, [0, 5]),
    integerOutside("DataBrew sample", "databrew.sampleRows", 10, [1000, 5000000]),
    integerOutside("DataBrew file limit", "databrew.maxFiles", 0, [1, 1000]),
    [
      "data classification",
      { tags: { owner: "x", costCenter: "y", dataClassification: "secret" } },
      'dev: tags.dataClassification must be one of public, internal, confidential, restricted (got "secret")',
    ],
    [
      "an empty owner tag",
      { tags: { owner: "", costCenter: "y", dataClassification: "restricted" } },
      "dev: tags.owner must be 1-256 characters",
    ],
    [
      "a Glacier transition too soon after STANDARD_IA",
      { lifecycle: { ...dev.lifecycle, rawInfrequentAccessAfterDays: 40, rawGlacierAfterDays: 60 } },
      "dev: lifecycle.rawGlacierAfterDays must be at least 30 days after rawInfrequentAccessAfterDays",
    ],
    integerOutside("a STANDARD_IA transition before S3's 30-day minimum", "lifecycle.rawInfrequentAccessAfterDays", 7, [30, 3650]),
    ["a state backend kind", { stateBackend: { kind: "consul" } }, 'dev: stateBackend.kind must be one of s3, local (got "consul")'],
    [
      "a KMS alias for state",
      { stateBackend: { kind: "s3", bucket: "state-bucket", region: "eu-central-2", kmsKeyArn: "alias/terraform" } },
      'dev: stateBackend.kmsKeyArn must be a KMS key ARN like arn:aws:kms:eu-central-2:111122223333:key/<uuid> (aliases are not accepted by the S3 backend) (got "alias/terraform")',
    ],
    [
      "local state for an AWS environment",
      { stateBackend: { kind: "local", path: "x.tfstate" } },
      'dev: stateBackend.kind must be s3 for an AWS environment: remote, encrypted, locked state (got "local")',
    ],
    [
      "remote state for the emulator",
      { deploymentTarget: "emulator" },
      'dev: stateBackend.kind must be local for the emulator target (got "s3")',
    ],
  ])("%s", (_field, change, message) => {
    expect(problemsOf(change).join("\n")).toContain(message);
  });

  it("prod must use COMPLIANCE mode", () => {
    expect(problemsOf({ objectLock: { mode: "GOVERNANCE", days: 3653 } }, prod)).toEqual([
      'prod: objectLock.mode must be COMPLIANCE in prod so no one, including the account root, can shorten retention (got "GOVERNANCE")',
    ]);
  });

  it("reports every problem of every environment at once", () => {
    const problems = (() => {
      try {
        validateEnvironments([
          { ...dev, logRetentionDays: 2 },
          { ...staging, glue: { workerType: "G.1X", numberOfWorkers: 0, timeoutMinutes: 60, maxRetries: 0 } },
        ]);
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    })();
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^dev: logRetentionDays/);
    expect(problems[1]).toMatch(/^staging: glue.numberOfWorkers/);
  });
});

describe("rules across environments", () => {
  it("refuses overlapping networks", () => {
    expect(() => validateEnvironments([dev, { ...staging, vpcCidr: "10.20.128.0/17" }])).toThrow(
      "staging: vpcCidr 10.20.128.0/17 overlaps vpcCidr 10.20.0.0/16 of dev; environments must not overlap",
    );
  });

  it("refuses a shared state bucket and a repeated environment", () => {
    expect(() => validateEnvironments([dev, { ...staging, stateBackend: dev.stateBackend }])).toThrow(
      "staging: stateBackend.bucket sentinel-tfstate-dev-111122223333 is also dev's; each environment keeps its own state",
    );
    expect(() => validateEnvironments([local, { ...local, vpcCidr: "10.30.0.0/16" }])).toThrow(
      "local: name is used by more than one environment",
    );
  });
});

describe("schedule expressions", () => {
  it.each(["rate(1 day)", "rate(12 hours)", "rate(5 minutes)", "cron(0 2 * * ? *)", "cron(15 3 ? * MON-FRI *)", "cron(0 0 L * ? 2027)"])(
    "accepts %s",
    (expression) => expect(scheduleExpressionProblem(expression)).toBeUndefined(),
  );

  it.each([
    ["rate(1 days)", 'use "1 day"'],
    ["rate(2 hour)", 'use "2 hours"'],
    ["rate(0 minutes)", "at least 1"],
    ["cron(61 2 * * ? *)", 'cron field minutes "61" is not valid'],
    ["cron(0 25 * * ? *)", 'cron field hours "25" is not valid'],
  ])("refuses %s", (expression, problem) => {
    expect(scheduleExpressionProblem(expression)).toContain(problem);
  });
});
