/**
 * End to end, the way `npm start` runs: Terraform applies the `local` stack to a fresh emulator, a
 * generated sample (2,000 rows) lands, the deployed trigger starts the run, the DataBrew profile and the
 * deployed Glue script on local Spark execute, job state changes reach the deployed lineage and audit
 * functions through the deployed rules. Then a second emulator is started on the saved state (a second
 * `npm start`): the same input again processes 0 rows, and a corrupted file fails cleanly.
 * As in `npm start`, IAM is enforced after each apply: every handler, the Glue job, the DataBrew stand-in and the
 * auditor's verify and data scientist's read run with credentials from sts:AssumeRole of their own Terraform-created
 * role, so a pass shows the applied grants are enough at runtime (docs/security-model.md).
 *
 * Needs the Terraform toolchain (npm run tf:build). Without it this file prints a loud line and skips;
 * with SENTINEL_REQUIRE_TERRAFORM=1 it fails instead (as the Terraform tier of npm test does).
 */
import { FilterLogEventsCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetObjectCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { parse } from "csv-parse/sync";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenLineageValidator } from "../../handlers/lineage/openlineage-validator";
import { listKeys } from "../../handlers/shared/object-store";
import { LOCAL_RUN_LINEAGE_RECORDS } from "../handlers/support/lineage-fixtures";
import { EMULATOR_CREDENTIALS, emulatorClientConfig } from "../../local/emulator/emulator";
import { auditVerifyArguments } from "../../local/run/collect-summary";
import { consumerS3, sentinelAs } from "../../local/run/consumer-reads";
import { startLocalPlatform, type LocalPlatform } from "../../local/run/local-platform";
import { runPipeline, type PipelineRunResult } from "../../local/run/pipeline-run";
import { Progress } from "../../local/run/progress";
import { locateToolchain } from "../../tools/terraform/toolchain";

const ROOT = resolve(import.meta.dirname, "..", "..");
const PROFILE = "card-transactions";
const ROWS = 2_000;
const PII_COLUMNS = ["customer_id", "account_number", "email", "first_name", "last_name", "device_id"];

const toolchain = locateToolchain();
const missing = "missing" in toolchain ? toolchain.missing : [];
if (missing.length > 0) {
  const line = "!".repeat(100);
  console.log(
    `\n${line}\nLOCAL PIPELINE E2E DID NOT RUN: the Terraform toolchain is missing (${missing.join("; ")}). Build it with 'npm run tf:build'.\n${line}\n`,
  );
}
const required = process.env.SENTINEL_REQUIRE_TERRAFORM === "1";

interface Outcome {
  readonly first: PipelineRunResult;
  readonly again: PipelineRunResult;
  readonly corrupted: PipelineRunResult;
  readonly rawPii: ReadonlyMap<string, ReadonlySet<string>>;
  /** every string cell of the processed Parquet files the runs wrote */
  readonly processedStrings: ReadonlySet<string>;
  /** every log event in the emulator and every local log file, and every lineage record, as text */
  readonly logText: string;
  readonly lineageText: string;
  readonly lineage: ReadonlyArray<{ key: string; body: Record<string, unknown> }>;
  readonly objectKeys: ReadonlyMap<string, readonly string[]>;
  readonly verify: (runId: string) => Promise<{ code: number; report: string }>;
}

const quietOutput = { write: () => undefined, isTTY: false };

function processedStrings(directory: string): Set<string> {
  const script = [
    "import json, sys, pyarrow.parquet as pq, pyarrow as pa",
    "values = set()",
    "for path in sys.argv[1:]:",
    "    table = pq.read_table(path)",
    "    for name in table.column_names:",
    "        if pa.types.is_string(table.schema.field(name).type):",
    "            values.update(v for v in table.column(name).to_pylist() if v is not None)",
    "json.dump(sorted(values), sys.stdout)",
  ].join("\n");
  const files = readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".parquet"))
    .map((entry) => join(entry.parentPath, entry.name));
  const result = spawnSync(join(ROOT, ".venv", "bin", "python"), ["-c", script, ...files], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return new Set(JSON.parse(result.stdout) as string[]);
}

function localLogText(directory: string): string {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".log"))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"))
    .join("\n");
}

