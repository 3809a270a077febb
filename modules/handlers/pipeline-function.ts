/**
 * One Sentinel Lambda handler as deployed: the prebuilt deployment archive (`npm run build`) as a Terraform asset on
 * Node.js 22 / arm64, inside the private subnets, its environment encrypted with a platform key,
 * reserved concurrency, X-Ray tracing, a KMS-encrypted dead-letter queue for invocations that still
 * fail after Lambda's retries, JSON logs in an encrypted log group with retention, and an execution
 * role of its own that starts with nothing but what running in the VPC, logging and the dead-letter
 * queue need. Callers add the handler's real work to `role.policy` with grant helpers.
 */
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { AssetType, TerraformAsset, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import { regionalArn, type AccountScope } from "../iam/arns";
import type { PolicyDocument } from "../iam/policy-document";
import { ServiceRole } from "../iam/service-role";
import { sidFragment } from "../iam/sid";
import type { EncryptedLogGroup } from "../logging/encrypted-log-group";
import type { LogGroupFactory } from "../logging/log-group-factory";
import { DeadLetterQueue } from "./dead-letter-queue";
import type { HandlerBundle } from "./handler-bundles";

/** The runtime the handler bundles target (esbuild `target`); Lambda's Node.js 22 is supported until 2027-04. */
export const HANDLER_RUNTIME = "nodejs22.x";
export const HANDLER_ARCHITECTURE = "arm64";

/** Async invocations (schedules, rules) are retried this often before going to the dead-letter queue. */
const ASYNC_RETRY_ATTEMPTS = 2;
/** An event older than this is not retried any more but dead-lettered: six hours covers an outage of the run window. */
const MAXIMUM_EVENT_AGE_SECONDS = 21_600;

export interface FunctionNetwork {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

export interface PipelineFunctionProps {
  /** e.g. sentinel-dev-trigger. Also names its role, log group and dead-letter queue. */
  readonly functionName: string;
  readonly description: string;
  readonly bundle: HandlerBundle;
  /** Validated against the handler's schema by the caller (see handler-environments.ts). */
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency: number;
  readonly account: AccountScope;
  readonly network: FunctionNetwork;
  /** Makes the function's log group (retention and key from the factory). */
  readonly logGroups: LogGroupFactory;
  /** Encrypts the environment variables and the dead-letter queue. */
  readonly operationsKey: PlatformKey;
}

export class PipelineFunction extends Construct {
  readonly functionName: string;
  readonly functionArn: string;
  readonly role: ServiceRole;
  readonly logGroup: EncryptedLogGroup;
  readonly deadLetterQueue: DeadLetterQueue;
  /** Base64 SHA-256 of the deployment archive, as Lambda reports it (CodeSha256). */
  readonly codeSha256: string;
  private readonly function: LambdaFunction;
  private readonly accountId: string;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.functionName = props.functionName;
    this.accountId = props.account.accountId;
    this.role = new ServiceRole(this, "role", {
      roleName: props.functionName,
      description: `Execution role of the ${props.functionName} Lambda handler`,
      servicePrincipal: "lambda.amazonaws.com",
      account: props.account,
    });
    this.logGroup = props.logGroups.create({ purpose: `lambda/${id}` });
    this.deadLetterQueue = new DeadLetterQueue(this, "dead-letters", {
      queueName: `${props.functionName}-dead-letters`,
      key: props.operationsKey,
      region: props.account.region,
    });
    const code = new TerraformAsset(this, "bundle", { path: props.bundle.archive, type: AssetType.FILE });
    this.codeSha256 = Buffer.from(props.bundle.sha256, "hex").toString("base64");

    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: props.description,
      role: this.role.roleArn,
      runtime: HANDLER_RUNTIME,
      architectures: [HANDLER_ARCHITECTURE],
      handler: props.bundle.handler,
      filename: code.path,
      // Lambda reports the same digest as CodeSha256: what runs can be checked against this plan.
      sourceCodeHash: this.codeSha256,
      memorySize: props.memorySizeMb,
      timeout: props.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency,
      kmsKeyArn: props.operationsKey.keyArn,
      environment: { variables: { ...props.environment } },
      vpcConfig: { subnetIds: [...props.network.subnetIds], securityGroupIds: [...props.network.securityGroupIds] },
      deadLetterConfig: { targetArn: this.deadLetterQueue.queueArn },
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.logGroupName, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      // Creating a VPC function already needs the ENI permissions, and its first log line needs the log
      // group (Lambda would otherwise try to create an unencrypted one).
      dependsOn: [resourceOf(this.logGroup, "group"), resourceOf(this.role, "permissions")],
    });
    this.functionArn = this.function.arn;

    new LambdaFunctionEventInvokeConfig(this, "async-invocation", {
      functionName: this.function.functionName,
      maximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
      maximumEventAgeInSeconds: MAXIMUM_EVENT_AGE_SECONDS,
    });

    this.grantBaseline(props);
  }

  /**
   * Lets `servicePrincipal` invoke the function on behalf of `sourceArn` only (a rule, a schedule):
   * without a source ARN any resource of that service, in any account, could invoke it.
   */
  allowInvocation(id: string, servicePrincipal: string, sourceArn: string): void {
    new LambdaPermission(this, `invoked-by-${id}`, {
      functionName: this.function.functionName,
      action: "lambda:InvokeFunction",
      principal: servicePrincipal,
      sourceArn,
      sourceAccount: this.accountId,
      statementId: `InvokedBy${sidFragment(id)}`,
    });
  }

  /** Invoke this function (e.g. a schedule's role). */
  grantInvoke(policy: PolicyDocument): void {
    policy.addStatement({ sid: `Invoke${sidFragment(this.node.id)}`, actions: ["lambda:InvokeFunction"], resources: [this.functionArn] });
  }

  private grantBaseline(props: PipelineFunctionProps): void {
    const policy = this.role.policy;
    const { account } = props;
    // Lambda itself writes the function's logs with the execution role's permissions.
    policy.addStatement({
      sid: "WriteFunctionLogs",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
    });
    // What AWSLambdaVPCAccessExecutionRole grants, scoped to this account and region, and for
    // creation to the platform's subnets and security group.
    policy.addStatement({
      sid: "ManageVpcNetworkInterfaces",
      actions: ["ec2:CreateNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      resources: [
        regionalArn(account, "ec2", "network-interface/*"),
        ...props.network.subnetIds.map((subnetId) => regionalArn(account, "ec2", `subnet/${subnetId}`)),
        ...props.network.securityGroupIds.map((groupId) => regionalArn(account, "ec2", `security-group/${groupId}`)),
      ],
    });
    // Deleting only interfaces in the platform's subnets (the ones made for the function), not any of the account's.
    policy.addStatement({
      sid: "DeleteVpcNetworkInterfaces",
      actions: ["ec2:DeleteNetworkInterface"],
      resources: [regionalArn(account, "ec2", "network-interface/*")],
      conditions: [
        {
          test: "ArnEquals",
          variable: "ec2:Subnet",
          values: props.network.subnetIds.map((subnetId) => regionalArn(account, "ec2", `subnet/${subnetId}`)),
        },
      ],
    });
    policy.addStatement({
      sid: "DescribeVpcNetwork",
      actions: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
      resources: ["*"],
    });
    policy.addStatement({ sid: "WriteTraces", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] });
    // The environment is decrypted at cold start with the execution role; KMS sees the function name
    // as encryption context, so this grant cannot decrypt anything else under the key.
    policy.addStatement({
      sid: "DecryptFunctionEnvironment",
      actions: ["kms:Decrypt"],
      resources: [props.operationsKey.keyArn],
      conditions: [{ test: "StringEquals", variable: "kms:EncryptionContext:LambdaFunctionName", values: [props.functionName] }],
    });
    this.deadLetterQueue.grantSend(policy);
  }
}

/** The Terraform resource `childId` inside a module construct, for an explicit depends_on. */
function resourceOf(construct: Construct, childId: string): TerraformResource {
  const child = construct.node.tryFindChild(childId);
  if (!(child instanceof TerraformResource)) throw new Error(`${construct.node.path} has no resource "${childId}"`);
  return child;
}
