/**
 * One environment of the platform, composed from the modules. Later modules (Glue, DataBrew,
 * handlers, orchestration, monitoring, access) are added to this class and wired through the
 * readonly attributes below; the policy guard checks everything in the stack at synth.
 */
import { Aspects, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { ConsumerAccess } from "../modules/access/consumer-access";
import { piiProfileJobNameTemplate, piiProfileNames } from "../modules/databrew/pii-profiling";
import { PlatformKey } from "../modules/encryption/platform-key";
import { PlatformKeys } from "../modules/encryption/platform-keys";
import { DataLayout } from "../modules/glue/data-layout";
import { handlerBundles } from "../modules/handlers/handler-bundles";
import { PipelineHandlers } from "../modules/handlers/pipeline-handlers";
import { PipelineMonitoring } from "../modules/monitoring/pipeline-monitoring";
import { JobStateRouting } from "../modules/orchestration/job-state-routing";
import { TriggerSchedules } from "../modules/orchestration/trigger-schedules";
import { partitionOf, type AccountScope } from "../modules/iam/arns";
import { LogGroupFactory } from "../modules/logging/log-group-factory";
import { PrivateNetwork } from "../modules/network/private-network";
import { PolicyGuard } from "../modules/policy-guard/policy-guard";
import { PlatformBuckets } from "../modules/storage/platform-buckets";
import { configureAwsProvider } from "./aws-provider";
import type { EnvironmentConfig } from "./config/schema";
import { PlatformInputs } from "./platform-inputs";
import { configureStateBackend } from "./state-backend";

export interface SentinelStackProps {
  readonly config: EnvironmentConfig;
}

export class SentinelStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  /** Terraform variables: account id, alarm e-mail, auditor and data-scientist principals. */
  readonly inputs: PlatformInputs;
  readonly accountScope: AccountScope;
  /** e.g. sentinel-dev: the prefix of bucket, key alias, role and security-group names. */
  readonly namePrefix: string;
  readonly keys: PlatformKeys;
  readonly logGroups: LogGroupFactory;
  readonly buckets: PlatformBuckets;
  readonly network: PrivateNetwork;
  /** Encrypts the handlers' environments, the dead-letter queues, the schedules and the alarm topic. */
  readonly operationsKey: PlatformKey;
  readonly handlers: PipelineHandlers;
  readonly schedules: TriggerSchedules;
  readonly jobStateRouting: JobStateRouting;
  readonly monitoring: PipelineMonitoring;
  readonly access: ConsumerAccess;

  constructor(scope: Construct, id: string, props: SentinelStackProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    this.namePrefix = `sentinel-${config.name}`;
    Aspects.of(this).add(new PolicyGuard());

    this.inputs = new PlatformInputs(this, "inputs", { emulator: config.deploymentTarget === "emulator" });
    configureAwsProvider(this, config, this.inputs);
    configureStateBackend(this, config);
    this.accountScope = { partition: partitionOf(config.region), region: config.region, accountId: this.inputs.accountId };
    const logPrefix = `/sentinel/${config.name}`;

    this.keys = new PlatformKeys(this, "keys", {
      namePrefix: this.namePrefix,
      scope: this.accountScope,
      auditLogGroupPrefix: `${logPrefix}/audit`,
    });
    this.logGroups = new LogGroupFactory(this, "logs", {
      namePrefix: logPrefix,
      retentionInDays: config.logRetentionDays,
      defaultKey: this.keys.logs,
    });
    this.buckets = new PlatformBuckets(this, "buckets", {
      namePrefix: this.namePrefix,
      scope: this.accountScope,
      keys: this.keys,
      lifecycle: config.lifecycle,
      lineageObjectLock: config.objectLock,
    });
    this.network = new PrivateNetwork(this, "network", {
      namePrefix: this.namePrefix,
      scope: this.accountScope,
      vpcCidr: config.vpcCidr,
      availabilityZones: config.availabilityZones,
      logGroups: this.logGroups,
      bucketArns: this.buckets.allBucketArns,
    });

    // Handlers, orchestration, monitoring and consumer access (docs/operations.md).
    this.operationsKey = new PlatformKey(this, "operations-key", {
      alias: `${this.namePrefix}-operations`,
      label: "OperationsKey",
      description: `${this.namePrefix}: Lambda environments, dead-letter queues, schedules, alarm topic`,
      scope: this.accountScope,
    });
    const catalogPrefix = this.namePrefix.replaceAll("-", "_");
    const jobs = {
      glueJobName: `${this.namePrefix}-etl`,
      databrewJobNameTemplate: piiProfileJobNameTemplate(this.namePrefix),
      databrewDatasetNames: config.datasetProfiles.map((profile) => piiProfileNames(this.namePrefix, profile).datasetName),
      processedDatabaseName: `${catalogPrefix}_processed`,
    };
    const databrewJobNames = config.datasetProfiles.map((profile) => piiProfileNames(this.namePrefix, profile).jobName);
    this.handlers = new PipelineHandlers(this, "handlers", {
      namePrefix: this.namePrefix,
      environmentName: config.name,
      scope: this.accountScope,
      bundles: handlerBundles(),
      buckets: this.buckets,
      keys: this.keys,
      operationsKey: this.operationsKey,
      logGroups: this.logGroups,
      network: this.network,
      jobs,
      locations: new DataLayout({
        raw: this.buckets.raw.bucketName,
        processed: this.buckets.processed.bucketName,
        artifacts: this.buckets.artifacts.bucketName,
        lineageAudit: this.buckets.lineageAudit.bucketName,
      }).templates,
      datasetProfiles: config.datasetProfiles,
      objectLock: config.objectLock,
      reservedConcurrency: config.handlers.reservedConcurrency,
    });
    this.schedules = new TriggerSchedules(this, "schedules", {
      namePrefix: this.namePrefix,
      scope: this.accountScope,
      trigger: this.handlers.trigger,
      datasetProfiles: config.datasetProfiles,
      settings: config.schedule,
      operationsKey: this.operationsKey,
    });
    this.jobStateRouting = new JobStateRouting(this, "job-state-routing", {
      namePrefix: this.namePrefix,
      scope: this.accountScope,
      jobNames: { glue: [jobs.glueJobName], databrew: databrewJobNames },
      lineage: this.handlers.lineage,
      audit: this.handlers.audit,
      operationsKey: this.operationsKey,
    });
    this.monitoring = new PipelineMonitoring(this, "monitoring", {
      namePrefix: this.namePrefix,
      environmentName: config.name,
      scope: this.accountScope,
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
      scope: this.accountScope,
      buckets: this.buckets,
      auditLogGroup: this.handlers.auditLogGroup,
      processedDatabaseName: jobs.processedDatabaseName,
      lineageDatabaseName: `${catalogPrefix}_lineage`,
      dataScientistPrincipalArns: this.inputs.dataScientistPrincipalArns,
      auditorPrincipalArns: this.inputs.auditorPrincipalArns,
    });
    this.declareOutputs();
  }

  /** What other tooling (the local pipeline, operators) reads after apply: `terraform output -json`. */
  private declareOutputs(): void {
    const output = (name: string, value: unknown, description: string) =>
      new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    output(
      "bucket_names",
      Object.fromEntries([...this.buckets.dataBuckets.map((bucket) => [bucket.tier, bucket.bucketName]), ["access-logs", this.buckets.accessLogs.bucketName]]),
      "Bucket name per tier.",
    );
    output(
      "kms_key_arns",
      { data: this.keys.data.keyArn, logs: this.keys.logs.keyArn, audit: this.keys.audit.keyArn, operations: this.operationsKey.keyArn },
      "Customer-managed key ARN per purpose.",
    );
    output("vpc_id", this.network.vpcId, "The private VPC.");
    output("private_subnet_ids", this.network.subnets.map((subnet) => subnet.subnetId), "Private subnet per availability zone.");
    output("glue_security_group_id", this.network.glueSecurityGroupId, "Security group for Glue network connections.");
    output("log_group_prefix", this.logGroups.namePrefix, "Prefix of the environment's log group names.");
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
      { "data-scientist": this.access.dataScientist.roleArn, auditor: this.access.auditor.roleArn },
      "Roles the data scientists and auditors assume.",
    );
  }
}
