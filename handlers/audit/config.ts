import { z } from "zod";
import { commonConfigSchema } from "../shared/config";

/** Environment of the audit handler: only what the shared audit writer needs. */
export const auditHandlerEnvironment = commonConfigSchema;

/**
 * The asymmetric KMS key the audit handler signs chain heads with (only this handler's role may use it
 * for Sign). Read apart from `auditHandlerEnvironment` until the function's environment sets it
 * (modules/handlers, with the key from the encryption module); without it the handler writes no signed
 * heads, which `sentinel audit verify --public-key` reports as UNSIGNED.
 */
export const auditSigningEnvironment = z.object({
  AUDIT_SIGNING_KEY_ARN: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/, "must be a KMS key ARN").optional(),
});
