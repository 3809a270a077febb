/**
 * Which pipeline run a Glue or DataBrew job run belongs to. The trigger registers each job run it starts
 * at `job-runs/<job name>/<job run id>.json` (write-once); the lineage handler looks it up to attach
 * lineage records and audit events to the right pipeline run.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { createJsonIfAbsent, readJson } from "./object-store";

export const jobRunRegistration = z.object({
  pipeline_run_id: z.string().min(1),
  profile: z.string(),
  run_date: z.string(),
  attempt: z.number().int(),
  service: z.enum(["glue", "databrew"]),
});
export type JobRunRegistration = z.infer<typeof jobRunRegistration>;

export function jobRunRegistrationKey(jobName: string, jobRunId: string): string {
  return `job-runs/${jobName}/${jobRunId}.json`;
}

export async function registerJobRun(
  s3: S3Client,
  bucket: string,
  jobName: string,
  jobRunId: string,
  registration: JobRunRegistration,
): Promise<void> {
  await createJsonIfAbsent(s3, bucket, jobRunRegistrationKey(jobName, jobRunId), registration);
}

export async function lookupJobRun(
  s3: S3Client,
  bucket: string,
  jobName: string,
  jobRunId: string,
): Promise<JobRunRegistration | undefined> {
  const key = jobRunRegistrationKey(jobName, jobRunId);
  const stored = await readJson(s3, bucket, key);
  if (stored === undefined) return undefined;
  const parsed = jobRunRegistration.safeParse(stored.body);
  if (!parsed.success) throw new Error(`job run registration s3://${bucket}/${key} is malformed`);
  return parsed.data;
}
