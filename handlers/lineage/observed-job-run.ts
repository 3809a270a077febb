/**
 * What the lineage handler learns about a job run from the service itself (the event only names it):
 * Glue GetJobRun + GetJob + the script object's version; DataBrew DescribeJobRun + DescribeDataset.
 */
import { DescribeDatasetCommand, DescribeJobRunCommand, type DataBrewClient } from "@aws-sdk/client-databrew";
import { GetJobCommand, GetJobRunCommand, type GlueClient } from "@aws-sdk/client-glue";
import type { S3Client } from "@aws-sdk/client-s3";
import { describeObject } from "../shared/object-store";
import { formatS3Uri, isS3Uri, parseS3Uri } from "../shared/s3-uri";

export interface ObservedJobRun {
  readonly service: "glue" | "databrew";
  readonly jobName: string;
  readonly jobRunId: string;
  readonly startedOn: Date | undefined;
  readonly completedOn: Date | undefined;
  readonly errorMessage: string | undefined;
  readonly engine: { readonly name: string; readonly version: string };
  /** Glue job run arguments (the trigger's contract: locations and flags, no secrets); empty for DataBrew */
  readonly arguments: Readonly<Record<string, string>>;
  /** the code that ran: the Glue script object and its S3 version (or ETag) */
  readonly sourceCode: { readonly url: string; readonly version: string | undefined } | undefined;
  /** S3 URIs the run read, as far as the service reports them */
  readonly inputUris: readonly string[];
  /** S3 URIs the run wrote, by role */
  readonly outputs: readonly DatasetOutput[];
  readonly datasetName: string | undefined;
}

export interface DatasetOutput {
  readonly role: "processed" | "quarantine" | "profile";
  readonly uri: string;
}

export async function observeGlueJobRun(glue: GlueClient, s3: S3Client, jobName: string, jobRunId: string): Promise<ObservedJobRun> {
  const [{ JobRun: run }, { Job: job }] = await Promise.all([
    glue.send(new GetJobRunCommand({ JobName: jobName, RunId: jobRunId })),
    glue.send(new GetJobCommand({ JobName: jobName })),
  ]);
  if (run === undefined) throw new Error(`Glue GetJobRun ${jobName}/${jobRunId} returned no run`);
  const args = run.Arguments ?? {};
  const scriptLocation = job?.Command?.ScriptLocation;
  let sourceCode: ObservedJobRun["sourceCode"];
  if (scriptLocation !== undefined && isS3Uri(scriptLocation)) {
    const script = parseS3Uri(scriptLocation);
    const object = await describeObject(s3, script.bucket, script.key);
    sourceCode = { url: scriptLocation, version: object?.versionId ?? object?.etag?.replaceAll('"', "") };
  }
  const s3Argument = (name: string) => (args[name] !== undefined && isS3Uri(args[name]) ? [args[name]] : []);
  return {
    service: "glue",
    jobName,
    jobRunId,
    startedOn: run.StartedOn,
    completedOn: run.CompletedOn,
    errorMessage: run.ErrorMessage,
    engine: { name: "AWS Glue", version: run.GlueVersion ?? job?.GlueVersion ?? "unknown" },
    arguments: args,
    sourceCode,
    inputUris: s3Argument("--input_prefix"),
    outputs: [
      ...s3Argument("--output_location").map((uri) => ({ role: "processed" as const, uri })),
      ...s3Argument("--quarantine_location").map((uri) => ({ role: "quarantine" as const, uri })),
    ],
    datasetName: undefined,
  };
}

/** DataBrew has no engine version; the API version stands in for it. */
const DATABREW_API_VERSION = "2017-07-25";

export async function observeDataBrewJobRun(databrew: DataBrewClient, jobName: string, jobRunId: string): Promise<ObservedJobRun> {
  const run = await databrew.send(new DescribeJobRunCommand({ Name: jobName, RunId: jobRunId }));
  let inputUris: string[] = [];
  if (run.DatasetName !== undefined) {
    const dataset = await databrew.send(new DescribeDatasetCommand({ Name: run.DatasetName }));
    const s3Input = dataset.Input?.S3InputDefinition;
    if (s3Input?.Bucket !== undefined) inputUris = [formatS3Uri({ bucket: s3Input.Bucket, key: s3Input.Key ?? "" })];
  }
  const outputs = (run.Outputs ?? []).flatMap(({ Location: location }) =>
    location?.Bucket === undefined
      ? []
      : [{ role: "profile" as const, uri: formatS3Uri({ bucket: location.Bucket, key: location.Key ?? "" }) }],
  );
  return {
    service: "databrew",
    jobName,
    jobRunId,
    startedOn: run.StartedOn,
    completedOn: run.CompletedOn,
    errorMessage: run.ErrorMessage,
    engine: { name: "AWS Glue DataBrew", version: DATABREW_API_VERSION },
    arguments: {},
    sourceCode: undefined,
    inputUris,
    outputs,
    datasetName: run.DatasetName,
  };
}
