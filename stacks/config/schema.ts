/**
 * The typed, validated per-environment configuration: everything about an environment that is code.
 * Inputs that are not code (account id, alarm e-mail, principal ARNs) are Terraform variables instead
 * (see stacks/platform-inputs.ts). Every message names the field and, where there is a closed set,
 * the allowed values.
 */
import { z } from "zod";
import { isPrivateCidr, parseCidr } from "../../modules/network/cidr";
import { scheduleExpressionProblem } from "./schedule-expression";

export const ENVIRONMENT_NAMES = ["dev", "staging", "prod", "local"] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export const DEFAULT_REGION = "eu-central-2";

/** CloudWatch Logs' allowed retention values (PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
/** The platform keeps log evidence for at least a year (also checkov CKV_AWS_338). */
export const MIN_LOG_RETENTION_DAYS = 365;

export const GLUE_WORKER_TYPES = ["G.1X", "G.2X", "G.4X", "G.8X"] as const;
export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;
export const DATA_CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"] as const;
export const DEPLOYMENT_TARGETS = ["aws", "emulator"] as const;
/** Dataset profiles the platform ships (glue-jobs/config/profiles/<name>.json). */
export const DATASET_PROFILES = ["card-transactions", "baf"] as const;

const got = (input: unknown): string => `got ${JSON.stringify(input)}`;

const oneOf = (values: readonly (string | number)[]) => (issue: { input?: unknown }) =>
  `must be one of ${values.join(", ")} (${got(issue.input)})`;

const integerBetween = (min: number, max: number) =>
  z
    .number({ error: (issue) => `must be an integer from ${min} to ${max} (${got(issue.input)})` })
    .int({ error: (issue) => `must be an integer from ${min} to ${max} (${got(issue.input)})` })
    .min(min, { error: (issue) => `must be an integer from ${min} to ${max} (${got(issue.input)})` })
    .max(max, { error: (issue) => `must be an integer from ${min} to ${max} (${got(issue.input)})` });

const fraction = z
  .number({ error: (issue) => `must be a number greater than 0 and less than 1 (${got(issue.input)})` })
  .gt(0, { error: (issue) => `must be a number greater than 0 and less than 1 (${got(issue.input)})` })
  .lt(1, { error: (issue) => `must be a number greater than 0 and less than 1 (${got(issue.input)})` });

const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: (issue) => `must be an AWS region code like eu-central-2 (${got(issue.input)})` });

const vpcCidrSchema = z
  .string()
  .refine((value) => z.cidrv4().safeParse(value).success && parseCidrSafe(value) !== undefined, {
    error: (issue) => `must be an IPv4 CIDR block with no host bits set, like 10.20.0.0/16 (${got(issue.input)})`,
    abort: true,
  })
  .refine((value) => isPrivateCidr(value), {
    error: (issue) => `must be inside an RFC 1918 private range 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (${got(issue.input)})`,
    abort: true,
  })
  .refine(
    (value) => {
      const size = parseCidr(value).prefixLength;
      return size >= 16 && size <= 22;
    },
    {
      error: (issue) =>
        `must have a prefix length from /16 to /22 so each private subnet (a quarter of the VPC) fits Glue workers' network interfaces (${got(issue.input)})`,
    },
  );

const tagValue = z.string().regex(/^[\w .:/=+\-@]{1,256}$/, {
  error: (issue) => `must be 1-256 characters of letters, digits, spaces and _.:/=+-@ (${got(issue.input)})`,
});

const lifecycleSchema = z
  .object({
    /** Raw objects move to STANDARD_IA after this many days (S3's minimum is 30). */
    rawInfrequentAccessAfterDays: integerBetween(30, 3650),
    /** Raw objects move to GLACIER after this many days (at least 30 after the STANDARD_IA move). */
    rawGlacierAfterDays: integerBetween(60, 3650),
    /** Archive-tier objects move to DEEP_ARCHIVE after this many days. */
    archiveDeepArchiveAfterDays: integerBetween(0, 3650),
    /** Noncurrent object versions are deleted after this many days. */
    noncurrentVersionExpiryDays: integerBetween(1, 3650),
    /** Incomplete multipart uploads are aborted after this many days. */
    abortIncompleteMultipartUploadDays: integerBetween(1, 30),
    /** S3 server access logs are deleted after this many days. */
    accessLogExpiryDays: integerBetween(MIN_LOG_RETENTION_DAYS, 3653),
    /** Landing files (raw PII as delivered) are deleted after this many days. Default 400: a year of reruns. */
    landingExpiryDays: integerBetween(1, 3653).default(400),
    /** Quarantined rows (raw values) are deleted after this many days. Default 400. */
    quarantineExpiryDays: integerBetween(1, 3653).default(400),
    /** DataBrew PII profiles (sample values of PII columns) are deleted after this many days. Default 90. */
    piiProfileExpiryDays: integerBetween(1, 3653).default(90),
  })
  .refine((lifecycle) => lifecycle.rawGlacierAfterDays >= lifecycle.rawInfrequentAccessAfterDays + 30, {
    error: "must be at least 30 days after rawInfrequentAccessAfterDays (S3 keeps objects 30 days in STANDARD_IA)",
    path: ["rawGlacierAfterDays"],
  });

const stateBackendSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("s3"),
      bucket: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: (issue) => `must be a valid S3 bucket name (${got(issue.input)})` }),
      /** Terraform's S3 backend takes a key ARN or id, not an alias. */
      kmsKeyArn: z.string().regex(/^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, {
        error: (issue) =>
          `must be a KMS key ARN like arn:aws:kms:eu-central-2:111122223333:key/<uuid> (aliases are not accepted by the S3 backend) (${got(issue.input)})`,
      }),
      region: regionSchema,
    }),
    z.object({
      kind: z.literal("local"),
      /** State file path, relative to the stack's directory under cdktf.out/stacks/<env>. */
      path: z.string().min(1, { error: "must be a non-empty file path" }),
    }),
  ],
  { error: (issue) => `must be one of s3, local (${got((issue.input as { kind?: unknown } | undefined)?.kind)})` },
);

export const environmentConfigSchema = z
  .object({
    name: z.enum(ENVIRONMENT_NAMES, { error: oneOf(ENVIRONMENT_NAMES) }),
    /** Where `terraform apply` points: real AWS, or the local API emulator. */
    deploymentTarget: z.enum(DEPLOYMENT_TARGETS, { error: oneOf(DEPLOYMENT_TARGETS) }),
    region: regionSchema.default(DEFAULT_REGION),
    availabilityZones: z
      .array(z.string())
      .min(2, { error: (issue) => `must list 2 to 3 availability zones (${got(issue.input)})` })
      .max(3, { error: (issue) => `must list 2 to 3 availability zones (${got(issue.input)})` }),
    vpcCidr: vpcCidrSchema,
    logRetentionDays: z
      .number()
      .refine((days) => (CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(days), {
        error: (issue) => `must be one of CloudWatch Logs' retention values ${CLOUDWATCH_RETENTION_DAYS.join(", ")} (${got(issue.input)})`,
        abort: true,
      })
      .refine((days) => days >= MIN_LOG_RETENTION_DAYS, {
        error: (issue) =>
          `must be at least ${MIN_LOG_RETENTION_DAYS}: one of ${CLOUDWATCH_RETENTION_DAYS.filter((d) => d >= MIN_LOG_RETENTION_DAYS).join(", ")} (${got(issue.input)})`,
      }),
    objectLock: z.object({
      mode: z.enum(OBJECT_LOCK_MODES, { error: oneOf(OBJECT_LOCK_MODES) }),
      days: integerBetween(1, 36500),
    }),
    lifecycle: lifecycleSchema,
    schedule: z.object({
      expression: z.string().superRefine((expression, context) => {
        const problem = scheduleExpressionProblem(expression);
        if (problem !== undefined) context.addIssue({ code: "custom", message: `${problem} (${got(expression)})` });
      }),
      timezone: z.string().refine(isIanaTimezone, {
        error: (issue) => `must be an IANA time zone like Europe/Zurich (${got(issue.input)})`,
      }),
      /** Scheduler may start the trigger up to this many minutes after the scheduled time; 0 = exactly on time. */
      flexibleWindowMinutes: integerBetween(0, 1440),
      /** Delivery retries before the schedule's event goes to its dead-letter queue (Scheduler allows 0-185). */
      retryAttempts: integerBetween(0, 185),
      /** How long Scheduler keeps retrying one delivery, in seconds (Scheduler allows 60-86400). */
      maximumEventAgeSeconds: integerBetween(60, 86_400),
    }),
    /** Dataset profiles this environment schedules, profiles with DataBrew and alarms on, one schedule each. */
    datasetProfiles: z
      .array(z.enum(DATASET_PROFILES, { error: oneOf(DATASET_PROFILES) }))
      .min(1, { error: "must list at least one dataset profile" })
      .refine((profiles) => new Set(profiles).size === profiles.length, { error: "must not repeat a profile" })
      .readonly(),
    handlers: z.object({
      /** Concurrent executions reserved for (and capping) each handler: bounds its cost and its load on Glue and S3. */
      reservedConcurrency: z.object({
        trigger: integerBetween(1, 100),
        lineage: integerBetween(1, 100),
        audit: integerBetween(1, 100),
      }),
    }),
    alarms: z.object({
      /** A Glue run still going after this many minutes raises the job-duration alarm. */
      jobDurationMinutes: integerBetween(5, 2880),
      /** Share of a run's rows quarantined (0-1) above which the quarantine-ratio alarm fires. */
      quarantineRatio: fraction,
      /** Share of a run's processed rows flagged anomalous (0-1) above which the anomaly-rate alarm fires. */
      anomalyRate: fraction,
    }),
    glue: z.object({
      workerType: z.enum(GLUE_WORKER_TYPES, { error: oneOf(GLUE_WORKER_TYPES) }),
      /** The most workers auto scaling may give a run. */
      numberOfWorkers: integerBetween(2, 100),
      /** A run still going after this many minutes is stopped (Glue allows up to 2880 for batch jobs). */
      timeoutMinutes: integerBetween(1, 2880),
      /** Glue restarts a failed run this many times (0-10); the run-scoped staging makes a restart safe. */
      maxRetries: integerBetween(0, 10),
    }),
    /** The DataBrew PII profile job of each dataset profile. */
    databrew: z.object({
      /** DataBrew nodes per run (MaxCapacity, 1-149). */
      nodeCount: integerBetween(1, 149),
      timeoutMinutes: integerBetween(5, 2880),
      maxRetries: integerBetween(0, 5),
      /** Rows of the landing files a run profiles. */
      sampleRows: integerBetween(1000, 5_000_000),
      /** Most recent landing files a run reads. */
      maxFiles: integerBetween(1, 1000),
    }),
    tags: z.object({
      owner: tagValue,
      costCenter: tagValue,
      dataClassification: z.enum(DATA_CLASSIFICATIONS, { error: oneOf(DATA_CLASSIFICATIONS) }),
    }),
    stateBackend: stateBackendSchema,
    /**
     * The principals Terraform runs as in the environment's account, as `role/<path/name>` or
     * `user/<name>` (the account id is the account_id variable). They administer every key and are
     * the only writers of the artifacts bucket's code, config, reference and key prefixes.
     */
    /** When set, consumer roles trust only principals of this AWS Organization (aws:PrincipalOrgID). */
    organizationId: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, { error: (issue) => `must be an AWS Organizations id like o-a1b2c3d4e5 (${got(issue.input)})` })
      .optional(),
    deployerPrincipals: z
      .array(
        z.string().regex(/^(role|user)\/([A-Za-z0-9+=,.@_-]+\/)*[A-Za-z0-9+=,.@_-]{1,64}$/, {
          error: (issue) => `must be an IAM principal of the environment's account like role/sentinel-deployer (${got(issue.input)})`,
        }),
      )
      .min(1, { error: "must name at least one deployer principal (the key administrators and artifact writers)" })
      .refine((principals) => new Set(principals).size === principals.length, { error: "must not repeat a principal" })
      .readonly(),
  })
  .superRefine((config, context) => {
    config.availabilityZones.forEach((zone, index) => {
      if (!new RegExp(`^${config.region}[a-z]$`).test(zone)) {
        context.addIssue({
          code: "custom",
          path: ["availabilityZones", index],
          message: `must be a zone of region ${config.region} like ${config.region}a (${got(zone)})`,
        });
      }
    });
    if (new Set(config.availabilityZones).size !== config.availabilityZones.length) {
      context.addIssue({ code: "custom", path: ["availabilityZones"], message: "must not repeat a zone" });
    }
    if (config.name === "prod" && config.objectLock.mode !== "COMPLIANCE") {
      context.addIssue({
        code: "custom",
        path: ["objectLock", "mode"],
        message: `must be COMPLIANCE in prod so no one, including the account root, can shorten retention (${got(config.objectLock.mode)})`,
      });
    }
    const wantsLocalState = config.deploymentTarget === "emulator";
    if ((config.stateBackend.kind === "local") !== wantsLocalState) {
      context.addIssue({
        code: "custom",
        path: ["stateBackend", "kind"],
        message: wantsLocalState
          ? `must be local for the emulator target (${got(config.stateBackend.kind)})`
          : `must be s3 for an AWS environment: remote, encrypted, locked state (${got(config.stateBackend.kind)})`,
      });
    }
  });

export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;
export type EnvironmentConfig = z.output<typeof environmentConfigSchema>;

function parseCidrSafe(value: string): ReturnType<typeof parseCidr> | undefined {
  try {
    return parseCidr(value);
  } catch {
    return undefined;
  }
}

/** Canonical IANA zones known to this Node's ICU (listing them is far cheaper than formatting with one). */
let ianaZones: ReadonlySet<string> | undefined;

function isIanaTimezone(zone: string): boolean {
  ianaZones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
  return ianaZones.has(zone);
}
