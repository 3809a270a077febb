/**
 * One pipeline run on the local platform, the way it happens on AWS: the input lands in the day's
 * landing prefix, the deployed trigger function is invoked with a hand-started run event, the job runs it
 * started execute (DataBrew PII profile, then the Glue ETL on local Spark), every job state change goes
 * through the deployed EventBridge rules to the lineage and audit functions, and finally the run's audit
 * chain is verified with `sentinel audit verify`. Returns what happened, for the summary and the report.
 */
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expandTemplate } from "../../contracts/location-placeholders";
import { pipelineRunId, type RunWindow } from "../../contracts/run-identity";
import { runWindowKey } from "../../handlers/trigger/run-window-claim";
import type { TriggerResult } from "../../handlers/trigger/start-pipeline-run";
import { discoverDeployment, type LocalDeployment } from "../environment/local-deployment";
import { installWrappedKey } from "../environment/tokenization-key";
import type { ExecutedRun } from "./local-job-runner";
import type { JobService } from "../job-runs/job-runs";
import { collectRunSummary, type CollectedRun } from "./collect-summary";
import { deliverInput, prepareInput, type DeliveredInput, type InputSource } from "./input-data";
import type { LocalPlatform } from "./local-platform";
import type { Progress } from "./progress";
import type { RunSummary } from "../report/run-summary";
import { writeReport } from "../report/html-report";

export interface PipelineRequest {
  readonly profile: string;
  readonly input: InputSource;
  /** The day of data (YYYY-MM-DD); default today (UTC). */
  readonly runDate?: string;
}

/** Steps a run adds to the platform's three. */
export const PIPELINE_RUN_STEPS = 7;

/** The first attempt of the day whose run window nobody has claimed: a hand-started re-run of the day. */
async function nextAttempt(platform: LocalPlatform, bucket: string, window: Omit<RunWindow, "attempt">): Promise<number> {
  for (let attempt = 1; attempt < 100; attempt++) {
    try {
      await platform.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: runWindowKey({ ...window, attempt }) }));
    } catch (error) {
      if ((error as { name?: string }).name === "NotFound") return attempt;
      throw error;
    }
  }
  throw new Error(`run date ${window.runDate} already has 99 attempts; choose another --run-date`);
}

export interface PipelineRunResult {
  readonly summary: RunSummary;
  readonly reportPath: string;
}

export async function runPipeline(platform: LocalPlatform, request: PipelineRequest, progress: Progress): Promise<PipelineRunResult> {
  const startedAt = new Date();
  const runDate = request.runDate ?? startedAt.toISOString().slice(0, 10);
  const deliveries = platform.deliveries.begin((delivery) =>
    progress.note(
      `${delivery.event} -> ${delivery.functionName}${delivery.error === undefined ? "" : ` FAILED after ${delivery.attempts} attempts: ${delivery.error}`}`,
    ),
  );

  const { deployment, window, input } = await progress.step(
    `Prepare the ${request.profile} run: tokenization key and input`,
    async () => {
      const deployment: LocalDeployment = await discoverDeployment(platform.environment.outputs, platform.clients, request.profile);
      const config = deployment.triggerConfig;
      const base = { environment: config.SENTINEL_ENVIRONMENT, profile: request.profile, runDate };
      const window: RunWindow = { ...base, attempt: await nextAttempt(platform, config.LINEAGE_AUDIT_BUCKET, base) };
      const values = { environment: window.environment, profile: window.profile, run_date: runDate, run_id: pipelineRunId(window) };
      // as the deployment pipeline puts it on AWS: the artifacts policy lets only the deployer role write keys/
      await installWrappedKey(
        platform.deployerRole.kms,
        platform.deployerRole.s3,
        expandTemplate(config.KEY_LOCATION_TEMPLATE, values),
        deployment.tokenizationKeyArn,
        request.profile,
        platform.projectRoot,
      );
      const prepared = prepareInput(request.input, request.profile, platform.projectRoot, join(platform.store.root, "inputs"));
      const input: DeliveredInput = await deliverInput(platform.clients.s3, prepared, expandTemplate(config.INPUT_PREFIX_TEMPLATE, values));
      return { deployment, window, input };
    },
    ({ window, input }) =>
      `attempt ${window.attempt} of ${window.runDate}; ${input.generated ? "generated" : "given"} ${(input.bytes / 1e6).toFixed(1)} MB -> ${input.uri}`,
  );

  const trigger = await progress.step(
    `Trigger the run (deployed function ${deployment.trigger.name})`,
    async () =>
      (await platform.functions.invoke(deployment.trigger.arn, {
        source: "sentinel.manual",
        profile: window.profile,
        run_date: window.runDate,
        attempt: window.attempt,
      })) as TriggerResult,
    (result) =>
      result.decision === "started"
        ? `started pipeline run ${result.pipeline_run_id}`
        : `${result.decision}: ${"reason" in result ? result.reason : ""}`,
  );

  const executed: ExecutedRun[] = [];
  const runJobs = (service: JobService, title: string) =>
    progress.step(
      title,
      async () => {
        const mine = platform.runs.waiting().filter((run) => run.service === service);
        for (const run of mine) executed.push(await platform.runner.run(run));
        return mine;
      },
      (runs) =>
        runs.length === 0
          ? "no run started"
          : runs.map((run) => `${run.runId.slice(0, 12)}… ${run.state}${run.errorMessage ? ` (${run.errorMessage})` : ""}`).join("; "),
    );
  await runJobs("databrew", "DataBrew PII profile job (local profile of the landing files)");
  await runJobs("glue", "Glue ETL job (deployed script on local Spark)");

  const collected: CollectedRun = { platform, deployment, window, input, trigger, executed, deliveries, startedAt };
  const summary = await collectRunSummary(collected, progress);
  const reportPath = await progress.step(
    "Write the run report",
    async () => {
      const reports = join(platform.store.root, "reports");
      mkdirSync(reports, { recursive: true });
      const base = join(reports, `${window.runDate}-${window.profile}-attempt-${window.attempt}`);
      writeFileSync(`${base}.json`, `${JSON.stringify(summary, null, 2)}\n`);
      return writeReport(summary, `${base}.html`);
    },
    (path) => path,
  );
  return { summary, reportPath };
}
