/**
 * One environment of the platform, composed from the modules. Later modules (Glue, DataBrew,
 * handlers, orchestration, monitoring, access) are added to this class and wired through the
 * readonly attributes below; the policy guard checks everything in the stack at synth.
 */
import { Aspects, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { PlatformKeys } from "../modules/encryption/platform-keys";
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
      { data: this.keys.data.keyArn, logs: this.keys.logs.keyArn, audit: this.keys.audit.keyArn },
      "Customer-managed key ARN per purpose.",
    );
    output("vpc_id", this.network.vpcId, "The private VPC.");
    output("private_subnet_ids", this.network.subnets.map((subnet) => subnet.subnetId), "Private subnet per availability zone.");
    output("glue_security_group_id", this.network.glueSecurityGroupId, "Security group for Glue network connections.");
    output("log_group_prefix", this.logGroups.namePrefix, "Prefix of the environment's log group names.");
  }
}
