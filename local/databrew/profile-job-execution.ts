/**
 * Executes one DataBrew PROFILE job run locally: selects the dataset's files as DataBrew would, profiles
 * the configured sample for the job's PII entity types, and writes the result under the job's output
 * location with the job's encryption, logging to the job's log group when its log subscription is on.
 * Ruleset validation (ValidationConfigurations) is not evaluated locally; the result says so.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { shipLogLines } from "../job-runs/log-shipping";
import type { JobRun } from "../job-runs/job-runs";
import type { DatasetDefinition, JobDefinition, S3Location } from "./databrew-definitions";
import { datasetFiles } from "./dataset-files";
import { DEFAULT_SAMPLE_ROWS, PiiProfiler, type PiiProfile } from "./pii-profile";

export interface ProfileRunOutcome {
  readonly state: "SUCCEEDED" | "FAILED";
  readonly errorMessage?: string;
  readonly output?: S3Location;
  readonly profile?: PiiProfile;
}

/** The result document written to S3: the profile plus what was profiled and how. */
export interface ProfileResultDocument extends PiiProfile {
  readonly jobName: string;
  readonly jobRunId: string;
  readonly datasetName: string;
  readonly generatedBy: string;
  readonly files: ReadonlyArray<{ readonly uri: string; readonly bytes: number }>;
  readonly validation: { readonly rulesetArns: readonly string[]; readonly evaluated: false };
}

function sampleSize(job: JobDefinition): number {
  if (job.JobSample?.Mode === "FULL_DATASET") return Number.POSITIVE_INFINITY;
  return job.JobSample?.Size ?? DEFAULT_SAMPLE_ROWS;
}

function outputKey(job: JobDefinition, runId: string): string {
  const prefix = job.OutputLocation?.Key ?? "";
  return `${prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`}${job.Name}_${runId}.json`;
}

export async function executeProfileRun(
  run: Readonly<JobRun>,
  job: JobDefinition,
  dataset: DatasetDefinition,
  services: { readonly s3: S3Client; readonly logs: CloudWatchLogsClient },
): Promise<ProfileRunOutcome> {
  const log: string[] = [];
  const finish = async (outcome: ProfileRunOutcome): Promise<ProfileRunOutcome> => {
    log.push(outcome.state === "SUCCEEDED" ? `run ${run.runId} succeeded` : `run ${run.runId} failed: ${outcome.errorMessage ?? ""}`);
    if (job.LogSubscription !== "DISABLE") {
      const now = Date.now();
      await shipLogLines(
        services.logs,
        `/aws-glue-databrew/jobs/${job.Name}`,
        run.runId,
        log.map((message) => ({ timestamp: now, message })),
      );
    }
    return outcome;
  };
  if (job.Type !== "PROFILE")
    return finish({
      state: "FAILED",
      errorMessage: `job ${job.Name} is a ${job.Type} job; the local DataBrew service runs PROFILE jobs only`,
    });
  if (job.OutputLocation === undefined) return finish({ state: "FAILED", errorMessage: `job ${job.Name} has no OutputLocation` });

  const files = await datasetFiles(services.s3, dataset);
  log.push(`dataset ${dataset.Name}: ${files.length} file(s) selected`);
  if (files.length === 0) {
    const input = dataset.Input.S3InputDefinition;
    return finish({
      state: "FAILED",
      errorMessage: `no files match dataset ${dataset.Name} (s3://${input?.Bucket ?? "?"}/${input?.Key ?? ""})`,
    });
  }
  const requested = job.ProfileConfiguration?.EntityDetectorConfiguration?.EntityTypes ?? [];
  const profiler = new PiiProfiler(requested, sampleSize(job));
  try {
    for (const file of files) {
      if (profiler.full) break;
      const object = await services.s3.send(new GetObjectCommand({ Bucket: file.bucket, Key: file.key }));
      await profiler.addCsv(object.Body as Readable, `s3://${file.bucket}/${file.key}`);
    }
  } catch (error) {
    return finish({ state: "FAILED", errorMessage: error instanceof Error ? error.message : String(error) });
  }
  const profile = profiler.result();
  log.push(`profiled ${profile.rowsProfiled} row(s); entity types evaluated: ${profile.entityTypes.evaluated.join(", ") || "none"}`);
  if (profile.entityTypes.notEvaluated.length > 0)
    log.push(`entity types with no local detector: ${profile.entityTypes.notEvaluated.join(", ")}`);
  for (const column of profile.columns) {
    if (column.detectedEntityTypes.length > 0) log.push(`column ${column.name}: ${column.detectedEntityTypes.join(", ")}`);
  }

  const output: S3Location = { Bucket: job.OutputLocation.Bucket, Key: outputKey(job, run.runId) };
  const document: ProfileResultDocument = {
    jobName: job.Name,
    jobRunId: run.runId,
    datasetName: dataset.Name,
    generatedBy: "Sentinel local DataBrew service (format checks; see docs/local-pipeline.md)",
    files: files.map((file) => ({ uri: `s3://${file.bucket}/${file.key}`, bytes: file.bytes })),
    ...profile,
    validation: { rulesetArns: (job.ValidationConfigurations ?? []).map((config) => config.RulesetArn), evaluated: false },
  };
  try {
    await services.s3.send(
      new PutObjectCommand({
        Bucket: output.Bucket,
        Key: output.Key,
        Body: `${JSON.stringify(document, null, 2)}\n`,
        ContentType: "application/json",
        ...(job.EncryptionMode === "SSE-KMS" ? { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: job.EncryptionKeyArn } : {}),
      }),
    );
  } catch (error) {
    // as DataBrew reports it: the run fails with the write's error (e.g. the job role's missing grant)
    return finish({
      state: "FAILED",
      errorMessage: `writing the profile to s3://${output.Bucket}/${output.Key}: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  return finish({ state: "SUCCEEDED", output, profile });
}
