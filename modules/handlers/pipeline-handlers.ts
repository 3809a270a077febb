/**
 * The three handlers of an environment (trigger, lineage, audit), their shared security group, the
 * audit log group they write to, and each one's least-privilege permissions, all named after the
 * environment. What each role may touch follows from what its handler calls (see handlers/):
 *
 * trigger  claims run windows and registers job runs in the lineage-audit bucket, starts the Glue
 *          job (and reads its recent runs to adopt one a crashed predecessor started) and the
 *          DataBrew profile jobs;
 * lineage  reads job runs and jobs, the run metrics, the DataBrew profile results (pii-profiles/, the
 *          only raw objects it may read), object versions of the inputs and the script, writes locked
 *          lineage records, and points the processed tables' catalog entries at them;
 * audit    the only writer (and signer) of the hash-chained audit trail: the trigger and lineage
 *          handlers send it their audit events through EventBridge (audit-event-routing.ts) and may
 *          not write the chain, its log group or the signing key themselves.
 */
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import {
  auditHandlerEnvironment,
  lineageHandlerEnvironment,
  processedTableName,
  triggerHandlerEnvironment,
} from "../../handlers/environment";
import type { PlatformKey } from "../encryption/platform-key";
import type { PlatformKeys } from "../encryption/platform-keys";
import { regionalArn, type AccountScope } from "../iam/arns";
import type { PolicyCondition, PolicyDocument } from "../iam/policy-document";
import { sidFragment } from "../iam/sid";
import type { EncryptedLogGroup } from "../logging/encrypted-log-group";
import type { LogGroupFactory } from "../logging/log-group-factory";
import type { PrivateNetwork } from "../network/private-network";
import type { ObjectLockRetention } from "../storage/data-bucket";
import type { PlatformBuckets } from "../storage/platform-buckets";
import { AuditEventRouting } from "./audit-event-routing";
import { checkedEnvironment } from "./handler-environment";
import type { HandlerName } from "../../contracts/handler-names";
import { RUN_DATE_LAG_DAYS, RUN_WINDOW_LEASE_SECONDS } from "../../contracts/trigger-settings";
import type { HandlerBundles } from "./handler-bundles";
import { grantObjectRead } from "./object-grants";
import { PipelineFunction } from "./pipeline-function";
import { ARTIFACT_PREFIXES, LINEAGE_AUDIT_PREFIXES, RAW_PREFIXES, type LocationTemplates } from "../../contracts/data-layout";
import { byEnvironmentVariable } from "../../contracts/run-locations";

/** The jobs and catalog the handlers act on (modules/glue and modules/databrew own them). */
export interface PipelineJobs {
  /** The Glue ETL job the trigger starts and lineage describes. */
  readonly glueJobName: string;
  /** DataBrew PII profile job per dataset profile, with `{profile}`, e.g. sentinel-dev-{profile}-pii-profile. */
  readonly databrewJobNameTemplate: string;
  /** DataBrew datasets the profile jobs read (lineage describes a run's dataset). */
  readonly databrewDatasetNames: readonly string[];
  /** Glue Catalog database holding the processed table of each profile. */
  readonly processedDatabaseName: string;
}

export interface HandlerSizing {
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
}

/** Memory and timeout per handler: the trigger and audit writer make a handful of calls, lineage validates JSON schemas. */
export const HANDLER_SIZING: Readonly<Record<HandlerName, HandlerSizing>> = {
  trigger: { memorySizeMb: 256, timeoutSeconds: 120 },
  lineage: { memorySizeMb: 512, timeoutSeconds: 300 },
  audit: { memorySizeMb: 256, timeoutSeconds: 60 },
};

