/**
 * The Sentinel ETL job: Glue 5.0 (Spark 3.5.4, Python 3.11), inside the VPC through the NETWORK
 * connection, with the environment's security configuration, job bookmarks, auto scaling up to the
 * configured worker count, metrics and observability metrics, logs in two encrypted log groups, one
 * run at a time, and a role that can touch only the prefixes the job reads and writes.
 *
 * Code, installer, logging and trust settings are non-overridable arguments: a run can choose its
 * profile, run date and per-run locations, never a different package source, jar, environment, account,
 * artifact digest or key. The per-run locations a run may still pass are checked by the job itself
 * against what --environment, --account_id and --profile allow (glue-jobs/sentinel_etl/location_policy.py),
 * and every artifact it trusts against --artifact_digests (Terraform knows each digest from the built
 * files). The entry script cannot check itself: the artifacts bucket's writer allow-list and CloudTrail
 * data events cover it.
 */
import { GlueJob } from "@cdktf/provider-aws/lib/glue-job";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import { regionalArn, type AccountScope } from "../iam/arns";
import { grantPublishPipelineMetrics } from "../../contracts/pipeline-metrics";
import type { EncryptedLogGroup } from "../logging/encrypted-log-group";
import type { LogGroupFactory } from "../logging/log-group-factory";
import type { DataBucket } from "../storage/data-bucket";
import {
  ARTIFACT_PREFIXES,
  DEPLOYED_ARTIFACT_PREFIXES,
  JOB_WRITTEN_ARTIFACT_PREFIXES,
  LINEAGE_AUDIT_PREFIXES,
  PROCESSED_PREFIXES,
  RAW_PREFIXES,
  type DataLayout,
} from "../../contracts/data-layout";
import { ExecutionRole } from "./execution-role";
import type { GlueJobAssets } from "./glue-job-assets";
import type { GlueNetworkConnection } from "./network-connection";
import type { GlueSecurity } from "./security-configuration";
import { byJobArgument, type RunLocationName } from "../../contracts/run-locations";

/** The per-run locations a run of the default profile gets without the trigger: everything but input and metrics. */
const DEFAULT_PROFILE_LOCATIONS: readonly RunLocationName[] = [
  "configLocation",
  "outputLocation",
  "quarantineLocation",
  "stateLocation",
  "keyLocation",
];

/** URI -> sha256 of every artifact the job checks before use: all uploaded files but the script itself. */
export function artifactDigests(assets: GlueJobAssets): Record<string, string> {
  const checked = [
    assets.transformationPackage,
    ...assets.dependencyWheels,
    assets.tokenizationLibrary,
    ...assets.profileConfigs.values(),
    assets.merchantMapping,
  ];
  return Object.fromEntries(checked.map((artifact) => [artifact.uri, artifact.sha256]));
}

export const GLUE_VERSION = "5.0";

export interface EtlJobSettings {
  /** G.1X, G.2X, G.4X or G.8X. */
  readonly workerType: string;
  /** The most workers auto scaling may use. */
  readonly numberOfWorkers: number;
  readonly timeoutMinutes: number;
  readonly maxRetries: number;
  /** Profile the job runs when a run names none (its config and locations are the defaults). */
  readonly defaultProfile: string;
}

export interface EtlJobBuckets {
  readonly raw: DataBucket;
  readonly processed: DataBucket;
  readonly artifacts: DataBucket;
  readonly lineageAudit: DataBucket;
}

export interface EtlJobProps {
  /** e.g. sentinel-dev-etl. */
  readonly jobName: string;
  /** dev, staging, prod or local: the Environment dimension of the job's Sentinel/Pipeline metrics. */
  readonly environment: string;
  readonly account: AccountScope;
  readonly settings: EtlJobSettings;
  readonly assets: GlueJobAssets;
  readonly layout: DataLayout;
  readonly buckets: EtlJobBuckets;
  readonly security: GlueSecurity;
  readonly connection: GlueNetworkConnection;
  readonly logGroups: LogGroupFactory;
  /** Key of the job's log groups. */
  readonly logsKey: PlatformKey;
  /**
   * ARN of the KMS HMAC_256 key that seals the job's fitted state (GenerateMac/VerifyMac, only for this
   * role). Passed as the non-overridable `--state_mac_key_arn`; the job refuses to run on Glue without it.
   * @default none: the argument is left out and the job fails at start naming it
   */
  readonly stateMacKeyArn?: string;
  /** The dedicated key that wraps the tokenization data keys (a non-overridable job argument). */
  readonly tokenizationKeyArn: string;
}

