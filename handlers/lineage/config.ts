import { z } from "zod";
import { commonConfigSchema, glueName } from "../shared/config";

/** Environment of the lineage handler. */
export const lineageHandlerEnvironment = commonConfigSchema.extend({
  /** the Glue ETL job: its records also update the processed table's catalog parameters */
  GLUE_JOB_NAME: glueName,
  /** Glue Catalog database holding the processed tables (one per profile, named by processedTableName) */
  CATALOG_DATABASE_NAME: z.string().regex(/^[a-z0-9_]{1,255}$/, "must be a Glue database name (lower-case letters, digits, _)"),
  /** deployed code version (e.g. the git commit), part of the lineage producer URI */
  CODE_VERSION: z
    .string()
    .regex(/^[\w.-]{1,64}$/, "must be a version or commit id")
    .optional(),
});
export type LineageConfig = z.infer<typeof lineageHandlerEnvironment>;

export function lineageProducer(config: Pick<LineageConfig, "CODE_VERSION">): string {
  return `urn:sentinel:lineage-handler:${config.CODE_VERSION ?? "unversioned"}`;
}
