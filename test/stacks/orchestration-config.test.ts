/** The environment settings of the handlers, schedules and alarms: good values load, each bad one is named. */
import { describe, expect, it } from "vitest";
import { loadEnvironments } from "../../stacks/config/environments";
import type { EnvironmentConfigInput } from "../../stacks/config/schema";
import { fractionOutside, integerOutside, problemsOf } from "./support/config-problems";

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
    integerOutside("a negative flexible window", "schedule.flexibleWindowMinutes", -1, [0, 1440]),
    integerOutside("a window over a day", "schedule.flexibleWindowMinutes", 1441, [0, 1440]),
    integerOutside("too many retries", "schedule.retryAttempts", 186, [0, 185]),
    integerOutside("an event age under a minute", "schedule.maximumEventAgeSeconds", 59, [60, 86400]),
    integerOutside("zero reserved concurrency", "handlers.reservedConcurrency.lineage", 0, [1, 100]),
    integerOutside("a fractional concurrency", "handlers.reservedConcurrency.trigger", 1.5, [1, 100]),
    integerOutside("a duration alarm under 5 minutes", "alarms.jobDurationMinutes", 4, [5, 2880]),
    fractionOutside("a quarantine ratio of 1", "alarms.quarantineRatio", 1),
    fractionOutside("a percentage for a fraction", "alarms.anomalyRate", 5),
    [
      "a missing threshold",
      { alarms: { jobDurationMinutes: 45, quarantineRatio: 0.05 } },
      "dev: alarms.anomalyRate must be a number greater than 0 and less than 1",
    ],
  ])("%s", (_label, change, message) => {
    expect(problemsOf(change).some((problem) => problem.startsWith(message))).toBe(true);
  });
});
