/**
 * The Glue half of an environment: the job's assets in the artifacts bucket, the security
 * configuration, the VPC connection, the ETL job and its role, the catalog and the processed tables'
 * data quality rulesets. Exposes what the handlers, orchestration, monitoring and the local pipeline
 * need: names and ARNs built from the environment's names, catalog names, and artifact URIs.
 */
import { Construct } from "constructs";
import type { PlatformKeys } from "../encryption/platform-keys";
import type { PolicyDocument } from "../iam/policy-document";
import type { AccountScope } from "../iam/arns";
import type { LogGroupFactory } from "../logging/log-group-factory";
import type { PrivateNetwork } from "../network/private-network";
import type { PlatformBuckets } from "../storage/platform-buckets";
import { ARTIFACT_PREFIXES, DataLayout, type LocationTemplates } from "../../contracts/data-layout";
import type { DatasetProfile } from "../../contracts/dataset-profiles";
import { ProcessedDataQuality } from "./data-quality-ruleset";
import { EtlJob, type EtlJobSettings } from "./etl-job";
import { GlueCatalog } from "./glue-catalog";
import { GlueJobAssets, type GlueJobArtifacts } from "./glue-job-assets";
import { jobOutputSchemaOf } from "../../contracts/job-output-schema";
import { GlueNetworkConnection } from "./network-connection";
import { GlueSecurity } from "./security-configuration";

export interface GlueEtlProps {
  /** e.g. sentinel-dev. */
  readonly namePrefix: string;
  /** dev, staging, prod or local (the Environment dimension of the job's metrics). */
  readonly environment: string;
  readonly account: AccountScope;
  /** Workers, timeout, retries and the default profile of the job. */
  readonly settings: EtlJobSettings;
  /** Raw, processed, artifacts and lineage-audit buckets the job reads and writes. */
  readonly buckets: PlatformBuckets;
  /** The data key encrypts the job's output and artifacts; the logs key its log groups. */
  readonly keys: PlatformKeys;
  readonly logGroups: LogGroupFactory;
  /** The job's VPC connection uses its first private subnet. */
  readonly network: PrivateNetwork;
  /** One processed table, data quality ruleset and job config object per profile. */
  readonly profiles: readonly DatasetProfile[];
  /** OpenLineage namespace of the environment (sentinel-<env>). */
  readonly lineageNamespace: string;
  /** Other jobs that write lineage records (the DataBrew profile jobs). */
  readonly otherLineageJobNames: readonly string[];
  /** The job's sources and prebuilt wheels (`npm run build`; stacks/built-artifacts.ts reads them). */
  readonly artifacts: GlueJobArtifacts;
  /**
   * KMS HMAC key sealing the job's fitted state (see EtlJobProps.stateMacKeyArn).
   * @default `keys.stateAuthentication` (the platform's state-authentication HMAC key)
   */
  readonly stateMacKeyArn?: string;
}

export class GlueEtl extends Construct {
  readonly layout: DataLayout;
  readonly jobName: string;
  readonly jobArn: string;
  readonly jobRoleArn: string;
  /** The job role's permissions, for keys and buckets the stack grants the job. */
  readonly jobRolePolicy: PolicyDocument;
  readonly securityConfigurationName: string;
  readonly connectionName: string;
  readonly catalog: GlueCatalog;
  readonly assets: GlueJobAssets;
  /** Data quality ruleset name per profile. */
  readonly dataQualityRulesetNames: ReadonlyMap<string, string>;
  /** Log groups the job writes to (prefix/error and prefix/output). */
  readonly logGroupNames: readonly string[];

  constructor(scope: Construct, id: string, props: GlueEtlProps) {
    super(scope, id);
    const { buckets, keys, namePrefix } = props;
    this.layout = new DataLayout({
      raw: buckets.raw.bucketName,
      processed: buckets.processed.bucketName,
      artifacts: buckets.artifacts.bucketName,
      lineageAudit: buckets.lineageAudit.bucketName,
    });
    this.assets = new GlueJobAssets(this, "assets", {
      bucket: buckets.artifacts,
      layout: this.layout,
      artifacts: props.artifacts,
      profiles: props.profiles,
    });
    const security = new GlueSecurity(this, "security", {
      name: `${namePrefix}-glue`,
      dataKey: keys.data,
      bookmarksKey: keys.jobBookmarks,
      logsKey: keys.logs,
    });
    const subnet = props.network.subnets[0];
    if (subnet === undefined) throw new Error("the network has no private subnet for the Glue connection");
    const connection = new GlueNetworkConnection(this, "connection", {
      name: `${namePrefix}-private`,
      subnet,
      securityGroupId: props.network.glueSecurityGroupId,
      account: props.account,
    });
    const job = new EtlJob(this, "etl-job", {
      jobName: `${namePrefix}-etl`,
      environment: props.environment,
      account: props.account,
      settings: props.settings,
      assets: this.assets,
      layout: this.layout,
      buckets: { raw: buckets.raw, processed: buckets.processed, artifacts: buckets.artifacts, lineageAudit: buckets.lineageAudit },
      security,
      connection,
      logGroups: props.logGroups,
      logsKey: keys.logs,
      stateMacKeyArn: props.stateMacKeyArn ?? keys.stateAuthentication.keyArn,
      tokenizationKeyArn: keys.tokenization.keyArn,
    });
    this.jobName = job.jobName;
    this.jobArn = job.jobArn;
    this.jobRoleArn = job.role.roleArn;
    this.jobRolePolicy = job.role.policy;
    this.securityConfigurationName = security.name;
    this.connectionName = connection.connectionName;
    this.logGroupNames = [job.errorLogGroup.logGroupName, job.outputLogGroup.logGroupName];

    this.catalog = new GlueCatalog(this, "catalog", {
      namePrefix,
      account: props.account,
      layout: this.layout,
      profiles: props.profiles,
      lineageNamespace: props.lineageNamespace,
      lineageJobNames: [this.jobName, ...props.otherLineageJobNames],
    });
    const rulesets = new Map<string, string>();
    for (const profile of props.profiles) {
      const table = this.catalog.processedTables.get(profile.name);
      if (table === undefined) throw new Error(`no processed table for profile ${profile.name}`);
      const quality = new ProcessedDataQuality(this, `quality-${profile.name}`, {
        rulesetName: `${namePrefix}-${profile.name}-processed`,
        profile,
        schema: jobOutputSchemaOf(profile),
        // The table's own attributes, so Terraform creates the table before its ruleset.
        databaseName: table.databaseName,
        tableName: table.name,
      });
      rulesets.set(profile.name, quality.rulesetName);
    }
    this.dataQualityRulesetNames = rulesets;
  }

  /** The job's location arguments as templates, for the trigger handler's *_TEMPLATE variables. */
  get locationTemplates(): LocationTemplates {
    return this.layout.templates;
  }

  /** Where operators put the KMS-wrapped tokenization key of each profile: `<prefix><profile>/data-key.json`. */
  get wrappedKeyPrefixUri(): string {
    return `s3://${this.layout.buckets.artifacts}/${ARTIFACT_PREFIXES.keys}`;
  }

  /** Fitted state and input bookmarks, per profile under this prefix. */
  get statePrefixUri(): string {
    return `s3://${this.layout.buckets.artifacts}/${ARTIFACT_PREFIXES.state}`;
  }
}
