/**
 * What the local pipeline needs to know about the applied `local` environment, read from the deployment
 * itself rather than from constants: bucket names and the data key from the stack's outputs, the trigger
 * function from the profile's schedule target (so the run is started by the function the schedule would
 * invoke), and the trigger's configuration from that function's environment, validated with the
 * trigger's own schema. Outputs are read through their one type, contracts/stack-outputs.ts. Everything else (Glue job, DataBrew job, catalog, audit log group, run layout)
 * follows from that configuration.
 */
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { GetScheduleCommand, ListSchedulesCommand, type SchedulerClient } from "@aws-sdk/client-scheduler";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { readStackOutputs } from "../../contracts/stack-outputs";
import { loadConfig } from "../../handlers/shared/config";
import { triggerHandlerEnvironment, type TriggerConfig } from "../../handlers/trigger/config";
import { describeFunction, type DeployedFunction } from "../lambda/function-host";

export interface LocalDeployment {
  /** Bucket name per tier (stack output `bucket_names`). */
  readonly buckets: Readonly<Record<string, string>>;
  /** The dedicated tokenization key (stack output `kms_key_arns.tokenization`): wraps the tokenization data key. */
  readonly tokenizationKeyArn: string;
  /** The function the profile's schedule invokes. */
  readonly trigger: DeployedFunction;
  readonly triggerConfig: TriggerConfig;
  /** Objects Terraform uploaded (bucket/key), never overwritten or saved by the local store. */
  readonly managedObjects: ReadonlySet<string>;
}

export class DeploymentError extends Error {
  override readonly name = "DeploymentError";
}

/** The ARN of the Lambda function the schedule of `profile` invokes. */
export async function scheduledTrigger(scheduler: SchedulerClient, profile: string): Promise<string> {
  const targets: Array<{ profile: unknown; arn: string | undefined }> = [];
  let token: string | undefined;
  do {
    const page = await scheduler.send(new ListSchedulesCommand({ NextToken: token }));
    for (const summary of page.Schedules ?? []) {
      const schedule = await scheduler.send(new GetScheduleCommand({ Name: summary.Name, GroupName: summary.GroupName }));
      let input: { profile?: unknown } = {};
      try {
        input = JSON.parse(schedule.Target?.Input ?? "{}") as { profile?: unknown };
      } catch {
        // a schedule with a non-JSON input is not one of the pipeline's
      }
      targets.push({ profile: input.profile, arn: schedule.Target?.Arn });
    }
    token = page.NextToken;
  } while (token !== undefined);
  const match = targets.find((target) => target.profile === profile && target.arn?.includes(":lambda:"));
  if (match?.arn === undefined) {
    const scheduled = targets.map((target) => String(target.profile)).join(", ") || "none";
    throw new DeploymentError(`no schedule of the local environment starts profile "${profile}" (scheduled profiles: ${scheduled})`);
  }
  return match.arn;
}

/** Every object in the environment's buckets right after apply: what Terraform deployed. */
export async function deployedObjects(s3: S3Client, buckets: Readonly<Record<string, string>>): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const bucket of Object.values(buckets)) {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const object of page.Contents ?? []) keys.add(`${bucket}/${object.Key as string}`);
      token = page.NextContinuationToken;
    } while (token !== undefined);
  }
  return keys;
}

export async function discoverDeployment(
  outputs: Readonly<Record<string, unknown>>,
  clients: { readonly lambda: LambdaClient; readonly scheduler: SchedulerClient; readonly s3: S3Client },
  profile: string,
): Promise<LocalDeployment> {
  const { bucket_names: buckets, kms_key_arns: keys } = readStackOutputs(outputs, ["bucket_names", "kms_key_arns"]);
  const trigger = await describeFunction(clients.lambda, await scheduledTrigger(clients.scheduler, profile));
  const triggerConfig = loadConfig(triggerHandlerEnvironment, trigger.environment, `deployed trigger function ${trigger.name}`);
  return {
    buckets,
    tokenizationKeyArn: keys.tokenization,
    trigger,
    triggerConfig,
    managedObjects: await deployedObjects(clients.s3, buckets),
  };
}
