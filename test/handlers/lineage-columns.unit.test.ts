/**
 * Column-level lineage from the Glue job's own plan: the plan is computed by the job's Python module
 * (glue-jobs/sentinel_etl/column_lineage.py) from a profile, carried in the run metrics, and becomes the
 * `columnLineage` facet of each output; `sentinel lineage columns` answers from those facets. Changing the
 * profile changes the facet.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIo } from "../../handlers/cli/main";
import type { ArchivedRecord } from "../../handlers/lineage/lineage-archive";
import { columnUses, sinceInstant } from "../../handlers/lineage/lineage-query";
import { OpenLineageValidator } from "../../handlers/lineage/openlineage-validator";
import { buildRunEvent, type OpenLineageRunEvent } from "../../handlers/lineage/run-event-builder";
import { cardTransactionsJobArguments, observedGlueRun, PIPELINE_RUN, runMetrics } from "./support/lineage-fixtures";
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GLUE_JOBS = resolve("glue-jobs");
const PYTHON = resolve(".venv/bin/python");
const validator = new OpenLineageValidator();
const args = cardTransactionsJobArguments();

type Profile = { tokenization: { column: string; method: string }[] } & Record<string, unknown>;

function cardProfile(): Profile {
  return JSON.parse(readFileSync(join(GLUE_JOBS, "config/profiles/card-transactions.json"), "utf8")) as Profile;
}

/** The job's plan for a profile, computed by the job's own module. */
function planOf(profile: Profile, keyVersion: string): unknown {
  const script =
    "import json, sys\nfrom sentinel_etl import column_lineage\nfrom sentinel_etl.config import parse_config\nprint(json.dumps(column_lineage.plan(parse_config(json.load(sys.stdin)), sys.argv[1])))";
  return JSON.parse(
    execFileSync(PYTHON, ["-c", script, keyVersion], {
      input: JSON.stringify(profile),
      env: { ...process.env, PYTHONPATH: GLUE_JOBS },
      encoding: "utf8",
    }),
  );
}

function completeRecord(profile: Profile, keyVersion = "v3", eventTime = "2026-03-02T02:09:40.000Z"): OpenLineageRunEvent {
  const plan = planOf(profile, keyVersion) as { outputs: { processed: { fields: Record<string, unknown> } } };
  const metrics = runMetrics({
    column_lineage: plan,
    key_version: keyVersion,
    processed_schema: Object.keys(plan.outputs.processed.fields).map((name) => ({ name, type: "string" })),
  });
  return buildRunEvent({
    eventType: "COMPLETE",
    eventTime,
    namespace: "sentinel-local",
    producer: "urn:sentinel:lineage-handler:test",
    run: observedGlueRun(args),
    pipeline: { pipelineRunId: PIPELINE_RUN, registered: true, profile: "card-transactions", runDate: "2026-03-01" },
    metrics,
    inputFiles: metrics.input.files.map((file) => ({ ...file, versionId: "v1", etag: "e1", present: true })),
  });
}

type InputField = {
  namespace: string;
  name: string;
  field: string;
  transformations: { type: string; subtype: string; description: string; masking: boolean }[];
};
function inputFieldsOf(event: OpenLineageRunEvent, output: number, column: string): InputField[] {
  const facet = event.outputs[output]?.facets?.columnLineage as unknown as { fields: Record<string, { inputFields: InputField[] }> };
  return facet.fields[column]?.inputFields ?? [];
}

const archived = (event: OpenLineageRunEvent, location = "mem"): ArchivedRecord => ({ location, event, problems: [] });

