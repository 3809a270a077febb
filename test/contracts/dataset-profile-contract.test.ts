/**
 * Dataset profiles have three readers: the JSON Schema the job validates against
 * (glue-jobs/sentinel_etl/schemas/job-config.schema.json), the job's Python constants
 * (sentinel_etl/config.py: COLUMN_TYPES, TOKEN_METHODS) and contracts/dataset-profiles.ts (synth).
 * This compares the column types, their parsed Spark types and the token methods across all three, so
 * a type or method added on one side only fails here, naming it.
 */
import { mkdtempSync, readFileSync, cpSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  COLUMN_TYPES,
  PROFILE_SCHEMAS_FOLDER,
  PROFILE_SCHEMA_FILE,
  TOKEN_METHODS,
  loadDatasetProfiles,
} from "../../contracts/dataset-profiles";
import { PARSED_TYPES } from "../../contracts/job-output-schema";
import { askTheJob } from "./support/ask-the-job";

const ROOT = join(import.meta.dirname, "..", "..");
const GLUE_JOBS = join(ROOT, "glue-jobs");

interface SchemaEnums {
  readonly $defs: {
    readonly column: { readonly properties: { readonly type: { readonly enum: string[] } } };
    readonly tokenizedColumn: { readonly properties: { readonly method: { readonly enum: string[] } } };
  };
}

function pythonConstants(): { readonly columnTypes: Record<string, string>; readonly tokenMethods: string[] } {
  return askTheJob("the job's profile constants", [
    "from sentinel_etl import config as c",
    "print(json.dumps({'columnTypes': c.COLUMN_TYPES, 'tokenMethods': list(c.TOKEN_METHODS)}))",
  ]);
}

describe("dataset profile contract between the job's JSON Schema, its Python constants and contracts/dataset-profiles.ts", () => {
  const schema = JSON.parse(readFileSync(join(GLUE_JOBS, PROFILE_SCHEMAS_FOLDER, PROFILE_SCHEMA_FILE), "utf8")) as SchemaEnums;
  const python = pythonConstants();

  it("all three name the same column types", () => {
    expect([...COLUMN_TYPES], "contracts/dataset-profiles.ts COLUMN_TYPES vs the schema's column type enum").toEqual(
      schema.$defs.column.properties.type.enum,
    );
    expect(Object.keys(python.columnTypes), "sentinel_etl/config.py COLUMN_TYPES vs the schema's column type enum").toEqual(
      schema.$defs.column.properties.type.enum,
    );
  });

  it("the job and synth parse each column type to the same Spark type", () => {
    expect(python.columnTypes).toEqual(PARSED_TYPES);
  });

  it("all three name the same token methods", () => {
    expect([...TOKEN_METHODS], "contracts/dataset-profiles.ts TOKEN_METHODS vs the schema's method enum").toEqual(
      schema.$defs.tokenizedColumn.properties.method.enum,
    );
    expect(python.tokenMethods, "sentinel_etl/config.py TOKEN_METHODS vs the schema's method enum").toEqual(
      schema.$defs.tokenizedColumn.properties.method.enum,
    );
  });

  it("synth refuses a profile the job's schema refuses, naming the file and the field", () => {
    const copy = mkdtempSync(join(tmpdir(), "sentinel-profiles-"));
    cpSync(GLUE_JOBS, copy, { recursive: true, filter: (source) => !/(__pycache__|\/tests(\/|$)|\/benchmarks(\/|$))/.test(source) });
    const path = join(copy, "config", "profiles", "baf.json");
    const profile = JSON.parse(readFileSync(path, "utf8")) as { columns: { type: string }[]; anomaly: Record<string, unknown> };
    (profile.columns[0] as { type: string }).type = "decimal";
    profile.anomaly.unexpected_setting = 1;
    writeFileSync(path, JSON.stringify(profile));
    expect(() => loadDatasetProfiles(copy)).toThrow(
      /dataset profile .*baf\.json is malformed: .*\/columns\/0\/type: must be equal to one of the allowed values.*\/anomaly: must NOT have additional properties/,
    );
  });

  it("synth applies the schema's defaults to the columns it reads", () => {
    const [profile] = loadDatasetProfiles(GLUE_JOBS);
    for (const column of profile?.columns ?? []) {
      expect(typeof column.required).toBe("boolean");
      expect(typeof column.nullable).toBe("boolean");
      expect(typeof column.unique).toBe("boolean");
    }
  });
});
