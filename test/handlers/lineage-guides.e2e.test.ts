/**
 * The auditor's and the data consumer's guides, run: every `npx sentinel` command, every SQL example and
 * every Python example in docs/auditor-guide.md and docs/data-consumer-guide.md is executed against the
 * records and Parquet of one real local pipeline run (support/local-run.ts, produced once for this file), and its output must
 * equal the output block that follows it in the guide. Commands run against the emulator (the test adds
 * the global `--endpoint-url`), `./lineage` is the records' local copy; SQL runs in DuckDB over the same
 * JSON and Parquet through the run_events declaration (support/guide_sql.py); Python with pyarrow, pandas
 * and local Spark (support/guide_python.py says what each reaches). Values that differ from run
 * to run are compared as placeholders: times, run ids, Glue job run ids, the dev key's version.
 *
 * The same run's records are also read by an outside consumer: the official openlineage-python client
 * and the published schemas (support/openlineage_consumer.py).
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../handlers/cli/main";
import { OpenLineageValidator } from "../../handlers/lineage/openlineage-validator";
import type { OpenLineageRunEvent } from "../../handlers/lineage/run-event-builder";
import { LINEAGE_RECORD_FIELDS, type LineageFieldType } from "../../modules/glue/glue-catalog";
import { REGION } from "./support/emulated-platform";
import { LOCAL_RUN_LINEAGE_RECORDS } from "./support/lineage-fixtures";
import { bucketOf, produceLocalRun, type LocalRun } from "./support/local-run";

const GUIDES = ["docs/auditor-guide.md", "docs/data-consumer-guide.md"];
const PYTHON = resolve(".venv/bin/python");
const MAX_EVENT_BYTES = 300_000;
/** When set, every example's actual output is appended to this file (for writing a guide's output blocks). */
const OUTPUTS_FILE = process.env.SENTINEL_GUIDE_OUTPUTS;

interface Example {
  readonly guide: string;
  readonly kind: "command" | "sql" | "python";
  readonly text: string;
  readonly expected: string;
  readonly exitCode: number;
}

