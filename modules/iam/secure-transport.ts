/**
 * TLS-only resource policies: the condition that matches a request not made over TLS, and the Deny statement a queue's
 * or topic's policy carries with it. Buckets pair the same condition with a minimum TLS version (bucket-baseline.ts).
 */
import type { PolicyCondition, PolicyStatement } from "./policy-document";

/** True for a request made over plain HTTP. */
export const INSECURE_TRANSPORT: PolicyCondition = { test: "Bool", variable: "aws:SecureTransport", values: ["false"] };

/** Refuses `actions` on `resources` to every principal when the request is not made over TLS. */
export function denyInsecureTransport(actions: readonly string[], resources: readonly string[]): PolicyStatement {
  return { sid: "DenyInsecureTransport", effect: "Deny", principals: "*", actions, resources, conditions: [INSECURE_TRANSPORT] };
}
