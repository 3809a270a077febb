/**
 * The environment-variable schemas of the three Lambda handlers, for the infrastructure that deploys
 * them (modules/handlers) to build and check each function's environment. Documented in
 * docs/auditor-guide.md ("Handler configuration").
 */
export { auditHandlerEnvironment } from "./audit/config";
export { lineageHandlerEnvironment } from "./lineage/config";
export { triggerHandlerEnvironment } from "./trigger/config";
export { LOCATION_PLACEHOLDERS, commonConfigSchema } from "./shared/config";
export { processedTableName, lineageNamespace } from "./shared/run-identity";
