/**
 * The local platform a pipeline run happens on: the emulator with the `local` environment applied by
 * Terraform, the local Glue and DataBrew services in front of it, the deployed Lambda functions running
 * locally, the event bus routing job state changes by the deployed rules, and the saved state of earlier
 * runs loaded back. stop() tears it all down (the emulator also dies with this process).
 *
 * IAM is enforced once the stack is applied (../emulator/role-sessions.ts): every handler, the Glue job's
 * driver and the DataBrew stand-in run with credentials from sts:AssumeRole of the role Terraform created for
 * them, the auditor's and data scientist's reads with those of their consumer roles; the harness itself (what
 * the data producer and the AWS services do) uses the local deployer, and what the bucket policies let only the
 * deployment pipeline do (the tokenization key under keys/) it does as the environment's deployer role.
 *
 * The platform's bucket policies are applied and hold for every request: everything reaches the emulator over TLS
 * (the service front too), and the components that run inside the VPC on AWS (the Glue job through its connection, the
 * handlers through their vpc_config) reach S3 through the listener of their VPC's S3 gateway endpoint, so their
 * requests carry aws:SourceVpce (../emulator/s3-gateway-endpoints.ts).
 */
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { S3Client } from "@aws-sdk/client-s3";
import { EC2Client } from "@aws-sdk/client-ec2";
import { GetConnectionCommand, GetJobCommand, type GlueClient, type Job } from "@aws-sdk/client-glue";
import { join } from "node:path";
import { readStackOutputs } from "../../contracts/stack-outputs";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../emulator/emulator";
import { assumeRole, type AwsCredentials } from "../emulator/iam-enforcement";
import { LOCAL_DEPLOYER, enforceRolesOfAppliedStack } from "../emulator/role-sessions";
import { deployerRoleArn } from "../emulator/emulator-deployer";
import { loopbackTls } from "../emulator/loopback-tls";
import { S3GatewayEndpoints } from "../emulator/s3-gateway-endpoints";
import { OUT_DIR } from "../../tools/terraform/session";
import { findStack } from "../../tools/terraform/stacks";
import { provisionLocalEnvironment, type LocalEnvironment } from "../../tools/terraform/provision-local";
import { loadDataBrewDefinitions } from "../databrew/databrew-definitions";
import { executeProfileRun } from "../databrew/profile-job-execution";
import { EnvironmentStore, type StoreTransfer } from "../environment/environment-store";
import { stateWriters } from "../environment/state-writers";
import { deployedObjects } from "../environment/local-deployment";
import { jobStateChangeEvent } from "../events/job-state-events";
import { LocalEventBus } from "../events/local-event-bus";
import { PutEventsApi } from "../services/put-events-api";
import { executeGlueRun } from "../glue/glue-job-execution";
import { FunctionHost } from "../lambda/function-host";
import { DataBrewApi } from "../services/databrew-api";
import { GlueRunApi } from "../services/glue-api";
import { JobRuns } from "../job-runs/job-runs";
import { LocalJobRunner } from "./local-job-runner";
import { startServiceFront, type ServiceFront } from "../services/service-front";
import { localClients, type LocalClients } from "../emulator/local-clients";
import type { ComponentWatch } from "../watch/component-watch";
import type { Progress } from "./progress";
import type { DeliverySummary } from "../report/run-summary";

/** Where the deliveries of job state-change events go: the run in progress listens. */
export class DeliveryLog {
  private listener: ((delivery: DeliverySummary) => void) | undefined;

  /** Starts recording for a run; returns the list the run's deliveries are appended to. */
  begin(onDelivery: (delivery: DeliverySummary) => void): DeliverySummary[] {
    const deliveries: DeliverySummary[] = [];
    this.listener = (delivery) => {
      deliveries.push(delivery);
      onDelivery(delivery);
    };
    return deliveries;
  }

  record(delivery: DeliverySummary): void {
    this.listener?.(delivery);
  }
}

/** Steps startLocalPlatform reports: emulator, provisioning, IAM enforcement, saved state. */
export const PLATFORM_STEPS = 4;

/** The consumer roles whose reads the run makes (stack output consumer_role_arns). */
export type ConsumerRole = "auditor" | "data-scientist";

export interface LocalPlatformOptions {
  readonly projectRoot: string;
  /** Saved state between runs (.sentinel/local). */
  readonly stateDir: string;
  /** Synthesize before applying (default true). */
  readonly synth?: boolean;
  /**
   * Ends the run at once when the emulator, a Spark driver or a Lambda execution environment dies.
   * @default none: components are not watched
   */
  readonly watch?: ComponentWatch;
  /** Applies the local environment to the emulator (default: Terraform, provisionLocalEnvironment). */
  readonly provision?: (emulator: Emulator, options: { readonly synth: boolean }) => Promise<LocalEnvironment>;
}

