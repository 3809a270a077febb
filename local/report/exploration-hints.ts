/** What to try against the still-running local environment (`npm start -- --keep-running`). */
import { EMULATOR_CREDENTIALS } from "../emulator/emulator";
import type { AwsCredentials } from "../emulator/iam-enforcement";
import type { RunSummary } from "./run-summary";

/**
 * Where the still-running environment answers (the local platform's service front), its bucket names by tier, and the
 * local deployer's keys (IAM is enforced: the emulator's dummy credentials are refused).
 */
export interface ExplorationTarget {
  readonly front: { readonly endpoint: string };
  /** PEM of the loopback certificate the front serves TLS with: the CA its clients are given (--ca-bundle). */
  readonly emulator: { readonly certificate: string };
  readonly buckets: Readonly<Record<string, string>>;
  readonly deployer: AwsCredentials;
}

export function explorationHints(platform: ExplorationTarget, summary: RunSummary): string {
  const endpoint = platform.front.endpoint;
  const trust = `--ca-bundle ${platform.emulator.certificate}`;
  const aws = `aws --endpoint-url ${endpoint} ${trust}`;
  const sentinel = `npx sentinel --endpoint-url ${endpoint} ${trust}`;
  const lineageBucket = platform.buckets["lineage-audit"] ?? "<lineage bucket>";
  const glue = summary.jobs.find((job) => job.service === "glue");
  const databrew = summary.jobs.find((job) => job.service === "databrew");
  const auditGroup = summary.audit[0]?.logGroup;
  const lines = [
    "",
    `The local environment is still running at ${endpoint} (Ctrl-C stops it).`,
    "  # the local deployer (allowed everything; keys of this emulator only, docs/security-model.md):",
    `  export AWS_ACCESS_KEY_ID=${platform.deployer.accessKeyId} AWS_SECRET_ACCESS_KEY=${platform.deployer.secretAccessKey} AWS_DEFAULT_REGION=${EMULATOR_CREDENTIALS.region}`,
    `  ${aws} s3 ls`,
    ...(summary.processed === undefined ? [] : [`  ${aws} s3 ls ${summary.processed.uri} --recursive`]),
    ...(glue === undefined ? [] : [`  ${aws} glue get-job-run --job-name ${glue.jobName} --run-id ${glue.runId}`]),
    ...(databrew === undefined ? [] : [`  ${aws} databrew describe-job-run --name ${databrew.jobName} --run-id ${databrew.runId}`]),
    `  ${sentinel} lineage list --bucket ${lineageBucket}`,
    `  ${sentinel} lineage graph --bucket ${lineageBucket}`,
    ...(summary.pipelineRunId === "" || auditGroup === undefined
      ? []
      : [
          `  ${sentinel} lineage show ${summary.pipelineRunId} --bucket ${lineageBucket}`,
          `  ${sentinel} audit verify --run-id ${summary.pipelineRunId} --log-group ${auditGroup} --bucket ${lineageBucket}`,
          `  ${aws} logs get-log-events --log-group-name ${auditGroup} --log-stream-name ${summary.pipelineRunId}`,
        ]),
    "",
  ];
  return lines.join("\n");
}
