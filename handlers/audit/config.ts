import { commonConfigSchema } from "../shared/config";

/** Environment of the audit handler: only what the shared audit writer needs. */
export const auditHandlerEnvironment = commonConfigSchema;
