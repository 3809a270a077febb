/**
 * A local run stops at once, naming what died and during which step, when one of its components dies: the
 * local AWS emulator, the Spark driver of a Glue run, a Lambda execution environment. Each is started for
 * real here (moto server, the Glue runner's python driver, the function host's worker) and killed with
 * SIGKILL while a progress step waits on it; the step must fail with the component's name and pid, and
 * nothing may be left running.
 */
import { CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { zipSync } from "fflate";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, startEmulator, type Emulator } from "../../local/emulator/emulator";
import { executeGlueRun } from "../../local/glue/glue-job-execution";
import { FunctionHost } from "../../local/lambda/function-host";
import { ComponentExited, ComponentWatch, RunInterrupted } from "../../local/watch/component-watch";
import { localClients } from "../../local/emulator/local-clients";
import { Progress } from "../../local/run/progress";

const ROOT = resolve(import.meta.dirname, "..", "..");
const credentials = { accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: EMULATOR_CREDENTIALS.secretAccessKey };

function recordingOutput(): { write(text: string): void; readonly isTTY: false; readonly text: () => string } {
  const chunks: string[] = [];
  return { write: (text: string) => void chunks.push(text), isTTY: false, text: () => chunks.join("") };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const started: Emulator[] = [];
afterEach(async () => {
  for (const emulator of started.splice(0)) await emulator.stop();
});

/**
 * An emulator with the Glue job scripts `scripts` (job name -> Python source) deployed where Glue finds
 * them, and the run-time a Glue run executes with on this machine.
 */
async function glueDriverPlatform(scripts: Readonly<Record<string, string>>) {
  const emulator = await startEmulator({ projectRoot: ROOT });
  started.push(emulator);
  const clients = localClients(emulator.endpoint);
  await clients.s3.send(
    new CreateBucketCommand({ Bucket: "artifacts", CreateBucketConfiguration: { LocationConstraint: EMULATOR_CREDENTIALS.region } }),
  );
  for (const [name, source] of Object.entries(scripts)) {
    await clients.s3.send(new PutObjectCommand({ Bucket: "artifacts", Key: `glue/scripts/${name}.py`, Body: source }));
  }
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/aws-glue/jobs/logs-v2" }));
  const watch = new ComponentWatch();
  const runtime = {
    projectRoot: ROOT,
    emulatorEndpoint: emulator.tlsEndpoint,
    region: EMULATOR_CREDENTIALS.region,
    credentials,
    s3: clients.s3,
    logs: clients.logs,
    workDir: mkdtempSync(join(tmpdir(), "sentinel-driver-")),
    watch,
  };
  return { runtime, watch };
}

/** The job `name` whose script glueDriverPlatform deployed, with a short timeout. */
const glueJob = (name: string) => ({ Name: name, Command: { ScriptLocation: `s3://artifacts/glue/scripts/${name}.py` }, Timeout: 5 });

/** A run of job `name` that has just started. */
const glueRun = (name: string, runId: string) => ({
  service: "glue" as const,
  jobName: name,
  runId,
  arguments: {},
  startedOn: new Date(),
  state: "RUNNING" as const,
});

describe("a local run whose component dies", () => {
  it("fails the step in flight at once when the emulator is killed, naming it, its pid and the step", async () => {
    const watch = new ComponentWatch();
    const emulator = await startEmulator({ projectRoot: ROOT, watch });
    started.push(emulator);
    const [component] = watch.components;
    expect(component?.component).toBe("the local AWS emulator");
    const pid = component!.pid!;
    const out = recordingOutput();
    const progress = new Progress(out, 1, watch);
    const step = progress.step("Glue ETL job (deployed script on local Spark)", () => new Promise<never>(() => undefined));
    process.kill(pid, "SIGKILL");

    const error = await step.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ComponentExited);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^the local AWS emulator \\(pid ${pid}\\) was killed by SIGKILL during "Glue ETL job \\(deployed script on local Spark\\)" at \\d\\d:\\d\\d:\\d\\d UTC$`,
      ),
    );
    expect(out.text()).toMatch(
      /✗ \[1\/1\] Glue ETL job \(deployed script on local Spark\): the local AWS emulator \(pid \d+\) was killed by SIGKILL/,
    );
    expect(alive(pid)).toBe(false);
    expect(watch.components).toEqual([]);
  });

  it("does not count the emulator's own stop() as a death", async () => {
    const watch = new ComponentWatch();
    const emulator = await startEmulator({ projectRoot: ROOT, watch });
    await emulator.stop();
    expect(watch.error).toBeUndefined();
  });

  it("fails the Glue step when the Spark driver is killed, and leaves no driver behind", async () => {
    // a driver that comes up and works for a while, as a Spark driver does
    const { runtime, watch } = await glueDriverPlatform({ job: "import time\nprint('driver up', flush=True)\ntime.sleep(120)\n" });
    const progress = new Progress(recordingOutput(), 1, watch);
    const step = progress.step("Glue ETL job (deployed script on local Spark)", () =>
      executeGlueRun(glueRun("job", "jr_killed"), glueJob("job"), {}, runtime),
    );
    const driver = await until(() => watch.components.find((c) => c.component.startsWith("the Spark driver")), "the driver to start");
    process.kill(driver.pid!, "SIGKILL");

    const error = await step.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ComponentExited);
    expect((error as Error).message).toMatch(
      new RegExp(`^the Spark driver of Glue run jr_killed \\(pid ${driver.pid}\\) was killed by SIGKILL during "Glue ETL job`),
    );
    expect(alive(driver.pid!)).toBe(false);
  }, 120_000);

  it("lets a Spark driver that ends by itself report its run (SUCCEEDED or FAILED) without ending the run", async () => {
    const { runtime, watch } = await glueDriverPlatform({ ok: "print('done', flush=True)\n", bad: "raise SystemExit('bad input')\n" });
    const progress = new Progress(recordingOutput(), 2, watch);
    const results = [];
    for (const name of ["ok", "bad"]) {
      results.push(await progress.step(`Glue job ${name}`, () => executeGlueRun(glueRun(name, `jr_${name}`), glueJob(name), {}, runtime)));
    }
    expect(results.map((result) => result.state)).toEqual(["SUCCEEDED", "FAILED"]);
    expect(watch.error).toBeUndefined();
  }, 120_000);

  it("fails the step when a Lambda execution environment dies mid-invocation", async () => {
    const emulator = await startEmulator({ projectRoot: ROOT });
    started.push(emulator);
    const clients = localClients(emulator.endpoint);
    const stackDir = mkdtempSync(join(tmpdir(), "sentinel-stack-"));
    const code = zipSync({
      "index.mjs": new TextEncoder().encode("export const handler = () => new Promise((resolve) => setTimeout(resolve, 60_000));\n"),
    });
    mkdirSync(join(stackDir, "assets"), { recursive: true });
    writeFileSync(join(stackDir, "assets", "slow.zip"), code);
    // Lambda wants an existing role; the emulator's IAM is reached through a CloudFormation stack here
    const role = {
      Type: "AWS::IAM::Role",
      Properties: {
        RoleName: "slow",
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        },
      },
    };
    await clients.cloudformation.send(
      new CreateStackCommand({
        StackName: "slow-role",
        TemplateBody: JSON.stringify({ Resources: { Role: role }, Outputs: { Arn: { Value: { "Fn::GetAtt": ["Role", "Arn"] } } } }),
      }),
    );
    const { Stacks } = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: "slow-role" }));
    const fn = await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "slow",
        Runtime: "nodejs22.x",
        Role: Stacks?.[0]?.Outputs?.[0]?.OutputValue,
        Handler: "index.handler",
        Timeout: 90,
        Code: { ZipFile: code },
      }),
    );
    const watch = new ComponentWatch();
    const host = new FunctionHost({
      lambda: clients.lambda,
      logs: clients.logs,
      stackDir,
      workDir: join(stackDir, "work"),
      endpoint: emulator.endpoint,
      region: EMULATOR_CREDENTIALS.region,
      credentials,
      watch,
    });
    try {
      const progress = new Progress(recordingOutput(), 1, watch);
      const step = progress.step("Trigger the run (deployed function slow)", () => host.invoke(fn.FunctionArn!, {}));
      const worker = await until(
        () => watch.components.find((c) => c.component === "the Lambda execution environment of slow"),
        "the execution environment to start",
      );
      await new Promise((r) => setTimeout(r, 500));
      process.kill(worker.pid!, "SIGKILL");

      const error = await step.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ComponentExited);
      expect((error as Error).message).toMatch(
        new RegExp(`^the Lambda execution environment of slow \\(pid ${worker.pid}\\) was killed by SIGKILL during "Trigger the run`),
      );
    } finally {
      await host.close();
    }
  }, 120_000);

  it("fails the step in flight on Ctrl-C, naming the step", async () => {
    const watch = new ComponentWatch();
    const step = new Progress(recordingOutput(), 1, watch).step(
      "Provision the local environment",
      () => new Promise<never>(() => undefined),
    );
    watch.interrupt("SIGINT");
    const error = await step.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunInterrupted);
    expect((error as Error).message).toBe('interrupted by Ctrl-C (SIGINT) during "Provision the local environment"');
  });
});
