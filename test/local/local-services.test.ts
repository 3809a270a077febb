/**
 * The local Glue and DataBrew services, the job runner and the event bus against the emulator, with
 * fixture definitions created here (the end-to-end test in test/e2e/ uses the Terraform-applied stack):
 * job runs through real SDK clients pointed at the service front, a fixture Glue script that succeeds or
 * fails, a DataBrew profile job defined by a CloudFormation template, and state changes routed by
 * EventBridge rules with an input transformer.
 */
import { CloudFormationClient, CreateStackCommand } from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DataBrewClient,
  DescribeDatasetCommand,
  DescribeJobRunCommand,
  StartJobRunCommand as StartDataBrewRun,
} from "@aws-sdk/client-databrew";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateJobCommand, GetJobCommand, GetJobRunCommand, GetJobRunsCommand, GlueClient, StartJobRunCommand } from "@aws-sdk/client-glue";
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { loopbackTls } from "../../local/emulator/loopback-tls";
import { loadDataBrewDefinitions } from "../../local/databrew/databrew-definitions";
import { executeProfileRun } from "../../local/databrew/profile-job-execution";
import { jobStateChangeEvent } from "../../local/events/job-state-events";
import { LocalEventBus } from "../../local/events/local-event-bus";
import { executeGlueRun } from "../../local/glue/glue-job-execution";
import { DataBrewApi } from "../../local/services/databrew-api";
import { GlueRunApi } from "../../local/services/glue-api";
import { JobRuns } from "../../local/job-runs/job-runs";
import { LocalJobRunner } from "../../local/run/local-job-runner";
import { startServiceFront, type ServiceFront } from "../../local/services/service-front";

const ROOT = resolve(import.meta.dirname, "..", "..");
const REGION = EMULATOR_CREDENTIALS.region;
const credentials = { accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey };
// the emulator's listeners and the front serve TLS with the loopback certificate, which these clients trust
const config = (endpoint: string) => ({ ...emulatorClientConfig(endpoint, REGION), credentials });

const SCRIPT = `
import sys
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
print("job", args["--JOB_NAME"], "run", args["--JOB_RUN_ID"], "mode", args["--mode"])
assert "--TempDir" not in args, "runtime-only parameters are not passed to the script"
if args["--mode"] == "fail":
    raise ValueError("input file has no header")
`;

const TEMPLATE = {
  Parameters: { RawBucketName: { Type: "String" }, RoleArn: { Type: "String" } },
  Resources: {
    Dataset: {
      Type: "AWS::DataBrew::Dataset",
      Properties: {
        Name: "fixture-landing",
        Format: "CSV",
        Input: { S3InputDefinition: { Bucket: { Ref: "RawBucketName" }, Key: "landing/fixture/run_date={run_date}/" } },
        PathOptions: {
          Parameters: [
            {
              PathParameterName: "run_date",
              DatasetParameter: { Name: "run_date", Type: "Datetime", DatetimeOptions: { Format: "yyyy-MM-dd" } },
            },
          ],
          FilesLimit: { MaxFiles: 1, OrderedBy: "LAST_MODIFIED_DATE", Order: "DESCENDING" },
        },
      },
    },
    Job: {
      Type: "AWS::DataBrew::Job",
      Properties: {
        Name: "fixture-pii-profile",
        Type: "PROFILE",
        DatasetName: { Ref: "Dataset" },
        RoleArn: { Ref: "RoleArn" },
        OutputLocation: { Bucket: { Ref: "RawBucketName" }, Key: "pii-profiles/fixture/" },
        ProfileConfiguration: { EntityDetectorConfiguration: { EntityTypes: ["EMAIL", "CREDIT_CARD", "PERSON_NAME"] } },
        JobSample: { Mode: "CUSTOM_ROWS", Size: 1000 },
      },
    },
  },
};

