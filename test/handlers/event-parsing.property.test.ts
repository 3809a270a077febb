/** Property-based tests of event parsing: what the handlers accept, what they map it to, what they refuse. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { externalAuditEventSchema } from "../../handlers/audit/record-audit-event";
import { jobStateChangeEvent, jobStateChangeOf, lineageEventTypeOf } from "../../handlers/lineage/job-state-event";
import { runRequestOf, triggerEvent } from "../../handlers/trigger/trigger-event";

const states = ["STARTING", "RUNNING", "STOPPING", "STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT", "ERROR", "WAITING", "EXPIRED"] as const;
const name = fc.stringMatching(/^[A-Za-z0-9][\w.-]{0,40}$/);
const isoTime = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true })
  .map((d) => d.toISOString());

const glueEvent = fc.record({
  version: fc.constant("0"),
  id: fc.uuid(),
  "detail-type": fc.constant("Glue Job State Change"),
  source: fc.constant("aws.glue"),
  account: fc.stringMatching(/^[0-9]{12}$/),
  time: isoTime,
  region: fc.constantFrom("eu-central-2", "eu-west-1"),
  resources: fc.constant([]),
  detail: fc.record({
    jobName: name,
    jobRunId: name,
    state: fc.constantFrom(...states),
    severity: fc.constantFrom("INFO", "ERROR"),
    message: fc.string(),
  }),
});

describe("event parsing (property-based)", () => {
  it("accepts every well-formed Glue job state change and keeps its identity", () => {
    fc.assert(
      fc.property(glueEvent, (event) => {
        const parsed = jobStateChangeEvent.safeParse(event);
        expect(parsed.success).toBe(true);
        if (!parsed.success) return;
        expect(jobStateChangeOf(parsed.data)).toMatchObject({
          service: "glue",
          jobName: event.detail.jobName,
          jobRunId: event.detail.jobRunId,
          state: event.detail.state,
        });
      }),
    );
  });

  it("accepts DataBrew events naming the run jobRunId or runId alike", () => {
    fc.assert(
      fc.property(glueEvent, fc.boolean(), (event, useRunId) => {
        const { jobRunId, ...rest } = event.detail;
        const detail = useRunId ? { ...rest, runId: jobRunId } : event.detail;
        const parsed = jobStateChangeEvent.parse({ ...event, source: "aws.databrew", "detail-type": "DataBrew Job State Change", detail });
        expect(jobStateChangeOf(parsed)).toMatchObject({ service: "databrew", jobRunId });
      }),
    );
  });

  it("maps every job state to at most one OpenLineage event type, terminal states to terminal types", () => {
    fc.assert(
      fc.property(fc.constantFrom(...states), (state) => {
        const type = lineageEventTypeOf(state);
        if (["SUCCEEDED", "FAILED", "TIMEOUT", "ERROR", "STOPPED", "EXPIRED"].includes(state))
          expect(["COMPLETE", "FAIL", "ABORT"]).toContain(type);
        else if (state === "STOPPING" || state === "WAITING") expect(type).toBeUndefined();
        else expect(type).toBe("START");
      }),
    );
  });

  it("refuses a job event with any required field removed, naming that field", () => {
    const required = ["id", "time", "source", "detail-type", "detail.jobName", "detail.jobRunId", "detail.state"];
    fc.assert(
      fc.property(glueEvent, fc.constantFrom(...required), (event, field) => {
        const copy = structuredClone(event) as Record<string, unknown>;
        const [head, tail] = field.split(".") as [string, string | undefined];
        if (tail === undefined) delete copy[head];
        else delete (copy[head] as Record<string, unknown>)[tail];
        const parsed = jobStateChangeEvent.safeParse(copy);
        expect(parsed.success).toBe(false);
        if (!parsed.success && head !== "source") expect(parsed.error.issues.map((issue) => issue.path.join("."))).toContain(field);
      }),
    );
  });

  it("never accepts arbitrary JSON as a job, trigger or audit event", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jobStateChangeEvent.safeParse(value).success).toBe(false);
        expect(triggerEvent.safeParse(value).success).toBe(false);
        expect(externalAuditEventSchema.safeParse(value).success).toBe(false);
      }),
    );
  });

  it("turns any scheduled time into a real calendar day RUN_DATE_LAG_DAYS before it", () => {
    fc.assert(
      fc.property(isoTime, fc.integer({ min: 0, max: 31 }), (scheduled, lag) => {
        const request = runRequestOf(triggerEvent.parse({ source: "sentinel.scheduler", profile: "baf", scheduled_time: scheduled }), lag);
        expect(request.runDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        const days = (Date.parse(`${scheduled.slice(0, 10)}T00:00:00Z`) - Date.parse(`${request.runDate}T00:00:00Z`)) / 86_400_000;
        expect(days).toBe(lag);
        expect(request.attempt).toBe(1);
      }),
    );
  });

  it("accepts hand-started runs only for real calendar dates", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2199 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const runDate = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
          const real = new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
          expect(triggerEvent.safeParse({ source: "sentinel.manual", profile: "baf", run_date: runDate }).success).toBe(real);
        },
      ),
    );
  });
});
