/** The platform's Lambda handlers: one folder of handlers/ each, one bundle, one function per environment. */
export const HANDLER_NAMES = ["trigger", "lineage", "audit"] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];
