import { z } from "zod";
import { commonConfigSchema } from "../shared/config";

/**
 * Environment of the audit handler: what the shared audit writer needs, and the asymmetric KMS key it signs
 * chain heads with (only this handler's role may use it for Sign; modules/handlers sets it from the
 * encryption module's audit signing key).
 */
export const auditHandlerEnvironment = commonConfigSchema.extend({
  AUDIT_SIGNING_KEY_ARN: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/, "must be a KMS key ARN"),
});
