/**
 * The trigger's run-window settings: the stack passes them to the trigger handler as environment
 * variables (modules/handlers/pipeline-handlers.ts) and the handler defaults to the same values when
 * they are unset (handlers/trigger/config.ts).
 */

/**
 * How long a claimed run window stays reserved for the trigger invocation starting it: several
 * times the trigger's timeout, so a live invocation never loses its claim to a retry.
 */
export const RUN_WINDOW_LEASE_SECONDS = 900;

/** A schedule firing on day D processes day D-1: the day is complete by the nightly run. */
export const RUN_DATE_LAG_DAYS = 1;