export class EtlJob extends Construct {
  readonly jobName: string;
  /** Known at synth (built from the name), so policies and rules can name the job before apply. */
  readonly jobArn: string;
  readonly role: ExecutionRole;
  /** Prefix Glue 5.0 appends /error and /output to. */
  readonly logGroupPrefix: string;
  readonly errorLogGroup: EncryptedLogGroup;
  readonly outputLogGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: EtlJobProps) {
    super(scope, id);
    const { assets, layout, settings } = props;
    this.jobName = props.jobName;
    this.jobArn = regionalArn(props.account, "glue", `job/${props.jobName}`);
    const defaultConfig = assets.profileConfigs.get(settings.defaultProfile);
    if (defaultConfig === undefined) {
      throw new Error(
        `Glue job ${props.jobName}: default profile "${settings.defaultProfile}" is not one of the shipped profiles (${[...assets.profileConfigs.keys()].join(", ")})`,
      );
    }

    // Glue 5.0 always streams driver and executor logs; --custom-logGroup-prefix sends them to
    // <prefix>/error and <prefix>/output, created here encrypted and with retention.
    this.logGroupPrefix = props.logGroups.nameFor(`glue/${props.jobName}`);
    const logGroup = (stream: "error" | "output") =>
      // The purpose is the construct id: kept free of the environment name so every environment has
      // the same Terraform addresses.
      props.logGroups.create({ purpose: `glue-etl-${stream}`, logGroupName: `${this.logGroupPrefix}/${stream}`, key: props.logsKey });
    this.errorLogGroup = logGroup("error");
    this.outputLogGroup = logGroup("output");

    this.role = new ExecutionRole(this, "role", {
      roleName: `${props.jobName}-job`,
      description: `Runs the ${props.jobName} Glue job: its prefixes, its keys, its log groups`,
      servicePrincipal: "glue.amazonaws.com",
    });
    this.grantJobPermissions(props);

    const templates = layout.templates;
    const forDefault = (template: string) => template.replaceAll("{profile}", settings.defaultProfile);
    const dependencyWheels = assets.dependencyWheels.map((wheel) => wheel.uri);
    new GlueJob(this, "job", {
      name: props.jobName,
      description: "Sentinel ETL: validate/quarantine, tokenize, bin, encode merchant category, features, isolation forest",
      roleArn: this.role.roleArn,
      glueVersion: GLUE_VERSION,
      command: { name: "glueetl", pythonVersion: "3", scriptLocation: assets.script.uri },
      workerType: settings.workerType,
      numberOfWorkers: settings.numberOfWorkers,
      timeout: settings.timeoutMinutes,
      maxRetries: settings.maxRetries,
      executionProperty: { maxConcurrentRuns: 1 },
      executionClass: "STANDARD",
      connections: [props.connection.connectionName],
      securityConfiguration: props.security.name,
      defaultArguments: {
        "--job-bookmark-option": "job-bookmark-enable",
        "--profile": settings.defaultProfile,
        ...byJobArgument(
          {
            ...templates,
            configLocation: defaultConfig.uri,
            outputLocation: forDefault(templates.outputLocation),
            quarantineLocation: forDefault(templates.quarantineLocation),
            stateLocation: forDefault(templates.stateLocation),
            keyLocation: forDefault(templates.keyLocation),
          },
          DEFAULT_PROFILE_LOCATIONS,
        ),
      },
      nonOverridableArguments: {
        "--job-language": "python",
        "--extra-py-files": assets.transformationPackage.uri,
        // HMAC, FF1 and AES-SIV tokenization (glue-jobs/jvm), registered as Spark functions by the job.
        "--extra-jars": assets.tokenizationLibrary.uri,
        ...(dependencyWheels.length > 0
          ? { "--additional-python-modules": dependencyWheels.join(","), "--python-modules-installer-option": "--no-index" }
          : {}),
        "--TempDir": `s3://${props.buckets.artifacts.bucketName}/${ARTIFACT_PREFIXES.temp}`,
        "--enable-auto-scaling": "true",
        "--enable-metrics": "true",
        "--enable-observability-metrics": "true",
        "--enable-job-insights": "true",
        "--custom-logGroup-prefix": this.logGroupPrefix,
        // Spark UI event logs carry query plans with literal values; they are not needed to operate.
        "--enable-spark-ui": "false",
        // The Environment dimension of the Sentinel/Pipeline metrics the job publishes: fixed, so a run
        // cannot report into another environment's alarms. With the account, it is also what the job
        // derives the locations it may use from.
        "--environment": props.environment,
        "--account_id": props.account.accountId,
        // Profile-independent, so fixed here; the trigger does not pass it.
        ...byJobArgument({ ...templates, mappingLocation: assets.merchantMapping.uri }, ["mappingLocation"]),
        "--artifact_digests": JSON.stringify(artifactDigests(assets)),
        ...(props.stateMacKeyArn === undefined ? {} : { "--state_mac_key_arn": props.stateMacKeyArn }),
        // The only key the job may unwrap tokenization keys with, whatever a wrapped key file says.
        "--tokenization_key_arn": props.tokenizationKeyArn,
      },
      // The job must not start before its code, wheels and profiles are uploaded.
      dependsOn: [...assets.objects],
    });
  }

  /**
   * Least privilege, from what the job does (glue-jobs/sentinel_etl/job.py): read landing files,
   * the profile, mapping, wrapped key and fitted state; write processed and quarantine output through
   * a run-scoped `_staging/` folder that it deletes after publishing (Spark's rename on S3 is copy
   * and delete), fitted state and bookmarks, and run metrics. Published output is never deletable.
   */
  private grantJobPermissions(props: EtlJobProps): void {
    const policy = this.role.policy;
    const { raw, processed, artifacts, lineageAudit } = props.buckets;

    for (const prefix of DEPLOYED_ARTIFACT_PREFIXES) {
      artifacts.grantRead(policy, prefix);
    }
    for (const prefix of JOB_WRITTEN_ARTIFACT_PREFIXES) {
      artifacts.grantReadWrite(policy, prefix);
    }
    raw.grantRead(policy, RAW_PREFIXES.landing);
    raw.grantReadWrite(policy, RAW_PREFIXES.quarantine);
    processed.grantReadWrite(policy, PROCESSED_PREFIXES.processed);
    lineageAudit.grantWrite(policy, LINEAGE_AUDIT_PREFIXES.runMetrics);

    policy.addStatement({
      sid: "RemoveStagingAndFolderMarkers",
      actions: ["s3:DeleteObject"],
      resources: [
        `${raw.bucketArn}/${RAW_PREFIXES.quarantine}*/_staging/*`,
        `${raw.bucketArn}/${RAW_PREFIXES.quarantine}*_$folder$`,
        `${processed.bucketArn}/${PROCESSED_PREFIXES.processed}*/_staging/*`,
        `${processed.bucketArn}/${PROCESSED_PREFIXES.processed}*_$folder$`,
        `${artifacts.bucketArn}/${ARTIFACT_PREFIXES.temp}*`,
      ],
    });

    // Bookmarks are encrypted client-side: the job calls KMS itself, with the bookmarks key.
    props.security.grantBookmarkEncryption(policy);
    props.connection.grantUse(policy);

    for (const group of [this.errorLogGroup, this.outputLogGroup]) group.grantWrite(policy);
    policy.addStatement({
      // With CloudWatch encryption in the security configuration, Glue associates the key with the group.
      sid: "AssociateLogsKeyWithJobLogGroups",
      actions: ["logs:AssociateKmsKey"],
      resources: [this.errorLogGroup.logGroupArn, this.outputLogGroup.logGroupArn],
    });
    policy.addStatement({
      sid: "PublishGlueJobMetrics",
      actions: ["cloudwatch:PutMetricData"],
      resources: ["*"],
      conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: ["Glue"] }],
    });
    // RowsIn ... RunDurationSeconds, which the quarantine-ratio and anomaly-rate alarms watch.
    grantPublishPipelineMetrics(policy);
    if (props.stateMacKeyArn !== undefined) {
      policy.addStatement({
        // Seals and checks fitted state and the bookmark (glue-jobs/sentinel_etl/fitted_state.py); the key
        // policy (sec-infra) names this role as the key's only MAC user.
        sid: "SealFittedState",
        actions: ["kms:GenerateMac", "kms:VerifyMac"],
        resources: [props.stateMacKeyArn],
      });
    }
  }
}