async function emulatorLogText(platform: LocalPlatform): Promise<string> {
  const texts: string[] = [];
  const groups = (await platform.clients.logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
  for (const group of groups) {
    let token: string | undefined;
    do {
      const page = await platform.clients.logs.send(new FilterLogEventsCommand({ logGroupName: group.logGroupName, nextToken: token }));
      texts.push(...(page.events ?? []).map((event) => event.message ?? ""));
      token = page.nextToken;
    } while (token !== undefined);
  }
  return texts.join("\n");
}

describe.skipIf(missing.length > 0 && !required)("local pipeline, end to end (Terraform-applied local stack)", () => {
  let outcome: Outcome;
  let platform: LocalPlatform | undefined;
  let stateDir: string | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "sentinel-e2e-"));
    expect(missing, "the Terraform toolchain (SENTINEL_REQUIRE_TERRAFORM=1)").toEqual([]);
    process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
    const generated = { kind: "generated", rows: ROWS, seed: 7, defectRate: 0.01 } as const;

    // first `npm start`
    const firstPlatform = await startLocalPlatform({ projectRoot: ROOT, stateDir }, new Progress(quietOutput, 10));
    let first: PipelineRunResult;
    try {
      first = await runPipeline(firstPlatform, { profile: PROFILE, input: generated }, new Progress(quietOutput, 10));
    } finally {
      await firstPlatform.stop();
    }

    // second `npm start`: a fresh emulator on the saved state; the same input, then a corrupted file
    platform = await startLocalPlatform({ projectRoot: ROOT, stateDir, synth: false }, new Progress(quietOutput, 10));
    const again = await runPipeline(platform, { profile: PROFILE, input: generated }, new Progress(quietOutput, 10));
    const corruptedFile = join(stateDir, "corrupted-delivery.csv");
    writeFileSync(
      corruptedFile,
      Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x81]), Buffer.from("transaction_id\u0000,\u0091amount\n\u0000\u00ff")]),
    );
    const corrupted = await runPipeline(
      platform,
      { profile: PROFILE, input: { kind: "file", path: corruptedFile } },
      new Progress(quietOutput, 10),
    );

    const rows = parse(readFileSync(first.summary.input.file), { columns: true }) as Array<Record<string, string>>;
    const rawPii = new Map(
      PII_COLUMNS.map((column) => [column, new Set(rows.map((row) => row[column] ?? "").filter((value) => value !== ""))]),
    );
    const config = { bucket: platform.buckets["lineage-audit"] as string };
    const lineageKeys = await listKeys(platform.clients.s3, config.bucket, "lineage/");
    const lineage = await Promise.all(
      lineageKeys.map(async (key) => ({
        key,
        body: JSON.parse(
          await (await platform!.clients.s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: key }))).Body!.transformToString(),
        ) as Record<string, unknown>,
      })),
    );
    const objectKeys = new Map<string, string[]>();
    for (const [tier, bucket] of Object.entries(platform.buckets)) objectKeys.set(tier, await listKeys(platform.clients.s3, bucket, ""));
    const logGroup = first.summary.audit[0]?.logGroup as string;
    const endpoint = platform.front.endpoint;
    const certificate = platform.emulator.certificate;
    const auditor = await platform.consumerCredentials("auditor");
    outcome = {
      first,
      again,
      corrupted,
      rawPii,
      processedStrings: processedStrings(join(stateDir, "s3", "processed")),
      logText: `${await emulatorLogText(platform)}\n${localLogText(join(stateDir, "work"))}`,
      lineageText: lineage.map((record) => JSON.stringify(record.body)).join("\n"),
      lineage,
      objectKeys,
      verify: async (runId) => {
        let report = "";
        const code = await sentinelAs(
          auditor,
          auditVerifyArguments(endpoint, certificate, EMULATOR_CREDENTIALS.region, runId, logGroup, config.bucket),
          {
            env: {},
            stdout: (text) => (report += text),
            stderr: (text) => (report += text),
          },
        );
        return { code, report };
      },
    };
  }, 900_000);

  afterAll(async () => {
    await platform?.stop();
    if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  });

  it("runs both jobs and publishes processed Parquet whose counts add up", () => {
    const { summary } = outcome.first;
    expect(summary.outcome, summary.failure).toBe("succeeded");
    expect(summary.jobs.map((job) => [job.service, job.state])).toEqual([
      ["databrew", "SUCCEEDED"],
      ["glue", "SUCCEEDED"],
    ]);
    const metrics = summary.metrics!;
    expect(metrics.rowsIn).toBe(ROWS);
    expect(metrics.rowsOut + metrics.rowsQuarantined).toBe(ROWS);
    expect(Object.values(metrics.quarantineReasons).reduce((sum, count) => sum + count, 0)).toBe(metrics.rowsQuarantined);
    expect(metrics.rowsQuarantined).toBeGreaterThan(0);
    expect(summary.processed?.files).toBeGreaterThan(0);
    expect(Object.keys(metrics.tokenizedColumns).sort()).toEqual([...PII_COLUMNS].sort());
    expect(summary.piiProfile?.columns.find((column) => column.name === "email")?.detected).toContain("EMAIL");
    // published with the job role's cloudwatch:PutMetricData grant
    expect(metrics.cloudwatch, metrics.cloudwatch?.error).toMatchObject({ published: true });
  });

  it("lets no raw PII value reach the processed output, the logs or the lineage records", () => {
    for (const [column, values] of outcome.rawPii) {
      const leakedToOutput = [...values].filter((value) => outcome.processedStrings.has(value));
      expect(leakedToOutput, `raw ${column} values in processed output`).toEqual([]);
      // identifiers and e-mails anywhere in the text; short names only as whole JSON strings
      const needles = [...values].map((value) => (value.length >= 8 ? value : `"${value}"`));
      expect(
        needles.filter((needle) => outcome.logText.includes(needle)),
        `raw ${column} values in logs`,
      ).toEqual([]);
      expect(
        needles.filter((needle) => outcome.lineageText.includes(needle)),
        `raw ${column} values in lineage`,
      ).toEqual([]);
    }
  });

  it("writes one valid OpenLineage record per job run and state", () => {
    const validator = new OpenLineageValidator();
    for (const record of outcome.lineage) expect(validator.validate(record.body).valid, record.key).toBe(true);
    const keysOf = (result: PipelineRunResult) =>
      result.summary.lineage.records.map((record) => `${record.job}:${record.eventType}`).sort();
    expect(keysOf(outcome.first)).toEqual(LOCAL_RUN_LINEAGE_RECORDS);
    const perRunAndState = new Set(outcome.lineage.map((record) => record.key.replace(/\.json$/, "")));
    expect(perRunAndState.size).toBe(outcome.lineage.length);
    const complete = outcome.first.summary.lineage.records.find(
      (record) => record.eventType === "COMPLETE" && record.job === "sentinel-local-etl",
    );
    const record = outcome.lineage.find((entry) => complete?.uri.endsWith(`/${entry.key}`));
    expect(JSON.stringify(record?.body)).toContain(`"rowsIn":${ROWS}`);
  });

  it("verifies every audit chain with sentinel audit verify", async () => {
    for (const result of [outcome.first, outcome.again, outcome.corrupted]) {
      expect(result.summary.audit.length).toBeGreaterThanOrEqual(2);
      for (const chain of result.summary.audit) {
        const { code, report } = await outcome.verify(chain.runId);
        expect(code, report).toBe(0);
        expect(report).toContain("OK: hash chain intact");
      }
    }
  });

  it("ran with IAM enforced: the dummy credentials are refused, the data scientist reads processed output but not raw", async () => {
    const live = platform!;
    // the emulator's dummy credentials, over the front's TLS (trusting its loopback certificate)
    const dummy = new S3Client({ ...emulatorClientConfig(live.front.endpoint), forcePathStyle: true });
    await expect(dummy.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: "InvalidAccessKeyId" });
    const scientist = await consumerS3(live, "data-scientist");
    const { bucket, key } = (() => {
      const uri = new URL(outcome.first.summary.input.uri);
      return { bucket: uri.host, key: uri.pathname.slice(1) };
    })();
    await expect(scientist.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).rejects.toThrow(
      /assumed-role\/sentinel-local-data-scientist\/.* is not authorized to perform: s3:GetObject/,
    );
    // the report's histogram is drawn from the data scientist's read of the run's output
    expect(outcome.first.summary.anomalyHistogram?.counts.length).toBeGreaterThan(0);
  });

  it("processes 0 rows when run again with no new input (job bookmark, across emulators)", () => {
    const { summary } = outcome.again;
    expect(summary.outcome, summary.failure).toBe("succeeded");
    expect(summary.attempt).toBe(2);
    expect(summary.metrics).toMatchObject({ rowsIn: 0, rowsOut: 0, rowsQuarantined: 0, filesSkippedByBookmark: 1 });
    const glueRun = summary.jobs.find((job) => job.service === "glue")!.runId;
    expect([...outcome.objectKeys.values()].flat().filter((key) => key.includes(glueRun) && key.endsWith(".parquet"))).toEqual([]);
  });

  it("fails a corrupted file cleanly: FAIL record, audit event, no partial output", async () => {
    const { summary } = outcome.corrupted;
    expect(summary.outcome).toBe("failed");
    const glue = summary.jobs.find((job) => job.service === "glue")!;
    expect(glue.state).toBe("FAILED");
    expect(glue.errorMessage).toContain("corrupted-delivery.csv");
    expect(
      summary.lineage.records
        .filter((record) => record.job === "sentinel-local-etl")
        .map((record) => record.eventType)
        .sort(),
    ).toEqual(["FAIL", "START"]);
    const fail = outcome.lineage.find(
      (record) =>
        record.key.includes("sentinel-local-etl") && record.key.endsWith("/FAIL.json") && JSON.stringify(record.body).includes(glue.runId),
    );
    expect(JSON.stringify(fail?.body)).toContain("errorMessage");
    const jobChain = await outcome.verify(glue.runId);
    expect(jobChain.code, jobChain.report).toBe(0);
    const events = await platform!.clients.logs.send(
      new FilterLogEventsCommand({ logGroupName: summary.audit[0]!.logGroup, logStreamNames: [glue.runId] }),
    );
    const outcomes = (events.events ?? []).map(
      (event) => JSON.parse(event.message ?? "{}") as { action: string; outcome: string; details: { state?: string } },
    );
    expect(outcomes).toContainEqual(
      expect.objectContaining({ action: "job.state_change", outcome: "failure", details: expect.objectContaining({ state: "FAILED" }) }),
    );
    const processed = outcome.objectKeys.get("processed") ?? [];
    const quarantine = (outcome.objectKeys.get("raw") ?? []).filter((key) => key.startsWith("quarantine/"));
    expect([...processed, ...quarantine].filter((key) => key.includes(glue.runId))).toEqual([]);
    expect([...outcome.objectKeys.values()].flat().filter((key) => key.includes("/_staging/"))).toEqual([]);
  });
});
