/**
 * Handler configuration comes from environment variables, validated once at cold start so a
 * misconfigured function fails on its first invocation with a message naming every bad variable.
 */
import { z } from "zod";
import { ConfigurationError } from "./errors";
import { isS3Uri } from "./s3-uri";
import { LOCATION_PLACEHOLDERS, type LocationPlaceholder } from "../../contracts/location-placeholders";

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const LOG_GROUP_NAME = /^[\w/.#-]{1,512}$/;
const GLUE_NAME = /^[\w.-]{1,255}$/;
/** Dataset profile names as the Glue job and DataBrew jobs know them, e.g. `card-transactions`, `baf`. */
export const PROFILE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export const bucketName = z.string().regex(BUCKET_NAME, "must be an S3 bucket name");
export const glueName = z.string().regex(GLUE_NAME, "must be a Glue/DataBrew name (letters, digits, _ . -)");

/** Variables every handler reads: where the audit trail and lineage live, and how long records are locked. */
export const commonConfigSchema = z.object({
  SENTINEL_ENVIRONMENT: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,30}$/, "must be a lower-case environment name such as dev, staging, prod, local"),
  LINEAGE_AUDIT_BUCKET: bucketName,
  AUDIT_LOG_GROUP_NAME: z.string().regex(LOG_GROUP_NAME, "must be a CloudWatch Logs log group name"),
  OBJECT_LOCK_MODE: z.enum(["COMPLIANCE", "GOVERNANCE"]),
  OBJECT_LOCK_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500),
});
export type CommonConfig = z.infer<typeof commonConfigSchema>;

export function locationTemplate(...required: LocationPlaceholder[]) {
  return z
    .string()
    .refine((value) => isS3Uri(value.replace(/\{[a-z_]+\}/g, "x")), "must be an s3:// URI template")
    .refine(
      (value) => [...value.matchAll(/\{([a-z_]+)\}/g)].every((m) => (LOCATION_PLACEHOLDERS as readonly string[]).includes(m[1] as string)),
      `may only use the placeholders ${LOCATION_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
    )
    .refine(
      (value) => required.every((placeholder) => value.includes(`{${placeholder}}`)),
      `must contain ${required.map((p) => `{${p}}`).join(", ")}`,
    );
}

/** Parses `env` with `schema` or throws a ConfigurationError listing each offending variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: Readonly<Record<string, string | undefined>>, handler: string): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.map(String).join(".") || "(environment)"}: ${issue.message}`);
  throw new ConfigurationError(`invalid ${handler} configuration (environment variables): ${problems.join("; ")}`);
}