export interface PipelineHandlersProps {
  /** e.g. sentinel-dev: function names become sentinel-dev-trigger etc. */
  readonly namePrefix: string;
  /** dev, staging, prod, local. */
  readonly environmentName: string;
  readonly account: AccountScope;
  readonly bundles: HandlerBundles;
  readonly buckets: PlatformBuckets;
  readonly keys: PlatformKeys;
  /** Encrypts the functions' environments and dead-letter queues. */
  readonly operationsKey: PlatformKey;
  readonly logGroups: LogGroupFactory;
  readonly network: PrivateNetwork;
  readonly jobs: PipelineJobs;
  /** Where a run reads and writes (contracts/data-layout.ts): the trigger passes them to the Glue job. */
  readonly locations: LocationTemplates;
  readonly datasetProfiles: readonly string[];
  /** Retention the handlers put on lineage records and audit-chain objects (the bucket's default). */
  readonly objectLock: ObjectLockRetention;
  readonly reservedConcurrency: Readonly<Record<HandlerName, number>>;
}

export class PipelineHandlers extends Construct {
  readonly trigger: PipelineFunction;
  readonly lineage: PipelineFunction;
  readonly audit: PipelineFunction;
  /** The hash-chained audit trail: one stream per pipeline run, encrypted with the audit key. */
  readonly auditLogGroup: EncryptedLogGroup;
  readonly securityGroupId: string;
  /** The trigger's and lineage handler's audit events, routed to the audit handler. */
  readonly auditEvents: AuditEventRouting;
  private readonly props: PipelineHandlersProps;

  constructor(scope: Construct, id: string, props: PipelineHandlersProps) {
    super(scope, id);
    this.props = props;
    this.auditLogGroup = props.logGroups.create({ purpose: "audit", key: props.keys.audit });
    this.securityGroupId = this.securityGroup();
    props.network.allowThroughEndpoint("s3", {
      name: "HandlersLockRecords",
      actions: ["s3:PutObjectRetention"],
      resources: [`${props.buckets.lineageAudit.bucketArn}/*`],
    });

    const common = {
      SENTINEL_ENVIRONMENT: props.environmentName,
      LINEAGE_AUDIT_BUCKET: props.buckets.lineageAudit.bucketName,
      AUDIT_LOG_GROUP_NAME: this.auditLogGroup.logGroupName,
      OBJECT_LOCK_MODE: props.objectLock.mode,
      OBJECT_LOCK_RETENTION_DAYS: String(props.objectLock.days),
    };
    const { locations } = props;

    this.trigger = this.handler("trigger", "Starts one pipeline run (DataBrew PII profile, Glue ETL) per run window", {
      ...common,
      GLUE_JOB_NAME: props.jobs.glueJobName,
      DATABREW_JOB_NAME_TEMPLATE: props.jobs.databrewJobNameTemplate,
      DATASET_PROFILES: props.datasetProfiles.join(","),
      RUN_DATE_LAG_DAYS: String(RUN_DATE_LAG_DAYS),
      RUN_WINDOW_LEASE_SECONDS: String(RUN_WINDOW_LEASE_SECONDS),
      ...byEnvironmentVariable(locations),
    });
    this.lineage = this.handler("lineage", "Writes an OpenLineage record per Glue/DataBrew job state and points the catalog at it", {
      ...common,
      GLUE_JOB_NAME: props.jobs.glueJobName,
      CATALOG_DATABASE_NAME: props.jobs.processedDatabaseName,
      // Lineage records name their producer by the exact code that wrote them.
      CODE_VERSION: props.bundles.lineage.sha256,
    });
    this.audit = this.handler("audit", "Appends events from other sources to the hash-chained audit trail", {
      ...common,
      // Chain heads are signed with it; only this function's role may Sign (stacks/sentinel-stack.ts grants it).
      AUDIT_SIGNING_KEY_ARN: props.keys.auditSigning.keyArn,
    });

    this.grantAuditTrail(this.audit.role.policy);
    this.auditEvents = new AuditEventRouting(this, "audit-events", {
      namePrefix: props.namePrefix,
      account: props.account,
      audit: this.audit,
      operationsKey: props.operationsKey,
    });
    this.auditEvents.grantSend(this.trigger.role.policy, "trigger");
    this.auditEvents.grantSend(this.lineage.role.policy, "lineage");
    this.grantTrigger(this.trigger.role.policy);
    this.grantLineage(this.lineage.role.policy);
  }

  get all(): readonly PipelineFunction[] {
    return [this.trigger, this.lineage, this.audit];
  }

