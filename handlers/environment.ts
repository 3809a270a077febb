/**
 * The environment-variable schemas of the three Lambda handlers, for the infrastructure that deploys
 * them (modules/handlers) to build and check each function's environment. Documented in
 * docs/auditor-guide.md ("Handler configuration").
 */
export { auditHandlerEnvironment } from "./audit/config";
export { lineageHandlerEnvironment } from "./lineage/config";
export { triggerHandlerEnvironment } from "./trigger/config";
export { commonConfigSchema } from "./shared/config";
export { LOCATION_PLACEHOLDERS } from "../contracts/location-placeholders";
export { processedTableName, lineageNamespace } from "../contracts/run-identity";
