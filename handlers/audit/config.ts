import { z } from "zod";
import { commonConfigSchema } from "../shared/config";

/**
 * Environment of the audit handler: what the shared audit writer needs, and the asymmetric KMS key it
 * signs chain heads with (only this handler's role may use it for Sign). Without the key the handler
 * writes unsigned heads, which `sentinel audit verify --public-key` reports as UNSIGNED.
 */
export const auditHandlerEnvironment = commonConfigSchema.extend({
  AUDIT_SIGNING_KEY_ARN: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/, "must be a KMS key ARN").optional(),
});