/** Each sh block holding `npx sentinel`, each sql and each python block, with the fenced block right after it (its output). */
function examplesOf(guide: string): Example[] {
  const blocks = [...readFileSync(guide, "utf8").matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)^```\s*$/gm)].map((match) => ({
    lang: match[1] ?? "",
    body: match[2] ?? "",
    end: (match.index ?? 0) + match[0].length,
    start: match.index ?? 0,
  }));
  const text = readFileSync(guide, "utf8");
  const examples: Example[] = [];
  blocks.forEach((block, i) => {
    const isCommand = block.lang === "sh" && block.body.includes("npx sentinel");
    if (!isCommand && block.lang !== "sql" && block.lang !== "python") return;
    const next = blocks[i + 1];
    const between = next === undefined ? "" : text.slice(block.end, next.start);
    if (next === undefined || between.trim() !== "")
      throw new Error(
        `${guide}: the ${block.lang} example "${block.body.trim().slice(0, 60)}…" is not followed directly by its output block`,
      );
    const exitCode = Number(/# exit code (\d)/.exec(block.body)?.[1] ?? "0");
    examples.push({
      guide,
      kind: isCommand ? "command" : block.lang === "python" ? "python" : "sql",
      text: block.body,
      expected: next.body,
      exitCode,
    });
  });
  return examples;
}

/** Output with run-specific values as placeholders and table padding collapsed. */
function normalize(output: string): string {
  return output
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g, "<time>")
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}(:\d{2})?)?/g, "<time>")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/jr_[0-9a-f]{64}/g, "<glue run>")
    .replace(/dev-[0-9a-f]{8}/g, "<key version>")
    .replace(/sha256 [0-9a-f]{64}/g, "sha256 <hash>")
    .split("\n")
    .map((line) => line.replace(/\s+/g, " ").trim())
    .filter((line) => line !== "")
    .join("\n");
}

/** `npx sentinel a b "c d"` -> [a, b, c d], comments and line continuations dropped. */
function commandArguments(text: string): string[] {
  const line = text
    .split("\n")
    .filter((candidate) => !candidate.trim().startsWith("#"))
    .join(" ")
    .replaceAll("\\ ", " ")
    .replace(/\\\s*/g, " ");
  const words = [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? "");
  const start = words.indexOf("sentinel");
  if (words[start - 1] !== "npx") throw new Error(`not an npx sentinel command: ${text}`);
  return words.slice(start + 1);
}

function table(result: { columns: string[]; rows: unknown[][] }): string {
  // as Athena prints them: NULL, true/false, arrays as [a, b]
  const cell = (value: unknown): string =>
    value === null ? "NULL" : Array.isArray(value) ? `[${value.map(cell).join(", ")}]` : String(value);
  return [result.columns.join(" | "), ...result.rows.map((row) => row.map(cell).join(" | "))].join("\n");
}

/** Every field path of a value that the declaration does not declare (`_producer`, `_schemaURL` included). */
function undeclared(value: unknown, declared: LineageFieldType, path: string): string[] {
  if (value === null || value === undefined) return [];
  if (typeof declared === "string")
    return declared === "string" || typeof value !== "object" ? [] : [`${path}: ${declared} declared, got an object`];
  if ("array" in declared)
    return Array.isArray(value) ? value.flatMap((item, i) => undeclared(item, declared.array, `${path}[${i}]`)) : [`${path}: not an array`];
  if ("map" in declared) return Object.entries(value as object).flatMap(([key, item]) => undeclared(item, declared.map, `${path}.${key}`));
  return Object.entries(value as object).flatMap(([key, item]) => {
    const field = declared.struct[key.toLowerCase()];
    return field === undefined ? [`${path}.${key}`] : undeclared(item, field, `${path}.${key}`);
  });
}

describe("the guides' examples on a real local run", () => {
  let local: LocalRun;
  let records: { file: string; bytes: number; event: OpenLineageRunEvent }[];

  beforeAll(async () => {
    local = await produceLocalRun();
    records = readdirSync(local.lineageDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .map((file) => ({ file, bytes: statSync(file).size, event: JSON.parse(readFileSync(file, "utf8")) as OpenLineageRunEvent }));
  }, 900_000);
  afterAll(async () => {
    await local?.stop();
  });

  it("records START and a terminal record for the pipeline run, the profile run and the ETL run, all valid and under 300,000 bytes", () => {
    const validator = new OpenLineageValidator();
    expect(records.map(({ event }) => `${event.job.name}:${event.eventType}`).sort()).toEqual(LOCAL_RUN_LINEAGE_RECORDS);
    for (const { file, bytes, event } of records) {
      expect(validator.validate(event), file).toEqual({ valid: true });
      expect(bytes, file).toBeLessThan(MAX_EVENT_BYTES);
    }
  });

  it("carries the job's column lineage for every column it wrote, and the day and findings of the profile", () => {
    const complete = records.find(({ event }) => event.job.name === "sentinel-local-etl" && event.eventType === "COMPLETE")
      ?.event as OpenLineageRunEvent;
    const [processed, quarantine] = complete.outputs;
    const written = (processed?.facets?.schema as unknown as { fields: { name: string }[] }).fields.map((field) => field.name);
    const lineage = processed?.facets?.columnLineage as unknown as {
      fields: Record<string, { inputFields: { field: string; transformations: { masking: boolean; description: string }[] }[] }>;
    };
    expect(Object.keys(lineage.fields).sort()).toEqual([...written].sort());
    for (const column of ["customer_id", "account_number", "email", "first_name", "last_name", "device_id"]) {
      expect(lineage.fields[column]?.inputFields[0]?.transformations[0]?.masking, column).toBe(true);
    }
    expect(lineage.fields.email?.inputFields[0]?.transformations[0]?.description).toMatch(
      /^tokenized: encrypt, key version dev-[0-9a-f]{8}$/,
    );
    expect(quarantine?.facets?.columnLineage).toBeDefined();
    const profile = records.find(({ event }) => event.job.name.endsWith("pii-profile") && event.eventType === "COMPLETE")
      ?.event as OpenLineageRunEvent;
    expect(profile.inputs.map((input) => input.name)).toEqual(["landing/card-transactions/run_date=2026-03-01"]);
    expect(profile.inputs[0]?.facets?.sentinel_piiFindings).toMatchObject({
      columns: { email: { entityTypes: ["EMAIL"] }, first_name: { entityTypes: ["PERSON_NAME"] } },
    });
  });

  it("declares every field of every record in the run_events table", () => {
    for (const { file, event } of records) expect(undeclared(event, { struct: LINEAGE_RECORD_FIELDS }, "record"), file).toEqual([]);
  });

  it("reads with the official openlineage-python client, every facet valid against its published schema", () => {
    const spec = resolve("handlers/lineage/openlineage-spec");
    const report = JSON.parse(
      execFileSync(
        PYTHON,
        [resolve("test/handlers/support/openlineage_consumer.py"), local.lineageDir, spec, resolve("handlers/lineage/facets")],
        { encoding: "utf8" },
      ),
    ) as { records: number; problems: string[]; facets: Record<string, number> };
    expect(report.problems).toEqual([]);
    expect(report.records).toBe(6);
    expect(report.facets).toMatchObject({ columnLineage: 2, schema: 3, sentinel_piiFindings: 1, parent: 4 });
  });

  const examples = GUIDES.flatMap((guide) => examplesOf(guide));

  it("finds the guides' examples", () => {
    for (const guide of GUIDES) {
      const fenced = [...readFileSync(guide, "utf8").matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)^```\s*$/gm)];
      const commands = fenced
        .filter((match) => match[1] === "sh")
        .reduce((count, match) => count + ((match[2] ?? "").match(/npx sentinel/g)?.length ?? 0), 0);
      // one command per block, so that each has its own output
      expect(examples.filter((example) => example.guide === guide && example.kind === "command")).toHaveLength(commands);
      expect(examples.filter((example) => example.guide === guide && example.kind === "sql")).toHaveLength(
        fenced.filter((match) => match[1] === "sql").length,
      );
      expect(examples.filter((example) => example.guide === guide && example.kind === "python")).toHaveLength(
        fenced.filter((match) => match[1] === "python").length,
      );
    }
    expect(examples.filter((example) => example.kind === "python").length).toBeGreaterThanOrEqual(5);
    expect(examples.filter((example) => example.kind === "command").length).toBeGreaterThanOrEqual(8);
    expect(examples.filter((example) => example.kind === "sql").length).toBeGreaterThanOrEqual(6);
  });

  it.each(
    examples
      .filter((example) => example.kind === "command")
      .map(
        (example) =>
          [
            example.text
              .split("\n")
              .find((line) => line.includes("npx sentinel"))
              ?.trim() ?? "",
            example,
          ] as const,
      ),
  )("runs `%s` as documented", async (_name, example) => {
    let stdout = "";
    let stderr = "";
    const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), env: {} };
    const argv = commandArguments(example.text).map((word) => (word.startsWith("./") ? join(local.root, word) : word));
    const code = await main(["--endpoint-url", local.endpoint, "--region", REGION, ...argv], io);
    if (OUTPUTS_FILE !== undefined) appendFileSync(OUTPUTS_FILE, `\n=== ${example.text.trim()}\n(exit ${code})\n${stdout}${stderr}`);
    expect(normalize(stdout + stderr), `${example.guide}: ${example.text}`).toBe(normalize(example.expected));
    expect(code).toBe(example.exitCode);
  });

  it("runs every SQL example as documented (DuckDB over the same JSON and Parquet)", () => {
    const sql = examples.filter((example) => example.kind === "sql");
    const request = {
      lineage_dir: local.lineageDir,
      processed_dir: local.processedDir,
      record_fields: LINEAGE_RECORD_FIELDS,
      queries: sql.map((example) => example.text),
    };
    const results = JSON.parse(
      execFileSync(PYTHON, [resolve("test/handlers/support/guide_sql.py")], { input: JSON.stringify(request), encoding: "utf8" }),
    ) as ({ columns: string[]; rows: unknown[][] } | { error: string })[];
    sql.forEach((example, i) => {
      const result = results[i];
      if (result === undefined || "error" in result)
        throw new Error(`${example.guide}: ${example.text}\n${result === undefined ? "no result" : result.error}`);
      if (OUTPUTS_FILE !== undefined) appendFileSync(OUTPUTS_FILE, `\n=== ${example.text.trim()}\n${table(result)}\n`);
      expect(normalize(table(result)), `${example.guide}: ${example.text}`).toBe(normalize(example.expected));
    });
  });

  it("runs every Python example as documented (pyarrow and pandas on the emulator's S3 and the local copy, Spark on the bucket's local mirror)", () => {
    const python = examples.filter((example) => example.kind === "python");
    const request = {
      snippets: python.map((example) => example.text),
      endpoint: local.endpoint,
      mirror: join(local.root, "s3"),
      processed_bucket: bucketOf("processed"),
      region: REGION,
    };
    const results = JSON.parse(
      execFileSync(PYTHON, [resolve("test/handlers/support/guide_python.py")], {
        input: JSON.stringify(request),
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, PYTHONPATH: resolve("glue-jobs") },
      }),
    ) as ({ output: string } | { error: string })[];
    if (OUTPUTS_FILE !== undefined)
      python.forEach((example, i) => appendFileSync(OUTPUTS_FILE, `\n=== ${example.text.trim()}\n${JSON.stringify(results[i])}\n`));
    python.forEach((example, i) => {
      const result = results[i];
      if (result === undefined || "error" in result)
        throw new Error(`${example.guide}: ${example.text}\n${result === undefined ? "no result" : result.error}`);
      expect(normalize(result.output), `${example.guide}: ${example.text}`).toBe(normalize(example.expected));
    });
  }, 300_000);
});
