/** Lineage records against the official OpenLineage 2-0-2 schemas (offline, core schema registered by $id). */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OpenLineageValidator, LineageSchemaError } from "../../handlers/lineage/openlineage-validator";
import { buildRunEvent, s3Dataset, type OpenLineageRunEvent, type RunEventInput } from "../../handlers/lineage/run-event-builder";
import { runMetricsSchema } from "../../handlers/lineage/run-metrics";
import { cardTransactionsJobArguments, observedGlueRun, PIPELINE_RUN, runMetrics, runMetricsDocument } from "./support/lineage-fixtures";

const validator = new OpenLineageValidator();
const args = cardTransactionsJobArguments();
const pipeline = {
  pipelineRunId: PIPELINE_RUN,
  registered: true,
  profile: "card-transactions",
  runDate: "2026-03-01",
};

function completeInput(overrides: Partial<RunEventInput> = {}): RunEventInput {
  const metrics = runMetrics();
  return {
    eventType: "COMPLETE",
    eventTime: "2026-03-02T02:09:40.000Z",
    namespace: "sentinel-local",
    producer: "urn:sentinel:lineage-handler:test",
    run: observedGlueRun(args),
    pipeline,
    metrics,
    inputFiles: metrics.input.files.map((file, i) => ({ ...file, versionId: `v${i}`, etag: `etag${i}`, present: true })),
    ...overrides,
  };
}

function without(event: OpenLineageRunEvent, path: string[]): unknown {
  const copy = structuredClone(event) as unknown as Record<string, unknown>;
  let owner: Record<string, unknown> = copy;
  for (const step of path.slice(0, -1)) owner = owner[step] as Record<string, unknown>;
  delete owner[path.at(-1) as string];
  return copy;
}