  /** ARN of the DataBrew profile job of each dataset profile. */
  get databrewJobArns(): readonly string[] {
    return this.props.datasetProfiles.map((profile) =>
      regionalArn(this.props.account, "databrew", `job/${this.props.jobs.databrewJobNameTemplate.replaceAll("{profile}", profile)}`),
    );
  }

  get glueJobArn(): string {
    return regionalArn(this.props.account, "glue", `job/${this.props.jobs.glueJobName}`);
  }

  private handler(name: HandlerName, description: string, environment: Record<string, string>): PipelineFunction {
    const { props } = this;
    const schema = { trigger: triggerHandlerEnvironment, lineage: lineageHandlerEnvironment, audit: auditHandlerEnvironment }[name];
    return new PipelineFunction(this, name, {
      functionName: `${props.namePrefix}-${name}`,
      description,
      bundle: props.bundles[name],
      environment: checkedEnvironment(name, schema, environment),
      ...HANDLER_SIZING[name],
      reservedConcurrency: props.reservedConcurrency[name],
      account: props.account,
      network: { subnetIds: props.network.subnets.map((subnet) => subnet.subnetId), securityGroupIds: [this.securityGroupId] },
      logGroups: props.logGroups,
      operationsKey: props.operationsKey,
    });
  }

  /** No ingress; egress only HTTPS to the interface endpoints and to S3 through its gateway endpoint. */
  private securityGroup(): string {
    const { network, namePrefix } = this.props;
    const group = new SecurityGroup(this, "security-group", {
      name: `${namePrefix}-handlers`,
      description: "Sentinel Lambda handlers: HTTPS to the VPC endpoints only",
      vpcId: network.vpcId,
      revokeRulesOnDelete: true,
      tags: { Name: `${namePrefix}-handlers` },
    });
    network.allowHttpsToAws(this, group.id, "", "HTTPS to the interface endpoints (Glue, DataBrew, Logs, KMS, STS)");
    return group.id;
  }

  /** The audit handler appends to the audit trail: chain index objects (locked) in S3, then the run's log stream. */
  private grantAuditTrail(policy: PolicyDocument): void {
    const { lineageAudit } = this.props.buckets;
    lineageAudit.grantReadWrite(policy, "audit-chain/");
    this.grantLockedWrites(policy, "audit-chain/");
    this.auditLogGroup.grantWrite(policy);
    // The writer refuses to log to a group without a KMS key, which it checks with DescribeLogGroups.
    policy.addStatement({
      sid: "CheckAuditLogGroupEncryption",
      actions: ["logs:DescribeLogGroups"],
      resources: [regionalArn(this.props.account, "logs", "log-group:*")],
    });
  }

  private grantLockedWrites(policy: PolicyDocument, prefix: string): void {
    policy.addStatement({
      sid: `Lock${sidFragment(prefix)}Objects`,
      actions: ["s3:PutObjectRetention"],
      resources: [`${this.props.buckets.lineageAudit.bucketArn}/${prefix}*`],
    });
  }

  private grantTrigger(policy: PolicyDocument): void {
    const { buckets } = this.props;
    buckets.lineageAudit.grantReadWrite(policy, "run-windows/");
    buckets.lineageAudit.grantWrite(policy, "job-runs/");
    policy
      .addStatement({ sid: "StartEtlJob", actions: ["glue:StartJobRun", "glue:GetJobRuns"], resources: [this.glueJobArn] })
      .addStatement({ sid: "StartPiiProfileJobs", actions: ["databrew:StartJobRun"], resources: [...this.databrewJobArns] });
  }