describe("local Glue and DataBrew services", () => {
  let emulator: Emulator;
  let front: ServiceFront;
  let runs: JobRuns;
  let runner: LocalJobRunner;
  let databrewApi: DataBrewApi;
  const invocations: Array<{ arn: string; payload: unknown }> = [];
  let glue: GlueClient;
  let s3: S3Client;

  beforeAll(async () => {
    emulator = await startEmulator({ projectRoot: ROOT });
    const direct = {
      s3: new S3Client({ ...config(emulator.endpoint), forcePathStyle: true }),
      glue: new GlueClient(config(emulator.endpoint)),
    };
    for (const bucket of ["artifacts", "raw"])
      await direct.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await direct.s3.send(new PutObjectCommand({ Bucket: "artifacts", Key: "scripts/job.py", Body: SCRIPT }));
    await direct.s3.send(
      new PutObjectCommand({
        Bucket: "raw",
        Key: "landing/fixture/run_date=2026-01-02/in.csv",
        Body: "id,email,card,name\n1,a@b.example,4111111111111111,Ivan\n2,c@d.example,5555555555554444,Dora\n",
      }),
    );
    await direct.glue.send(
      new CreateJobCommand({
        Name: "fixture-etl",
        Role: "arn:aws:iam::123456789012:role/glue",
        GlueVersion: "5.0",
        WorkerType: "G.1X",
        NumberOfWorkers: 2,
        Command: { Name: "glueetl", ScriptLocation: "s3://artifacts/scripts/job.py" },
        DefaultArguments: { "--mode": "ok", "--TempDir": "s3://artifacts/temp/" },
        ExecutionProperty: { MaxConcurrentRuns: 1 },
      }),
    );
    await new CloudFormationClient(config(emulator.endpoint)).send(
      new CreateStackCommand({
        StackName: "fixture-pii-profiling",
        TemplateBody: JSON.stringify(TEMPLATE),
        Parameters: [
          { ParameterKey: "RawBucketName", ParameterValue: "raw" },
          { ParameterKey: "RoleArn", ParameterValue: "arn:aws:iam::123456789012:role/databrew" },
        ],
      }),
    );
    const events = new EventBridgeClient(config(emulator.endpoint));
    await events.send(
      new PutRuleCommand({
        Name: "glue-failed",
        EventPattern: JSON.stringify({ source: ["aws.glue"], detail: { state: ["FAILED"] } }),
        State: "ENABLED",
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "glue-failed",
        Targets: [
          {
            Id: "audit",
            Arn: "arn:aws:lambda:eu-central-2:123456789012:function:audit",
            InputTransformer: { InputPathsMap: { run: "$.detail.jobRunId" }, InputTemplate: '{"run_id":"<run>"}' },
          },
        ],
      }),
    );

    runs = new JobRuns();
    const glueApi = new GlueRunApi(runs, async (name) => (await direct.glue.send(new GetJobCommand({ JobName: name }))).Job);
    databrewApi = new DataBrewApi(runs, () =>
      loadDataBrewDefinitions(new CloudFormationClient(config(emulator.endpoint)), {
        region: REGION,
        accountId: "123456789012",
        partition: "aws",
      }),
    );
    front = await startServiceFront(emulator.tlsEndpoint, loopbackTls(), glueApi, databrewApi);
    const logs = new CloudWatchLogsClient(config(emulator.endpoint));
    const workDir = mkdtempSync(join(tmpdir(), "sentinel-local-services-"));
    runner = new LocalJobRunner(runs, glueApi, databrewApi, {
      glue: (run, job, effective) =>
        executeGlueRun(run, job, effective, {
          projectRoot: ROOT,
          emulatorEndpoint: emulator.tlsEndpoint,
          region: REGION,
          credentials,
          s3: direct.s3,
          logs,
          workDir: join(workDir, run.runId),
        }),
      databrew: (run, job, dataset) => executeProfileRun(run, job, dataset, { s3: direct.s3, logs }),
    });
    const bus = new LocalEventBus(events, { invoke: async (arn, payload) => void invocations.push({ arn, payload }) });
    runs.onStateChange(async (run) => void (await bus.put(jobStateChangeEvent(run, { account: "123456789012", region: REGION }))));
    glue = new GlueClient(config(front.endpoint));
    s3 = new S3Client({ ...config(front.endpoint), forcePathStyle: true });
  });

  afterAll(async () => {
    await front?.close();
    await emulator?.stop();
  });

  it("forwards every other API to the emulator", async () => {
    const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name);
    expect(buckets).toEqual(expect.arrayContaining(["artifacts", "raw"]));
  });

  it("runs the deployed script with the effective arguments and reports the real outcome", async () => {
    const { JobRunId: ok } = await glue.send(new StartJobRunCommand({ JobName: "fixture-etl" }));
    expect((await glue.send(new GetJobRunCommand({ JobName: "fixture-etl", RunId: ok }))).JobRun?.JobRunState).toBe("STARTING");
    await expect(glue.send(new StartJobRunCommand({ JobName: "fixture-etl" }))).rejects.toMatchObject({
      name: "ConcurrentRunsExceededException",
    });
    await runner.run(runs.waiting()[0]!);
    const succeeded = (await glue.send(new GetJobRunCommand({ JobName: "fixture-etl", RunId: ok }))).JobRun;
    expect(succeeded).toMatchObject({ JobRunState: "SUCCEEDED", GlueVersion: "5.0", NumberOfWorkers: 2 });
    expect(succeeded?.CompletedOn).toBeInstanceOf(Date);

    const { JobRunId: failing } = await glue.send(new StartJobRunCommand({ JobName: "fixture-etl", Arguments: { "--mode": "fail" } }));
    await runner.run(runs.waiting()[0]!);
    const failed = (await glue.send(new GetJobRunCommand({ JobName: "fixture-etl", RunId: failing }))).JobRun;
    expect(failed).toMatchObject({
      JobRunState: "FAILED",
      ErrorMessage: "ValueError: input file has no header",
      Arguments: { "--mode": "fail" },
    });
    expect((await glue.send(new GetJobRunsCommand({ JobName: "fixture-etl" }))).JobRuns?.map((run) => run.Id)).toEqual([failing, ok]);
    // the driver log went to Glue's continuous-logging group, in a stream named after the run
    const logged = await new CloudWatchLogsClient(config(front.endpoint)).send(
      new FilterLogEventsCommand({ logGroupName: "/aws-glue/jobs/logs-v2", logStreamNames: [failing!] }),
    );
    expect(logged.events?.some((event) => event.message?.includes("ValueError"))).toBe(true);
    // only the FAILED state matched the rule; its target got the transformed input
    expect(invocations).toEqual([{ arn: "arn:aws:lambda:eu-central-2:123456789012:function:audit", payload: { run_id: failing } }]);
  });

  it("answers DataBrew from the deployed CloudFormation template and profiles the dataset's newest file", async () => {
    const databrew = new DataBrewClient(config(front.endpoint));
    const dataset = await databrew.send(new DescribeDatasetCommand({ Name: "fixture-landing" }));
    expect(dataset.Input?.S3InputDefinition).toEqual({ Bucket: "raw", Key: "landing/fixture/run_date={run_date}/" });
    await s3.send(new PutObjectCommand({ Bucket: "raw", Key: "landing/fixture/not-a-run-date/ignored.csv", Body: "x\n1\n" }));
    const { RunId: runId } = await databrew.send(new StartDataBrewRun({ Name: "fixture-pii-profile" }));
    await runner.run(runs.waiting()[0]!);
    const run = await databrew.send(new DescribeJobRunCommand({ Name: "fixture-pii-profile", RunId: runId }));
    expect(run).toMatchObject({ State: "SUCCEEDED", DatasetName: "fixture-landing" });
    const location = run.Outputs?.[0]?.Location;
    expect(location?.Key).toBe(`pii-profiles/fixture/fixture-pii-profile_${runId}.json`);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: location!.Bucket!, Key: location!.Key! }))).Body!.transformToString();
    const profile = JSON.parse(body) as { files: Array<{ uri: string }>; columns: Array<{ name: string; detectedEntityTypes: string[] }> };
    expect(profile.files.map((file) => file.uri)).toEqual(["s3://raw/landing/fixture/run_date=2026-01-02/in.csv"]);
    expect(Object.fromEntries(profile.columns.map((column) => [column.name, column.detectedEntityTypes]))).toEqual({
      id: [],
      email: ["EMAIL"],
      card: ["CREDIT_CARD"],
      name: ["PERSON_NAME"],
    });
    expect(body).not.toContain("a@b.example");
  });
});