export interface LocalPlatform {
  readonly projectRoot: string;
  readonly emulator: Emulator;
  /** The endpoint everything uses: local Glue job runs and DataBrew, the emulator for the rest. */
  readonly front: ServiceFront;
  readonly clients: LocalClients;
  readonly environment: LocalEnvironment;
  readonly scope: { readonly account: string; readonly region: string };
  readonly runs: JobRuns;
  readonly runner: LocalJobRunner;
  readonly bus: LocalEventBus;
  readonly deliveries: DeliveryLog;
  readonly functions: FunctionHost;
  readonly store: EnvironmentStore;
  /** Objects Terraform deployed (bucket/key): never overwritten by restored state, never saved. */
  readonly managedObjects: ReadonlySet<string>;
  readonly buckets: Readonly<Record<string, string>>;
  /** Where per-run files go (driver logs, unpacked functions). */
  readonly workDir: string;
  readonly restored: StoreTransfer;
  /** The local deployer's keys: the harness's identity once IAM is enforced. */
  readonly deployer: AwsCredentials;
  /**
   * The client the state save reads every bucket with: the local deployer through the Glue job's VPC endpoint (the save
   * stands in for S3 keeping objects between runs; the raw and artifacts buckets admit object reads only from the VPC).
   */
  readonly stateReader: S3Client;
  /** Clients of the environment's deployer role (assumed by the local deployer): what only the deployment pipeline may write. */
  readonly deployerRole: LocalClients;
  /** Credentials of a consumer role (sts:AssumeRole), for the auditor's and data scientist's reads. */
  consumerCredentials(role: ConsumerRole): Promise<AwsCredentials>;
  stop(): Promise<void>;
}

/** S3 and CloudWatch Logs clients of one principal, straight to the emulator (S3 at `s3Endpoint`, default `endpoint`). */
function principalClients(endpoint: string, region: string, credentials: AwsCredentials, s3Endpoint: string = endpoint) {
  const config = { ...emulatorClientConfig(endpoint, region), credentials };
  const s3 = new S3Client({ ...emulatorClientConfig(s3Endpoint, region), credentials, forcePathStyle: true });
  return { s3, logs: new CloudWatchLogsClient(config) };
}

/** The subnet a Glue job runs in: its (first) connection's, as Glue places the job's network interfaces; none without one. */
async function connectionSubnet(glue: GlueClient, job: Job): Promise<string | undefined> {
  const name = job.Connections?.Connections?.[0];
  if (name === undefined) return undefined;
  const { Connection: connection } = await glue.send(new GetConnectionCommand({ Name: name }));
  return connection?.PhysicalConnectionRequirements?.SubnetId;
}

