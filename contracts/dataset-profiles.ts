/**
 * The dataset profiles the Glue job ships (glue-jobs/config/profiles/*.json), read at synth so the
 * deployed profile objects, DataBrew jobs, catalog tables and quality rules all follow the same files.
 * Each profile is validated with ajv against the job's own JSON Schema
 * (glue-jobs/sentinel_etl/schemas/job-config.schema.json and the section schemas it references), the
 * same schema the job checks it against, with the schema's defaults applied; synth fails naming the
 * file and every problem. The column types and token methods below are the schema's enums, spelled as
 * TypeScript literals; test/contracts/dataset-profile-contract.test.ts compares them with the schema
 * and with the job's Python constants.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";

export const COLUMN_TYPES = ["string", "integer", "double", "boolean", "date", "timestamp"] as const;
export type ProfileColumnType = (typeof COLUMN_TYPES)[number];
export const TOKEN_METHODS = ["deterministic", "format_preserving", "deterministic_encrypt", "hash", "encrypt"] as const;
export type TokenMethod = (typeof TOKEN_METHODS)[number];

/** Where the job's schemas live, relative to glue-jobs/ (shipped inside its wheel). */
export const PROFILE_SCHEMAS_FOLDER = join("sentinel_etl", "schemas");
export const PROFILE_SCHEMA_FILE = "job-config.schema.json";

/** A declared column, with the schema's defaults applied. */
export interface ProfileColumn {
  readonly name: string;
  readonly type: ProfileColumnType;
  readonly required: boolean;
  readonly nullable: boolean;
  readonly unique: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly allowed?: readonly (string | number)[];
}

/** The fields of a valid profile document the infrastructure reads. */
interface ProfileDocument {
  readonly profile: string;
  readonly description?: string;
  readonly record_id_column: string;
  readonly columns: readonly ProfileColumn[];
  readonly tokenization: readonly { readonly column: string; readonly method: TokenMethod }[];
  readonly source?: { readonly delimiter: string };
}

export interface DatasetProfile {
  /** e.g. card-transactions. */
  readonly name: string;
  readonly description: string;
  /** Absolute path of the profile file. */
  readonly path: string;
  readonly recordIdColumn: string;
  /** Declared columns, in file order. */
  readonly columns: readonly ProfileColumn[];
  /** Columns replaced by tokens (they hold PII in raw form), with their method. */
  readonly tokenized: ReadonlyMap<string, TokenMethod>;
  /** CSV field delimiter of the landing files. */
  readonly delimiter: string;
}

export const PROFILES_FOLDER = join("config", "profiles");

/** Every profile under `<glueJobsDir>/config/profiles`, sorted by name. */
export function loadDatasetProfiles(glueJobsDir: string): readonly DatasetProfile[] {
  const folder = join(glueJobsDir, PROFILES_FOLDER);
  const files = readdirSync(folder)
    .filter((file) => file.endsWith(".json"))
    .sort();
  if (files.length === 0) throw new Error(`no dataset profiles (*.json) in ${folder}`);
  const validate = profileValidator(join(glueJobsDir, PROFILE_SCHEMAS_FOLDER));
  return files.map((file) => parseProfile(join(folder, file), validate));
}

/** The job's schema compiled with every section schema it references (registered under their `$id`s). */
function profileValidator(schemasFolder: string): ValidateFunction<ProfileDocument> {
  // Strict, except two checks the job's schema legitimately trips: `allowed` items are string or
  // integer (a union type), and conditional subschemas (`then: { not: { required: [...] } }`) require
  // properties declared by the enclosing object, not beside the `required`.
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, strictRequired: false });
  const schemas = readdirSync(schemasFolder)
    .filter((file) => file.endsWith(".schema.json"))
    .map((file) => ({ file, schema: JSON.parse(readFileSync(join(schemasFolder, file), "utf8")) as { $id?: string } }));
  for (const { file, schema } of schemas) {
    if (schema.$id === undefined) throw new Error(`${join(schemasFolder, file)} has no $id: the job config's $refs cannot reach it`);
    ajv.addSchema(schema);
  }
  const main = schemas.find(({ file }) => file === PROFILE_SCHEMA_FILE);
  if (main?.schema.$id === undefined) throw new Error(`no ${PROFILE_SCHEMA_FILE} in ${schemasFolder}`);
  return ajv.getSchema<ProfileDocument>(main.schema.$id) as ValidateFunction<ProfileDocument>;
}

function parseProfile(path: string, validate: ValidateFunction<ProfileDocument>): DatasetProfile {
  const document: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!validate(document)) {
    const problems = (validate.errors ?? []).map((error) => `${error.instancePath || "(profile)"}: ${error.message ?? error.keyword}`);
    throw new Error(`dataset profile ${path} is malformed: ${problems.join("; ")}`);
  }
  const profile = document;
  const declared = new Set(profile.columns.map((column) => column.name));
  const expectedFile = `${profile.profile}.json`;
  if (!path.endsWith(expectedFile))
    throw new Error(`dataset profile ${path} declares profile "${profile.profile}"; name the file ${expectedFile}`);
  for (const name of [profile.record_id_column, ...profile.tokenization.map((entry) => entry.column)]) {
    if (!declared.has(name)) throw new Error(`dataset profile ${path} refers to column "${name}", which it does not declare`);
  }
  return {
    name: profile.profile,
    description: profile.description ?? "",
    path,
    recordIdColumn: profile.record_id_column,
    columns: profile.columns.map(columnOf),
    tokenized: new Map(profile.tokenization.map((entry) => [entry.column, entry.method])),
    // The schema defaults the delimiter only inside a given `source` section.
    delimiter: profile.source?.delimiter ?? ",",
  };
}

/** A column with its fields in the schema's order (what the synthesized templates and tables serialize). */
function columnOf(column: ProfileColumn): ProfileColumn {
  const { name, type, required, nullable, unique, min, max, pattern, allowed } = column;
  const optional = Object.entries({ min, max, pattern, allowed }).filter(([, value]) => value !== undefined);
  return { name, type, required, nullable, unique, ...Object.fromEntries(optional) };
}

/** The profiles an environment runs, in its order; a name with no profile file fails synth. */
export function selectDatasetProfiles(profiles: readonly DatasetProfile[], names: readonly string[]): DatasetProfile[] {
  return names.map((name) => {
    const profile = profiles.find((candidate) => candidate.name === name);
    if (profile === undefined)
      throw new Error(
        `dataset profile "${name}" has no file in glue-jobs/${PROFILES_FOLDER} (shipped: ${profiles.map((p) => p.name).join(", ")})`,
      );
    return profile;
  });
}
