/**
 * What starts a pipeline run: EventBridge Scheduler (input template with the scheduled time) or an
 * operator invoking the trigger by hand for a given day.
 */
import { z } from "zod";
import { PROFILE_NAME } from "../shared/config";
import { isS3Uri } from "../shared/s3-uri";

const isoDate = z.iso.date().refine((value) => {
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(value);
}, "must be a real calendar date");
const profile = z.string().regex(PROFILE_NAME, "must be a dataset profile name such as card-transactions");

/**
 * Scheduler target input, e.g.
 * `{"source":"sentinel.scheduler","profile":"baf","scheduled_time":"<aws.scheduler.scheduled-time>"}`.
 */
export const scheduledTriggerEvent = z.object({
  source: z.literal("sentinel.scheduler"),
  profile,
  scheduled_time: z.iso.datetime({ offset: true }),
  execution_id: z.string().max(256).optional(),
});

/** A hand-started run: an explicit day, optionally another input prefix, a refit, or a deliberate re-run. */
export const manualTriggerEvent = z.object({
  source: z.literal("sentinel.manual"),
  profile,
  run_date: isoDate,
  input_prefix: z.string().refine(isS3Uri, "must be an s3:// URI").optional(),
  refit: z.boolean().default(false),
  /** 1 is the scheduled run of that day; 2, 3, ... re-run the day on purpose (the guard blocks accidental re-runs) */
  attempt: z.number().int().min(1).max(99).default(1),
});

export const triggerEvent = z.discriminatedUnion("source", [scheduledTriggerEvent, manualTriggerEvent]);
export type TriggerEvent = z.infer<typeof triggerEvent>;

/** The run the event asks for, with the scheduled day already turned into the data day. */
export interface RunRequest {
  readonly profile: string;
  readonly runDate: string;
  readonly attempt: number;
  readonly refit: boolean;
  readonly inputPrefix: string | undefined;
}

export function runRequestOf(event: TriggerEvent, runDateLagDays: number): RunRequest {
  if (event.source === "sentinel.manual") {
    return { profile: event.profile, runDate: event.run_date, attempt: event.attempt, refit: event.refit, inputPrefix: event.input_prefix };
  }
  const scheduled = new Date(event.scheduled_time);
  const dataDay = new Date(Date.UTC(scheduled.getUTCFullYear(), scheduled.getUTCMonth(), scheduled.getUTCDate() - runDateLagDays));
  return { profile: event.profile, runDate: dataDay.toISOString().slice(0, 10), attempt: 1, refit: false, inputPrefix: undefined };
}
