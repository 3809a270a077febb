/**
 * One environment of the platform, composed from the modules. Later modules (Glue, DataBrew,
 * handlers, orchestration, monitoring, access) are added to this class and wired through the
 * readonly attributes below; the policy guard checks everything in the stack at synth.
 */
import { Aspects, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { ConsumerAccess } from "../modules/access/consumer-access";
import { AthenaWorkgroup } from "../modules/analytics/athena-workgroup";
import { QueryResultsBucket } from "../modules/analytics/query-results-bucket";
import { piiProfileJobNameTemplate, piiProfileNames } from "../modules/databrew/pii-profiling";
import { PlatformKey } from "../modules/encryption/platform-key";
import type { PlatformKeys } from "../modules/encryption/platform-keys";
import { PlatformFoundation } from "../modules/foundation/platform-foundation";
import { PiiProfiling } from "../modules/databrew/pii-profiling";
import { loadDatasetProfiles, selectDatasetProfiles } from "../contracts/dataset-profiles";
import { GlueEtl } from "../modules/glue/glue-etl";
import { lineageNamespace } from "../contracts/run-identity";
import { PipelineHandlers } from "../modules/handlers/pipeline-handlers";
import { PipelineMonitoring } from "../modules/monitoring/pipeline-monitoring";
import { JobStateRouting } from "../modules/orchestration/job-state-routing";
import { TriggerSchedules } from "../modules/orchestration/trigger-schedules";
import { globalArn, partitionOf, type AccountScope } from "../modules/iam/arns";
import { AuditTrail } from "../modules/audit-trail/audit-trail";
import { TOKENIZATION_CONTEXT_KEYS } from "../modules/encryption/platform-keys";
import {
  DEPLOYED_ARTIFACT_PREFIXES,
  JOB_WRITTEN_ARTIFACT_PREFIXES,
  LINEAGE_AUDIT_PREFIXES,
  PROCESSED_PREFIXES,
} from "../contracts/data-layout";
import type { LogGroupFactory } from "../modules/logging/log-group-factory";
import type { PrivateNetwork } from "../modules/network/private-network";
import { PolicyGuard } from "../modules/policy-guard/policy-guard";
import type { PlatformBuckets } from "../modules/storage/platform-buckets";
import type { StackOutputName, StackOutputs } from "../contracts/stack-outputs";
import { configureAwsProvider } from "./aws-provider";
import { builtArtifacts, type BuiltArtifacts } from "./built-artifacts";
import type { EnvironmentConfig } from "./config/schema";
import { PlatformInputs } from "./platform-inputs";
import { configureStateBackend } from "./state-backend";
import { DeployerPrincipalsCheck } from "../modules/iam/deployer-principals";

export interface SentinelStackProps {
  readonly config: EnvironmentConfig;
  /**
   * The handler archives and job wheels to deploy.
   * @default what `npm run build` recorded in build/manifest.json of this repository
   */
  readonly artifacts?: BuiltArtifacts;
}

export class SentinelStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  /** Terraform variables: account id, alarm e-mail, auditor and data-scientist principals. */
  readonly inputs: PlatformInputs;
  readonly accountScope: AccountScope;
  /** e.g. sentinel-dev: the prefix of bucket, key alias, role and security-group names. */
  readonly namePrefix: string;
  /** Keys, log groups, buckets and network; each is also an attribute of its own below. */
  readonly foundation: PlatformFoundation;
  readonly keys: PlatformKeys;
  readonly logGroups: LogGroupFactory;
  readonly buckets: PlatformBuckets;
  readonly network: PrivateNetwork;
  /** The Glue ETL job with its assets, security configuration, VPC connection, catalog and quality rules. */
  readonly glue: GlueEtl;
  /** DataBrew PII profiling of each dataset profile's landing files. */
  readonly databrew: PiiProfiling;
  /** Encrypts the handlers' environments, the dead-letter queues, the schedules and the alarm topic. */
  readonly operationsKey: PlatformKey;
  readonly handlers: PipelineHandlers;
  readonly schedules: TriggerSchedules;
  readonly jobStateRouting: JobStateRouting;
  readonly monitoring: PipelineMonitoring;
  readonly access: ConsumerAccess;
  /** CloudTrail, its bucket and key, and the change alarms. */
  readonly auditTrail: AuditTrail;
  /** The deployer principals: key administrators and the only writers of the job's code and config. */
  readonly deployerArns: readonly string[];

  constructor(scope: Construct, id: string, props: SentinelStackProps) {
    super(scope, id);
    const { config } = props;
    const artifacts = props.artifacts ?? builtArtifacts();
    this.config = config;
    this.namePrefix = `sentinel-${config.name}`;
    Aspects.of(this).add(new PolicyGuard());

    this.inputs = new PlatformInputs(this, "inputs", { emulator: config.deploymentTarget === "emulator" });
    configureAwsProvider(this, config, this.inputs);
    configureStateBackend(this, config);
    this.accountScope = { partition: partitionOf(config.region), region: config.region, accountId: this.inputs.accountId };

    this.deployerArns = config.deployerPrincipals.map((principal) => globalArn(this.accountScope, "iam", principal));
    // On AWS the deployer must exist before the first apply; plan says so by name (the emulator's set-up creates its own).
    if (config.deploymentTarget === "aws")
      new DeployerPrincipalsCheck(this, "deployer-principals", { principals: config.deployerPrincipals, environment: config.name });
    this.foundation = new PlatformFoundation(this, {
      namePrefix: this.namePrefix,
      account: this.accountScope,
      logGroupPrefix: `/sentinel/${config.name}`,
      logRetentionDays: config.logRetentionDays,
      administratorArns: this.deployerArns,
      lifecycle: config.lifecycle,
      lineageObjectLock: config.objectLock,
      vpcCidr: config.vpcCidr,
      availabilityZones: config.availabilityZones,
    });
    ({ keys: this.keys, logGroups: this.logGroups, buckets: this.buckets, network: this.network } = this.foundation);

    // The Glue ETL job and catalog, then (below, with the alarm topic) DataBrew PII profiling.
    const profiles = selectDatasetProfiles(loadDatasetProfiles(artifacts.glueJob.glueJobsDir), config.datasetProfiles);
    const [defaultProfile] = config.datasetProfiles;
    if (defaultProfile === undefined) throw new Error(`${config.name}: datasetProfiles is empty`);
    this.glue = new GlueEtl(this, "glue", {
      namePrefix: this.namePrefix,
      environment: config.name,
      account: this.accountScope,
      settings: { ...config.glue, defaultProfile },
      buckets: this.buckets,
      keys: this.keys,
      logGroups: this.logGroups,
      network: this.network,
      profiles,
      artifacts: artifacts.glueJob,
      lineageNamespace: lineageNamespace(config.name),
      otherLineageJobNames: profiles.map((profile) => piiProfileNames(this.namePrefix, profile.name).jobName),
    });

    // Handlers, orchestration, monitoring and consumer access (docs/operations.md).
    this.operationsKey = new PlatformKey(this, "operations-key", {
      alias: `${this.namePrefix}-operations`,
      label: "OperationsKey",
      description: `${this.namePrefix}: Lambda environments, dead-letter queues, schedules, alarm topic`,
      account: this.accountScope,
      administratorArns: this.deployerArns,
    });
    // DataBrew is built after monitoring (its stack events go to the alarm topic): its names are derived.
    const databrewNames = config.datasetProfiles.map((profile) => piiProfileNames(this.namePrefix, profile));
    const databrewJobNames = databrewNames.map((names) => names.jobName);
    const jobs = {
      glueJobName: this.glue.jobName,
      databrewJobNameTemplate: piiProfileJobNameTemplate(this.namePrefix),
      databrewDatasetNames: databrewNames.map((names) => names.datasetName),
      processedDatabaseName: this.glue.catalog.databaseNames.processed,
    };
    this.handlers = new PipelineHandlers(this, "handlers", {
      namePrefix: this.namePrefix,
      environmentName: config.name,
      account: this.accountScope,
      bundles: artifacts.handlers,
      buckets: this.buckets,
      keys: this.keys,
      operationsKey: this.operationsKey,
      logGroups: this.logGroups,
      network: this.network,
      jobs,
      locations: this.glue.locationTemplates,
      datasetProfiles: config.datasetProfiles,
      objectLock: config.objectLock,
      reservedConcurrency: config.handlers.reservedConcurrency,
    });
    this.schedules = new TriggerSchedules(this, "schedules", {
      namePrefix: this.namePrefix,
      account: this.accountScope,
      trigger: this.handlers.trigger,
      datasetProfiles: config.datasetProfiles,
      settings: config.schedule,
      operationsKey: this.operationsKey,
    });
    this.jobStateRouting = new JobStateRouting(this, "job-state-routing", {
      namePrefix: this.namePrefix,
      account: this.accountScope,
      jobNames: { glue: [jobs.glueJobName], databrew: databrewJobNames },
      lineage: this.handlers.lineage,
      audit: this.handlers.audit,
      operationsKey: this.operationsKey,
    });
    this.monitoring = new PipelineMonitoring(this, "monitoring", {
      namePrefix: this.namePrefix,
      environmentName: config.name,
      account: this.accountScope,
      alarmEmail: this.inputs.alarmEmail,
      operationsKey: this.operationsKey,
      glueJobName: jobs.glueJobName,
      databrewJobNames,
      datasetProfiles: config.datasetProfiles,
      handlers: this.handlers.all,
      deadLetterQueues: [
        ...this.handlers.all.map((handler) => handler.deadLetterQueue),
        this.schedules.deadLetterQueue,
        this.jobStateRouting.deadLetterQueue,
      ],
      eventDeadLetterQueue: this.jobStateRouting.deadLetterQueue,
      thresholds: config.alarms,
    });
    this.access = new ConsumerAccess(this, "access", {
      namePrefix: this.namePrefix,
      account: this.accountScope,
      buckets: this.buckets,
      auditLogGroup: this.handlers.auditLogGroup,
      processedDatabaseName: jobs.processedDatabaseName,
      lineageDatabaseName: this.glue.catalog.databaseNames.lineage,
      dataScientistPrincipalArns: this.inputs.dataScientistPrincipalArns,
      auditorPrincipalArns: this.inputs.auditorPrincipalArns,
      reidentificationPrincipalArns: this.inputs.reidentificationPrincipalArns,
      tokenizationKey: this.keys.tokenization,
      organizationId: config.organizationId,
    });
    // Athena, a workgroup per consumer role (the emulator holds the workgroups but runs no queries: locally the
    // guides' SQL runs in DuckDB, docs/auditor-guide.md)
    const resultsBucket = new QueryResultsBucket(this, "athena-results", {
      bucketName: `${this.namePrefix}-athena-results-${this.accountScope.accountId}`,
      account: this.accountScope,
      key: this.keys.data,
      accessLogs: this.buckets.accessLogs,
    });
    const workgroups = [
      { role: "data-science", description: "Data scientists' queries over the processed tables", consumer: this.access.dataScientist },
      { role: "audit", description: "Auditors' queries over the lineage records", consumer: this.access.auditor },
    ];
    for (const { role, description, consumer } of workgroups) {
      new AthenaWorkgroup(this, `athena-${role}`, {
        name: `${this.namePrefix}-${role}`,
        description,
        account: this.accountScope,
        resultsBucket,
      }).grantQueries(consumer.policy);
    }
    this.databrew = new PiiProfiling(this, "databrew", {
      namePrefix: this.namePrefix,
      account: this.accountScope,
      profiles,
      layout: this.glue.layout,
      rawBucket: this.buckets.raw,
      dataKey: this.keys.data,
      logGroups: this.logGroups,
      logsKey: this.keys.logs,
      settings: config.databrew,
      stackEventsTopicArn: this.monitoring.topic.topicArn,
    });
    this.auditTrail = new AuditTrail(this, "audit-trail", {
      namePrefix: this.namePrefix,
      account: this.accountScope,
      administratorArns: this.deployerArns,
      accessLogs: this.buckets.accessLogs,
      lifecycle: config.lifecycle,
      objectLock: config.objectLock,
      dataEventBuckets: [this.buckets.raw, this.buckets.processed, this.buckets.artifacts, this.buckets.lineageAudit],
      functionArns: this.handlers.all.map((handler) => handler.functionArn),
      keyArns: [...this.keys.all, this.operationsKey].map((key) => key.keyArn),
      bucketNames: [...this.buckets.dataBuckets, this.buckets.accessLogs].map((bucket) => bucket.bucketName),
      glueJobNames: [this.glue.jobName],
      functionNames: this.handlers.all.map((handler) => handler.functionName),
      processedCatalog: {
        databaseName: this.glue.catalog.databaseNames.processed,
        locationPrefix: `s3://${this.buckets.processed.bucketName}/${PROCESSED_PREFIXES.processed}`,
        writerRoleName: this.handlers.lineage.role.roleName,
      },
      roleNamePrefix: `${this.namePrefix}-`,
      alarmTopic: this.monitoring.topic,
      logGroups: this.logGroups,
    });
    this.grantKeysAndLockBuckets();
    this.declareOutputs();
  }

  /**
   * What crosses modules: the job's and handlers' use of the dedicated keys, the deployer's use of
   * keys for what it uploads and creates, write-once records, the artifacts writer allow-list and
   * the network perimeter of the raw and artifacts buckets.
   */
  private grantKeysAndLockBuckets(): void {
    const { keys, buckets, glue } = this;
    keys.tokenization.grantDecryptWithContext(glue.jobRolePolicy, TOKENIZATION_CONTEXT_KEYS);
    keys.stateAuthentication.grantGenerateVerifyMac(glue.jobRolePolicy);
    keys.auditSigning.grantSign(this.handlers.audit.role.policy);
    keys.auditSigning.grantVerify(this.access.auditor.policy);
    // The deployer uploads the job's artifacts (S3 asks KMS for a data key on its behalf) and
    // wraps new tokenization key versions; it never decrypts under either key.
    keys.data.allowUse(this.deployerArns, ["kms:GenerateDataKey"]);
    keys.tokenization.allowUse(this.deployerArns, ["kms:GenerateDataKeyWithoutPlaintext"]);
    // Lambda encrypts each function's environment under a grant it creates with the deployer's rights.
    this.operationsKey.allowGrantsForAwsResources(this.deployerArns);
    this.operationsKey.allowUse(this.deployerArns, ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"]);

    buckets.lineageAudit.requireWriteOnce([LINEAGE_AUDIT_PREFIXES.lineage, LINEAGE_AUDIT_PREFIXES.auditChain]);
    buckets.artifacts.restrictWriters("CodeConfigReferenceAndKeys", DEPLOYED_ARTIFACT_PREFIXES, this.deployerArns);
    buckets.artifacts.restrictWriters("JobState", JOB_WRITTEN_ARTIFACT_PREFIXES, [glue.jobRoleArn]);
    // Outside the VPC only: DataBrew (its jobs run in AWS's network, as their own role), the deployer
    // (uploads from the pipeline), the re-identification role (a person's break-glass read of keys/).
    const s3Endpoint = [this.network.s3EndpointId];
    // Landing files arrive from the data provider's side: writes into raw may come from anywhere
    // (data coming in is not data leaving); reads and deletes only from the VPC.
    buckets.raw.restrictToNetwork(s3Endpoint, [this.databrew.role.roleArn], { allowWritesFromAnywhere: true });
    buckets.artifacts.restrictToNetwork(s3Endpoint, [...this.deployerArns, this.access.reidentification.roleArn]);
  }

  /** What other tooling (the local pipeline, operators) reads after apply: `terraform output -json`, typed by contracts/stack-outputs.ts. */
  private declareOutputs(): void {
    const output = <Name extends StackOutputName>(name: Name, value: StackOutputs[Name], description: string) =>
      new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    output(
      "bucket_names",
      Object.fromEntries([
        ...this.buckets.dataBuckets.map((bucket) => [bucket.tier, bucket.bucketName]),
        ["access-logs", this.buckets.accessLogs.bucketName],
      ]),
      "Bucket name per tier.",
    );
    output(
      "kms_key_arns",
      {
        data: this.keys.data.keyArn,
        logs: this.keys.logs.keyArn,
        audit: this.keys.audit.keyArn,
        operations: this.operationsKey.keyArn,
        tokenization: this.keys.tokenization.keyArn,
        job_bookmarks: this.keys.jobBookmarks.keyArn,
        state_authentication: this.keys.stateAuthentication.keyArn,
        audit_signing: this.keys.auditSigning.keyArn,
        trail: this.auditTrail.key.keyArn,
      },
      "Customer-managed key ARN per purpose.",
    );
    output(
      "audit_trail",
      { name: this.auditTrail.trailName, bucket: this.auditTrail.bucket.bucketName },
      "The CloudTrail trail and its Object-Locked bucket.",
    );
    output("vpc_id", this.network.vpcId, "The private VPC.");
    output(
      "private_subnet_ids",
      this.network.subnets.map((subnet) => subnet.subnetId),
      "Private subnet per availability zone.",
    );
    output("glue_security_group_id", this.network.glueSecurityGroupId, "Security group for Glue network connections.");
    output("log_group_prefix", this.logGroups.namePrefix, "Prefix of the environment's log group names.");
    output("glue_job_name", this.glue.jobName, "The Glue ETL job (one job; each run names its dataset profile).");
    output(
      "databrew_job_names",
      Object.fromEntries([...this.databrew.jobs].map(([profile, job]) => [profile, job.names.jobName])),
      "DataBrew PII profile job per dataset profile.",
    );
    output(
      "glue_catalog",
      {
        databases: this.glue.catalog.databaseNames,
        processed_tables: Object.fromEntries(this.glue.catalog.processedTableNames),
        lineage_table: this.glue.catalog.lineageTableName,
        data_quality_rulesets: Object.fromEntries(this.glue.dataQualityRulesetNames),
      },
      "Glue Catalog database per tier, processed table and data quality ruleset per profile, lineage table.",
    );
    output(
      "glue_artifact_uris",
      {
        script: this.glue.assets.script.uri,
        transformation_package: this.glue.assets.transformationPackage.uri,
        dependency_wheels: this.glue.assets.dependencyWheels.map((wheel) => wheel.uri),
        profile_configs: Object.fromEntries([...this.glue.assets.profileConfigs].map(([profile, config]) => [profile, config.uri])),
        merchant_mapping: this.glue.assets.merchantMapping.uri,
        wrapped_key_prefix: this.glue.wrappedKeyPrefixUri,
        state_prefix: this.glue.statePrefixUri,
        location_templates: this.glue.locationTemplates,
      },
      "Where the Glue job's code, profiles, mapping, wrapped keys and state live, and its location templates.",
    );
    output(
      "handler_function_names",
      Object.fromEntries(this.handlers.all.map((handler) => [handler.node.id, handler.functionName])),
      "Lambda function name per handler (trigger, lineage, audit).",
    );
    output(
      "dead_letter_queue_urls",
      Object.fromEntries([
        ...this.handlers.all.map((handler) => [handler.node.id, handler.deadLetterQueue.queueUrl]),
        ["schedules", this.schedules.deadLetterQueue.queueUrl],
        ["job-state-events", this.jobStateRouting.deadLetterQueue.queueUrl],
      ]),
      "SQS dead-letter queue URL per handler, for the schedules and for job state-change events.",
    );
    output("audit_log_group_name", this.handlers.auditLogGroup.logGroupName, "The hash-chained audit trail (one stream per pipeline run).");
    output("alarm_topic_arn", this.monitoring.topic.topicArn, "SNS topic of the environment's alarms.");
    output("schedule_group_name", this.schedules.scheduleGroupName, "EventBridge Scheduler group of the nightly trigger schedules.");
    output("dashboard_name", this.monitoring.dashboardName, "CloudWatch dashboard of the pipeline.");
    output(
      "consumer_role_arns",
      {
        "data-scientist": this.access.dataScientist.roleArn,
        auditor: this.access.auditor.roleArn,
        reidentification: this.access.reidentification.roleArn,
      },
      "Roles the data scientists and auditors assume.",
    );
  }
}