  /**
   * In the raw bucket the lineage role reads the DataBrew profile results (pii-profiles/) and nothing
   * else: it lists the versions of the landing files (ListBucketVersions: keys, version ids, ETags,
   * never a body) instead of a HeadObject, which needs s3:GetObject, and a GetObject grant on landing/
   * plus kms:Decrypt for the raw bucket would read the files (with S3 Bucket Keys KMS sees the bucket's
   * ARN, not the object's, so the key cannot tell prefixes apart: the S3 grants must). The raw bucket
   * policy and the data key policy repeat the boundary, so a broader identity grant added later cannot
   * widen it: the role is denied every other raw prefix, and the data key outside S3 and outside raw.
   */
  private grantLineageRawAccess(policy: PolicyDocument): void {
    const { buckets, network } = this.props;
    const { raw } = buckets;
    const lineageRole = this.lineage.role.roleArn;
    grantObjectRead(policy, raw, RAW_PREFIXES.piiProfiles, { purpose: "PiiProfileResults" });
    policy.addStatement({
      sid: "ListRawInputVersions",
      actions: ["s3:ListBucketVersions"],
      resources: [raw.bucketArn],
      conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${RAW_PREFIXES.landing}*`] }],
    });
    network.allowThroughEndpoint("s3", {
      name: "LineageListsRawInputVersions",
      actions: ["s3:ListBucketVersions"],
      resources: [raw.bucketArn],
    });
    const otherRawPrefixes = Object.values(RAW_PREFIXES).filter((prefix) => prefix !== RAW_PREFIXES.piiProfiles);
    raw.policy.addStatement({
      sid: "DenyLineageRoleRawObjectsOutsidePiiProfiles",
      effect: "Deny",
      principals: "*",
      actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"],
      resources: otherRawPrefixes.map((prefix) => `${raw.bucketArn}/${prefix}*`),
      conditions: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: [lineageRole] }],
    });
    // The lineage role decrypts with the data key only through S3, and only raw's pii-profiles/.
    const decryptOnlyWithin: ReadonlyArray<readonly [sid: string, outside: PolicyCondition]> = [
      ["DenyLineageRoleDataKeyOutsideS3", { test: "StringNotEqualsIfExists", variable: "kms:ViaService", values: [raw.s3Service] }],
      [
        "DenyLineageRoleDataKeyOutsideRawPiiProfiles",
        {
          test: "StringNotLikeIfExists",
          variable: "kms:EncryptionContext:aws:s3:arn",
          values: [raw.bucketArn, `${raw.bucketArn}/${RAW_PREFIXES.piiProfiles}*`],
        },
      ],
    ];
    for (const [sid, outside] of decryptOnlyWithin) {
      raw.key.keyPolicy.addStatement({
        sid,
        effect: "Deny",
        principals: "*",
        actions: ["kms:Decrypt"],
        resources: ["*"],
        conditions: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: [lineageRole] }, outside],
      });
    }
  }

  private grantLineage(policy: PolicyDocument): void {
    const { buckets, account, jobs, datasetProfiles } = this.props;
    buckets.lineageAudit.grantRead(policy, "job-runs/");
    buckets.lineageAudit.grantReadWrite(policy, LINEAGE_AUDIT_PREFIXES.lineage);
    this.grantLockedWrites(policy, LINEAGE_AUDIT_PREFIXES.lineage);
    buckets.lineageAudit.grantRead(policy, LINEAGE_AUDIT_PREFIXES.runMetrics);
    this.grantLineageRawAccess(policy);
    // Versions and ETags of the job script, never its contents.
    grantObjectRead(policy, buckets.artifacts, ARTIFACT_PREFIXES.scripts, {
      purpose: "JobScriptVersions",
      decrypt: false,
    });
    const catalog = (resource: string) => regionalArn(account, "glue", resource);
    policy
      .addStatement({ sid: "DescribeEtlJobRuns", actions: ["glue:GetJob", "glue:GetJobRun"], resources: [this.glueJobArn] })
      .addStatement({
        sid: "PointProcessedTablesAtLineage",
        actions: ["glue:GetTable", "glue:UpdateTable"],
        resources: [
          catalog("catalog"),
          catalog(`database/${jobs.processedDatabaseName}`),
          ...datasetProfiles.map((profile) => catalog(`table/${jobs.processedDatabaseName}/${processedTableName(profile)}`)),
        ],
      })
      .addStatement({ sid: "DescribePiiProfileJobRuns", actions: ["databrew:DescribeJobRun"], resources: [...this.databrewJobArns] })
      .addStatement({
        sid: "DescribePiiProfileDatasets",
        actions: ["databrew:DescribeDataset"],
        resources: jobs.databrewDatasetNames.map((name) => regionalArn(account, "databrew", `dataset/${name}`)),
      });
  }
}