describe("columnLineage facet from the job's plan", () => {
  const event = completeRecord(cardProfile());

  it("is on the processed and quarantine outputs, valid against the published schema, inputs carrying a schema facet", () => {
    expect(validator.validate(event)).toEqual({ valid: true });
    expect(event.outputs.map((output) => Object.keys(output.facets ?? {}).sort())).toEqual([
      ["columnLineage", "schema"],
      ["columnLineage", "sentinel_quarantine"],
    ]);
    const schema = event.inputs[0]?.facets?.schema as unknown as { fields: { name: string; type: string }[] };
    expect(schema.fields.slice(0, 3)).toEqual([
      { name: "transaction_id", type: "string" },
      { name: "event_timestamp", type: "timestamp" },
      { name: "customer_id", type: "string" },
    ]);
  });

  it("maps tokenized columns to their raw input, masked, with the method and key version", () => {
    const [email] = inputFieldsOf(event, 0, "email");
    expect(email).toEqual({
      namespace: "s3://sentinel-local-raw",
      name: "card-transactions/run_date=2026-03-01",
      field: "email",
      transformations: [{ type: "DIRECT", subtype: "TRANSFORMATION", description: "tokenized: encrypt, key version v3", masking: true }],
    });
    expect(inputFieldsOf(event, 1, "email")[0]?.transformations).toEqual([
      { type: "DIRECT", subtype: "IDENTITY", description: "as read (text), not tokenized", masking: false },
    ]);
    for (const feature of ["seconds_since_prev_txn", "txn_count_1h", "txn_count_24h", "anomaly_score"]) {
      expect(
        inputFieldsOf(event, 0, feature).map((field) => field.field),
        feature,
      ).toContain("customer_id");
    }
  });

  it("changes when the profile changes a column's token method", () => {
    const profile = cardProfile();
    profile.tokenization = profile.tokenization.map((token) => (token.column === "email" ? { column: "email", method: "hash" } : token));
    const changed = completeRecord(profile, "v4");
    expect(inputFieldsOf(changed, 0, "email")[0]?.transformations[0]).toMatchObject({
      description: "tokenized: hash (unkeyed)",
      masking: true,
    });
    expect(inputFieldsOf(changed, 0, "customer_id")[0]?.transformations[0]?.description).toBe("tokenized: deterministic, key version v4");
  });

  it("answers which output columns derive from a column, masked or not, within a time window", () => {
    const uses = columnUses([archived(event)], "customer_id");
    expect(uses.map((use) => `${use.outputColumn}:${use.masked ? "masked" : "clear"}`)).toEqual([
      "anomaly_score:clear",
      "customer_id:masked",
      "is_anomaly:clear",
      "seconds_since_prev_txn:clear",
      "txn_count_1h:clear",
      "txn_count_24h:clear",
      "customer_id:clear",
      "raw_record:clear",
      "reason:clear",
      "reason_code:clear",
    ]);
    expect(columnUses([archived(event)], "customer_id", { since: "2026-03-03T00:00:00.000Z" })).toEqual([]);
    expect(columnUses([archived(event)], "customer_id", { dataset: "s3://sentinel-local-processed/baf" })).toEqual([]);
    expect(columnUses([archived(event)], "no_such_column")).toEqual([]);
  });

  it("reads --since as a duration or an ISO date, and refuses anything else", () => {
    const now = new Date("2026-03-10T12:00:00Z");
    expect(sinceInstant("7d", now)).toBe("2026-03-03T12:00:00.000Z");
    expect(sinceInstant("24h", now)).toBe("2026-03-09T12:00:00.000Z");
    expect(sinceInstant("2026-03-01", now)).toBe("2026-03-01T00:00:00.000Z");
    expect(() => sinceInstant("last week", now)).toThrow(/--since must be like 7d/);
  });

  it("`sentinel lineage columns` prints the uses, and exits 1 when nothing is found and 2 on a bad --since", async () => {
    const directory = await mkdtemp(join(tmpdir(), "sentinel-columns-"));
    await mkdir(join(directory, "run"), { recursive: true });
    await writeFile(join(directory, "run", "COMPLETE.json"), JSON.stringify(completeRecord(cardProfile(), "v3", new Date().toISOString())));
    const sentinel = async (...argv: string[]) => {
      let stdout = "";
      let stderr = "";
      const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), env: {} };
      return { code: await main(argv, io), stdout, stderr };
    };
    const found = await sentinel("lineage", "columns", "--column", "email", "--since", "7d", "--dir", directory);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(
      /s3:\/\/sentinel-local-processed\/card-transactions#email\s+yes\s+DIRECT\/TRANSFORMATION\s+tokenized: encrypt, key version v3/,
    );
    const none = await sentinel("lineage", "columns", "--column", "ssn", "--dir", directory);
    expect(none).toMatchObject({ code: 1, stdout: "", stderr: "no run read column ssn\n" });
    expect((await sentinel("lineage", "list", "--since", "2999-01-01", "--dir", directory)).code).toBe(1);
    expect((await sentinel("lineage", "columns", "--column", "email", "--since", "yesterday", "--dir", directory)).code).toBe(2);
  });
});
