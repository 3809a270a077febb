import { describe, expect, it } from "vitest";
import { matchesEventPattern, UnsupportedPatternError } from "../../local/events/event-pattern";
import { fillTemplate, targetInput } from "../../local/events/input-transformer";
import { jobStateChangeEvent } from "../../local/events/job-state-events";
import type { JobRun } from "../../local/job-runs/job-runs";

const run = (state: JobRun["state"], errorMessage?: string): JobRun => ({
  service: "glue",
  jobName: "sentinel-local-etl",
  runId: "jr_abc",
  arguments: {},
  startedOn: new Date("2026-01-02T03:04:05.678Z"),
  state,
  ...(errorMessage === undefined ? {} : { errorMessage }),
});

const pattern = {
  source: ["aws.glue"],
  "detail-type": ["Glue Job State Change"],
  detail: { jobName: ["sentinel-local-etl"], state: ["FAILED", "TIMEOUT", "ERROR"] },
};

describe("job state-change events", () => {
  it("have the Glue event shape, with the error as the message of a failure", () => {
    const event = jobStateChangeEvent(
      run("FAILED", "InputError: no header"),
      { account: "123456789012", region: "eu-central-2" },
      new Date("2026-01-02T03:04:05.678Z"),
    );
    expect(event).toMatchObject({
      version: "0",
      source: "aws.glue",
      "detail-type": "Glue Job State Change",
      account: "123456789012",
      region: "eu-central-2",
      time: "2026-01-02T03:04:05Z",
      detail: { jobName: "sentinel-local-etl", jobRunId: "jr_abc", state: "FAILED", severity: "ERROR", message: "InputError: no header" },
    });
  });
});

describe("event patterns", () => {
  const event = (state: JobRun["state"]) => jobStateChangeEvent(run(state), { account: "1", region: "r" });

  it("match on every named field and any listed value", () => {
    expect(matchesEventPattern(JSON.stringify(pattern), event("FAILED"))).toBe(true);
    expect(matchesEventPattern(pattern, event("SUCCEEDED"))).toBe(false);
    expect(matchesEventPattern({ ...pattern, source: ["aws.databrew"] }, event("FAILED"))).toBe(false);
    expect(matchesEventPattern({ detail: { missing: ["x"] } }, event("FAILED"))).toBe(false);
  });

  it("support prefix, anything-but, exists and numeric filters", () => {
    const e = { detail: { name: "sentinel-prod-etl", count: 5, tags: ["a", "b"] } };
    expect(matchesEventPattern({ detail: { name: [{ prefix: "sentinel-" }] } }, e)).toBe(true);
    expect(matchesEventPattern({ detail: { name: [{ "anything-but": ["sentinel-prod-etl"] }] } }, e)).toBe(false);
    expect(matchesEventPattern({ detail: { other: [{ exists: false }] } }, e)).toBe(true);
    expect(matchesEventPattern({ detail: { count: [{ numeric: [">", 1, "<=", 5] }] } }, e)).toBe(true);
    expect(matchesEventPattern({ detail: { tags: ["b"] } }, e)).toBe(true);
  });

  it("refuse filters they do not know instead of guessing", () => {
    expect(() => matchesEventPattern({ detail: { name: [{ cidr: "10.0.0.0/8" }] } }, { detail: { name: "x" } })).toThrow(
      UnsupportedPatternError,
    );
  });
});

describe("target input", () => {
  it("fills an input transformer template, escaping values inside quotes", () => {
    const template = '{"run_id":"<jobRunId>","details":{"message":"<message>","state":"<state>"}}';
    const payload = targetInput(
      {
        InputTransformer: {
          InputPathsMap: { jobRunId: "$.detail.jobRunId", message: "$.detail.message", state: "$.detail.state" },
          InputTemplate: template,
        },
      },
      jobStateChangeEvent(run("FAILED", 'bad "quote"'), { account: "1", region: "r" }),
    );
    expect(payload).toEqual({ run_id: "jr_abc", details: { message: 'bad "quote"', state: "FAILED" } });
  });

  it("delivers the whole event without a transformer, and a constant Input as given", () => {
    const event = jobStateChangeEvent(run("RUNNING"), { account: "1", region: "r" });
    expect(targetInput({}, event)).toBe(event);
    expect(targetInput({ Input: '{"a":1}' }, event)).toEqual({ a: 1 });
    expect(targetInput({ InputPath: "$.detail" }, event)).toEqual(event.detail);
  });

  it("writes values outside quotes as JSON", () => {
    expect(fillTemplate("<n>", { n: 3 })).toBe("3");
    expect(fillTemplate("[<s>]", { s: "x" })).toBe('["x"]');
  });

  it("fills placeholders inside a string of the template with the raw text", () => {
    expect(
      fillTemplate('{"resource":"arn:aws:glue:<region>:<account>:job/<job>"}', { region: "eu-central-2", account: "123", job: 'a"b' }),
    ).toBe('{"resource":"arn:aws:glue:eu-central-2:123:job/a\\"b"}');
  });
});