describe("OpenLineage schema validation", () => {
  const shared = resolve(process.cwd(), "../shared/openlineage-spec");
  it.skipIf(!existsSync(shared))("vendored schemas are byte-identical to ../shared/openlineage-spec", () => {
    const vendored = resolve(process.cwd(), "handlers/lineage/openlineage-spec");
    const files = ["OpenLineage.json", ...readdirSync(resolve(shared, "facets")).map((file) => `facets/${file}`)];
    for (const file of files) expect(readFileSync(resolve(vendored, file), "utf8"), file).toBe(readFileSync(resolve(shared, file), "utf8"));
  });

  it("accepts the COMPLETE record of a Glue run with every facet Sentinel emits", () => {
    const event = buildRunEvent(completeInput());
    expect(validator.validate(event)).toEqual({ valid: true });
    expect(Object.keys(event.run.facets).sort()).toEqual(["nominalTime", "parent", "processing_engine", "sentinel_run"]);
    expect(Object.keys(event.job.facets).sort()).toEqual(["jobType", "sourceCodeLocation"]);
    expect(event.inputs[0]?.inputFacets?.dataQualityMetrics).toMatchObject({ rowCount: 1000, bytes: 2000, fileCount: 2 });
    expect(event.outputs.map((output) => output.outputFacets?.outputStatistics?.rowCount)).toEqual([990, 10]);
    expect(event.run.facets.sentinel_run).toMatchObject({
      keyVersion: "v3",
      model: { hash: "sha256:9f2c" },
      rowCounts: { conserved: true },
    });
  });

  it("accepts START, FAIL (with error message) and DataBrew records", () => {
    expect(validator.validate(buildRunEvent(completeInput({ eventType: "START", metrics: undefined, inputFiles: undefined })))).toEqual({
      valid: true,
    });
    const failed = buildRunEvent(
      completeInput({
        eventType: "FAIL",
        metrics: undefined,
        inputFiles: undefined,
        run: observedGlueRun(args, { errorMessage: "AnalysisException: column amount not found" }),
      }),
    );
    expect(validator.validate(failed)).toEqual({ valid: true });
    expect(failed.run.facets.errorMessage).toMatchObject({
      message: "AnalysisException: column amount not found",
      programmingLanguage: "PYTHON",
    });
    const profiled = buildRunEvent(
      completeInput({
        metrics: undefined,
        inputFiles: undefined,
        run: observedGlueRun(args, {
          service: "databrew",
          jobName: "sentinel-local-card-transactions-pii-profile",
          jobRunId: "db_1",
          arguments: {},
          sourceCode: undefined,
          inputUris: ["s3://sentinel-local-raw/card-transactions/"],
          outputs: [{ role: "profile", uri: "s3://sentinel-local-artifacts/databrew/profile/" }],
          datasetName: "card-transactions-raw",
        }),
      }),
    );
    expect(validator.validate(profiled)).toEqual({ valid: true });
  });

  it("accepts run metrics as glue-jobs/ writes them: flat model fields, null fitted state, a failure's error", () => {
    const asWritten = runMetrics({
      model: {
        hash: "sha256:77aa",
        version: "m-3",
        algorithm: "sklearn.ensemble.IsolationForest",
        n_estimators: 100,
        max_samples: 256,
        seed: 42,
        features: ["amount", "velocity_1h"],
      },
      merchant_mapping: null,
      bin_edges: {
        version: "b-1",
        column: "income",
        method: "quantile",
        edges: [0, 0.5, 1],
        labels: { "0": "[0, 0.5)" },
        fitted_rows: 1000,
      },
    });
    const complete = buildRunEvent(completeInput({ metrics: asWritten }));
    expect(validator.validate(complete)).toEqual({ valid: true });
    expect(complete.run.facets.sentinel_run).toMatchObject({ model: { hash: "sha256:77aa", params: { n_estimators: 100, seed: 42 } } });
    expect(complete.run.facets.sentinel_run).not.toHaveProperty("merchantMapping");

    const failedEarly = runMetrics({
      status: "FAILED",
      key_version: null,
      bin_edges: null,
      merchant_mapping: null,
      model: null,
      rows_in: 0,
      rows_out: 0,
      rows_quarantined: 0,
      quarantine_reasons: {},
      error: { type: "FileNotFoundError", message: "no input files found" },
    });
    const failed = buildRunEvent(completeInput({ eventType: "FAIL", metrics: failedEarly }));
    expect(validator.validate(failed)).toEqual({ valid: true });
    expect(failed.run.facets.errorMessage).toMatchObject({ message: "FileNotFoundError: no input files found" });
  });

  it("states edges fitted within each currency per currency, each with its version (binning.py group_by)", () => {
    const grouped = runMetrics({
      bin_edges: {
        version: "b-2",
        column: "amount",
        method: "quantile",
        group_by: "currency",
        edges: [],
        groups: {
          CHF: { version: "c-1", edges: [0, 12.5, 80], fitted_rows: 400 },
          EUR: { version: "e-1", edges: [0, 9.9, 70], fitted_rows: 600 },
        },
      },
    });
    const complete = buildRunEvent(completeInput({ metrics: grouped }));
    expect(validator.validate(complete)).toEqual({ valid: true });
    expect(complete.run.facets.sentinel_run).toMatchObject({
      binEdges: {
        column: "amount",
        groupBy: "currency",
        edges: [],
        groups: { CHF: { version: "c-1", edges: [0, 12.5, 80] }, EUR: { version: "e-1", edges: [0, 9.9, 70] } },
      },
    });
  });

  it.each([
    [["job", "namespace"], /\/job must have required property 'namespace'/],
    [["run", "runId"], /\/run must have required property 'runId'/],
    [["eventTime"], /must have required property 'eventTime'/],
    [["run", "facets", "nominalTime", "nominalStartTime"], /nominalTime must have required property 'nominalStartTime'/],
    [["run", "facets", "sentinel_run", "_producer"], /sentinel_run must have required property '_producer'/],
    [["run", "facets", "sentinel_run", "pipelineRunId"], /sentinel_run must have required property 'pipelineRunId'/],
  ])("rejects a record missing the required field %j", (path, message) => {
    const result = validator.validate(without(buildRunEvent(completeInput()), path));
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.errors.join("\n")).toMatch(message);
    expect(() => validator.assertValid(without(buildRunEvent(completeInput()), path))).toThrow(LineageSchemaError);
  });

  it("rejects a malformed run id, an unknown event type and a facet without a schema", () => {
    const event = buildRunEvent(completeInput());
    expect(validator.validate({ ...event, run: { ...event.run, runId: "jr_0001" } }).valid).toBe(false);
    expect(validator.validate({ ...event, eventType: "DONE" }).valid).toBe(false);
    expect(
      validator.validate({
        ...event,
        run: { ...event.run, facets: { ...event.run.facets, homemade: { _producer: "urn:x", _schemaURL: "urn:y" } } },
      }),
    ).toMatchObject({
      valid: false,
      errors: [expect.stringMatching(/homemade has no registered facet schema/)],
    });
  });

  it("names S3 datasets the OpenLineage way", () => {
    expect(s3Dataset("s3://sentinel-local-raw/card-transactions/run_date=2026-03-01/")).toEqual({
      namespace: "s3://sentinel-local-raw",
      name: "card-transactions/run_date=2026-03-01",
    });
  });

  it("property: any run metrics the contract allows produce a valid record", () => {
    const count = fc.nat({ max: 1_000_000 });
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/);
    fc.assert(
      fc.property(
        fc.record({
          rows_out: count,
          rows_quarantined: count,
          extra_in: fc.nat({ max: 5 }),
          quarantine_reasons: fc.dictionary(fc.stringMatching(/^[A-Z_]{1,12}$/), count, { maxKeys: 5 }),
          processed_schema: fc.array(fc.record({ name, type: fc.constantFrom("string", "int", "double", "timestamp") }), { maxLength: 8 }),
          key_version: fc.oneof(fc.stringMatching(/^v[0-9]{1,3}$/), fc.integer({ min: 1, max: 99 })),
          edges: fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 10 }),
          files: fc.array(fc.record({ name: fc.stringMatching(/^part-[0-9]{4}\.csv$/), bytes: count }), { maxLength: 6 }),
        }),
        (generated) => {
          const prefix = "s3://sentinel-local-raw/baf/run_date=2026-03-01/";
          const document = runMetricsDocument({
            rows_in: generated.rows_out + generated.rows_quarantined + generated.extra_in,
            rows_out: generated.rows_out,
            rows_quarantined: generated.rows_quarantined,
            quarantine_reasons: generated.quarantine_reasons,
            processed_schema: generated.processed_schema,
            key_version: generated.key_version,
            bin_edges: { version: 1, column: "income", method: "quantile", edges: generated.edges },
            input: { paths: [prefix], files: generated.files.map((file) => ({ path: prefix + file.name, bytes: file.bytes })) },
          });
          const metrics = runMetricsSchema.parse(document);
          const event = buildRunEvent(
            completeInput({
              metrics,
              inputFiles: metrics.input.files.map((file) => ({ ...file, versionId: null, etag: null, present: false })),
            }),
          );
          expect(validator.validate(event)).toEqual({ valid: true });
          expect((event.run.facets.sentinel_run?.rowCounts as { conserved: boolean }).conserved).toBe(generated.extra_in === 0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