export async function startLocalPlatform(options: LocalPlatformOptions, progress: Progress): Promise<LocalPlatform> {
  const emulator = await progress.step(
    "Start the local AWS emulator",
    () => startEmulator({ projectRoot: options.projectRoot, ...(options.watch === undefined ? {} : { watch: options.watch }) }),
    (started) => started.endpoint,
  );
  const stoppers: Array<() => Promise<void>> = [() => emulator.stop()];
  const stop = async () => {
    for (const stopper of stoppers.reverse()) await stopper().catch(() => undefined);
  };
  try {
    const environment = await progress.step(
      "Provision the local environment (terraform apply of the local stack)",
      () => (options.provision ?? provisionLocalEnvironment)(emulator, { synth: options.synth ?? true }),
      (applied) =>
        `${Object.keys(applied.outputs).length} outputs${applied.excluded.length > 0 ? `, ${applied.excluded.length} resource(s) excluded (docs/environments.md)` : ""}`,
    );
    const {
      bucket_names: buckets,
      audit_log_group_name: auditLogGroup,
      consumer_role_arns: consumerRoles,
      glue_job_name: glueJobName,
    } = readStackOutputs(environment.outputs, ["bucket_names", "audit_log_group_name", "consumer_role_arns", "glue_job_name"]);
    const region = EMULATOR_CREDENTIALS.region;
    const enforced = await progress.step(
      "Enforce IAM: each component on its own role (sts:AssumeRole)",
      () => enforceRolesOfAppliedStack(emulator.endpoint, region),
      (roles) => `${roles.roles.length} roles; the harness is ${LOCAL_DEPLOYER}`,
    );
    const harness = enforced.deployer;
    const roleCredentials = enforced.credentialsOf;
    const direct = localClients(emulator.tlsEndpoint, region, harness);
    const account = (await direct.sts.send(new GetCallerIdentityCommand({}))).Account ?? "000000000000";
    const managedObjects = await deployedObjects(direct.s3, buckets);

    const runs = new JobRuns();
    const glueApi = new GlueRunApi(runs, async (name): Promise<Job | undefined> => {
      try {
        return (await direct.glue.send(new GetJobCommand({ JobName: name }))).Job;
      } catch (error) {
        if ((error as { name?: string }).name === "EntityNotFoundException") return undefined;
        throw error;
      }
    });
    const databrewApi = new DataBrewApi(runs, () =>
      loadDataBrewDefinitions(direct.cloudformation, { region, accountId: account, partition: "aws" }),
    );
    const putEvents = new PutEventsApi();
    const tls = loopbackTls();
    const front = await startServiceFront(emulator.tlsEndpoint, tls, glueApi, databrewApi, putEvents);
    stoppers.push(() => front.close());
    const clients = localClients(front.endpoint, region, harness);
    const gateways = new S3GatewayEndpoints(
      new EC2Client({ ...emulatorClientConfig(emulator.tlsEndpoint, region), credentials: harness }),
      emulator,
      region,
    );
    /** A Glue job's credentials (its role's) and where its S3 requests go (its connection's VPC endpoint, if any). */
    const jobPrincipal = async (job: Job) => {
      if (job.Role === undefined) throw new Error(`Glue job ${job.Name} has no Role`);
      const subnet = await connectionSubnet(direct.glue, job);
      const s3Endpoint = (subnet === undefined ? undefined : await gateways.forSubnet(subnet)) ?? emulator.tlsEndpoint;
      return { credentials: await roleCredentials(job.Role), s3Endpoint };
    };
    const roleArn = deployerRoleArn("local", account);
    if (roleArn === undefined) throw new Error("the local environment names no deployer role (stacks/config)");
    const deployerRole = localClients(
      front.endpoint,
      region,
      await assumeRole(emulator.endpoint, region, harness, roleArn, "local-deployment"),
    );
    const workDir = join(options.stateDir, "work");
    const functions = new FunctionHost({
      lambda: clients.lambda,
      logs: clients.logs,
      stackDir: findStack(OUT_DIR, "local").dir,
      workDir: join(workDir, "lambda"),
      endpoint: front.endpoint,
      certificate: tls.certificate,
      s3Endpoint: async (fn) => (fn.subnetIds[0] === undefined ? undefined : gateways.forSubnet(fn.subnetIds[0])),
      region,
      credentials: roleCredentials,
      ...(options.watch === undefined ? {} : { watch: options.watch }),
    });
    stoppers.push(() => functions.close());
    const runner = new LocalJobRunner(runs, glueApi, databrewApi, {
      glue: async (run, job, effective) => {
        const { credentials, s3Endpoint } = await jobPrincipal(job);
        return executeGlueRun(run, job, effective, {
          projectRoot: options.projectRoot,
          emulatorEndpoint: emulator.tlsEndpoint,
          s3Endpoint,
          region,
          credentials,
          ...principalClients(emulator.tlsEndpoint, region, credentials, s3Endpoint),
          workDir: join(workDir, "glue", run.runId),
          ...(options.watch === undefined ? {} : { watch: options.watch }),
        });
      },
      databrew: async (run, job, dataset) =>
        executeProfileRun(run, job, dataset, principalClients(emulator.tlsEndpoint, region, await roleCredentials(job.RoleArn))),
    });
    const bus = new LocalEventBus(clients.events, functions);
    putEvents.connect(bus, { account, region });
    const deliveries = new DeliveryLog();
    // Glue and DataBrew announce every state change to EventBridge; the bus delivers it by the deployed rules
    runs.onStateChange(async (run) => {
      const event = jobStateChangeEvent(run, { account, region });
      for (const delivery of await bus.put(event)) {
        deliveries.record({
          event: `${event["detail-type"]} ${run.state}`,
          rule: delivery.rule,
          functionName: delivery.functionArn.split(":").pop() ?? delivery.functionArn,
          attempts: delivery.attempts,
          ...(delivery.error === undefined ? {} : { error: delivery.error }),
        });
      }
    });
    const store = new EnvironmentStore(options.stateDir);
    const etlJob = (await direct.glue.send(new GetJobCommand({ JobName: glueJobName }))).Job;
    if (etlJob === undefined) throw new Error(`the Glue job ${glueJobName} is not deployed`);
    const job = await jobPrincipal(etlJob);
    const stateReader = new S3Client({ ...emulatorClientConfig(job.s3Endpoint, region), credentials: harness, forcePathStyle: true });
    const platform = {
      projectRoot: options.projectRoot,
      emulator,
      front,
      clients,
      environment,
      scope: { account, region },
      runs,
      runner,
      bus,
      deliveries,
      functions,
      store,
      managedObjects,
      buckets,
      workDir,
      deployer: harness,
      deployerRole,
      stateReader,
      consumerCredentials: (role: ConsumerRole) => roleCredentials(consumerRoles[role]),
      stop,
    };
    const restored = await progress.step(
      "Load the state of earlier runs (.sentinel/local)",
      async () => {
        const jobS3 = new S3Client({ ...emulatorClientConfig(job.s3Endpoint, region), credentials: job.credentials, forcePathStyle: true });
        const writerOf = stateWriters({ harness: clients.s3, deployerRole: deployerRole.s3, job: jobS3 });
        return store.restore(writerOf, clients.logs, buckets, managedObjects, auditLogGroup);
      },
      (transfer) =>
        transfer.objects === 0
          ? "none saved yet (first run)"
          : `${transfer.objects} objects (${(transfer.bytes / 1e6).toFixed(1)} MB), ${transfer.logEvents} audit events`,
    );
    return { ...platform, restored };
  } catch (error) {
    await stop();
    throw error;
  }
}
