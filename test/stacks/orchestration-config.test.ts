/** The environment settings of the handlers, schedules and alarms: good values load, each bad one is named. */
import { describe, expect, it } from "vitest";
import { loadEnvironments } from "../../stacks/config/environments";
import type { EnvironmentConfigInput } from "../../stacks/config/schema";
import { dev, problemsOf } from "./support/config-problems";

const schedule = dev.schedule;
const alarms = dev.alarms;
const concurrency = dev.handlers.reservedConcurrency;

describe("handler, schedule and alarm settings", () => {
  it("every environment schedules both dataset profiles with a flexible window, retries and a reserved concurrency", () => {
    for (const config of loadEnvironments()) {
      expect(config.datasetProfiles).toEqual(["card-transactions", "baf"]);
      expect(config.schedule.flexibleWindowMinutes).toBeGreaterThan(0);
      expect(config.schedule.retryAttempts).toBeGreaterThan(0);
      expect(Object.values(config.handlers.reservedConcurrency).every((n) => n >= 1)).toBe(true);
    }
  });

  it("prod alarms on quarantine and anomaly drift sooner than dev", () => {
    const [devConfig, , prodConfig] = loadEnvironments();
    expect(prodConfig?.alarms.quarantineRatio).toBeLessThan(devConfig?.alarms.quarantineRatio ?? 0);
    expect(prodConfig?.alarms.anomalyRate).toBeLessThan(devConfig?.alarms.anomalyRate ?? 0);
  });
});

describe("each bad handler, schedule or alarm setting is reported with the field and the allowed values", () => {
  it.each<[string, Partial<Record<keyof EnvironmentConfigInput, unknown>>, string]>([
    [
      "an unknown profile",
      { datasetProfiles: ["card-transactions", "loans"] },
      'dev: datasetProfiles.1 must be one of card-transactions, baf (got "loans")',
    ],
    ["no profile", { datasetProfiles: [] }, "dev: datasetProfiles must list at least one dataset profile"],
    ["a repeated profile", { datasetProfiles: ["baf", "baf"] }, "dev: datasetProfiles must not repeat a profile"],
    [
      "a negative flexible window",
      { schedule: { ...schedule, flexibleWindowMinutes: -1 } },
      "dev: schedule.flexibleWindowMinutes must be an integer from 0 to 1440 (got -1)",
    ],
    [
      "a window over a day",
      { schedule: { ...schedule, flexibleWindowMinutes: 1441 } },
      "dev: schedule.flexibleWindowMinutes must be an integer from 0 to 1440 (got 1441)",
    ],
    [
      "too many retries",
      { schedule: { ...schedule, retryAttempts: 186 } },
      "dev: schedule.retryAttempts must be an integer from 0 to 185 (got 186)",
    ],
    [
      "an event age under a minute",
      { schedule: { ...schedule, maximumEventAgeSeconds: 59 } },
      "dev: schedule.maximumEventAgeSeconds must be an integer from 60 to 86400 (got 59)",
    ],
    [
      "zero reserved concurrency",
      { handlers: { reservedConcurrency: { ...concurrency, lineage: 0 } } },
      "dev: handlers.reservedConcurrency.lineage must be an integer from 1 to 100 (got 0)",
    ],
    [
      "a fractional concurrency",
      { handlers: { reservedConcurrency: { ...concurrency, trigger: 1.5 } } },
      "dev: handlers.reservedConcurrency.trigger must be an integer from 1 to 100 (got 1.5)",
    ],
    [
      "a duration alarm under 5 minutes",
      { alarms: { ...alarms, jobDurationMinutes: 4 } },
      "dev: alarms.jobDurationMinutes must be an integer from 5 to 2880 (got 4)",
    ],
    [
      "a quarantine ratio of 1",
      { alarms: { ...alarms, quarantineRatio: 1 } },
      "dev: alarms.quarantineRatio must be a number greater than 0 and less than 1 (got 1)",
    ],
    [
      "a percentage for a fraction",
      { alarms: { ...alarms, anomalyRate: 5 } },
      "dev: alarms.anomalyRate must be a number greater than 0 and less than 1 (got 5)",
    ],
    [
      "a missing threshold",
      { alarms: { jobDurationMinutes: 45, quarantineRatio: 0.05 } },
      "dev: alarms.anomalyRate must be a number greater than 0 and less than 1",
    ],
  ])("%s", (_label, change, message) => {
    expect(problemsOf(change).some((problem) => problem.startsWith(message))).toBe(true);
  });
});
