/**
 * The dataset profiles the Glue job ships (glue-jobs/config/profiles/*.json), read at synth so the
 * deployed profile objects, DataBrew jobs, catalog tables and quality rules all follow the same files.
 * The job validates a profile fully against its JSON Schema; this reads only the fields the
 * infrastructure uses, and fails synth naming the file when one of them is malformed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

const COLUMN_TYPES = ["string", "integer", "double", "boolean", "date", "timestamp"] as const;
export type ProfileColumnType = (typeof COLUMN_TYPES)[number];

const columnSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/),
  type: z.enum(COLUMN_TYPES),
  required: z.boolean().default(true),
  nullable: z.boolean().default(false),
  unique: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
  pattern: z.string().optional(),
  allowed: z.array(z.union([z.string(), z.number()])).optional(),
});

const profileSchema = z.object({
  profile: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/),
  description: z.string().default(""),
  record_id_column: z.string(),
  columns: z.array(columnSchema).min(1),
  tokenization: z.array(z.object({ column: z.string(), method: z.enum(["deterministic", "format_preserving", "hash", "encrypt"]) })),
  source: z.object({ delimiter: z.string().length(1).default(",") }).default({ delimiter: "," }),
});

export type ProfileColumn = z.output<typeof columnSchema>;

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
  readonly tokenized: ReadonlyMap<string, string>;
  /** CSV field delimiter of the landing files. */
  readonly delimiter: string;
}

export const PROFILES_FOLDER = join("config", "profiles");

/** Every profile under `<glueJobsDir>/config/profiles`, sorted by name. */
export function loadDatasetProfiles(glueJobsDir: string): readonly DatasetProfile[] {
  const folder = join(glueJobsDir, PROFILES_FOLDER);
  const files = readdirSync(folder).filter((file) => file.endsWith(".json")).sort();
  if (files.length === 0) throw new Error(`no dataset profiles (*.json) in ${folder}`);
  return files.map((file) => parseProfile(join(folder, file)));
}

function parseProfile(path: string): DatasetProfile {
  const result = profileSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "(profile)"}: ${issue.message}`);
    throw new Error(`dataset profile ${path} is malformed: ${problems.join("; ")}`);
  }
  const profile = result.data;
  const declared = new Set(profile.columns.map((column) => column.name));
  const expectedFile = `${profile.profile}.json`;
  if (!path.endsWith(expectedFile)) throw new Error(`dataset profile ${path} declares profile "${profile.profile}"; name the file ${expectedFile}`);
  for (const name of [profile.record_id_column, ...profile.tokenization.map((entry) => entry.column)]) {
    if (!declared.has(name)) throw new Error(`dataset profile ${path} refers to column "${name}", which it does not declare`);
  }
  return {
    name: profile.profile,
    description: profile.description,
    path,
    recordIdColumn: profile.record_id_column,
    columns: profile.columns,
    tokenized: new Map(profile.tokenization.map((entry) => [entry.column, entry.method])),
    delimiter: profile.source.delimiter,
  };
}

/** The profiles an environment runs, in its order; a name with no profile file fails synth. */
export function selectDatasetProfiles(profiles: readonly DatasetProfile[], names: readonly string[]): DatasetProfile[] {
  return names.map((name) => {
    const profile = profiles.find((candidate) => candidate.name === name);
    if (profile === undefined) throw new Error(`dataset profile "${name}" has no file in glue-jobs/${PROFILES_FOLDER} (shipped: ${profiles.map((p) => p.name).join(", ")})`);
    return profile;
  });
}
