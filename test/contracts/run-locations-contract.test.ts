/**
 * The run locations have two sides: contracts/run-locations.ts names each location's Glue job argument, and
 * the job (glue-jobs/sentinel_etl/glue_entry.py) parses them. This asks the job's own module which arguments
 * it reads, so a location added, renamed or made optional on one side only fails here, naming it.
 */
import { describe, expect, it } from "vitest";
import { askTheJob } from "./support/ask-the-job";
import { RUN_LOCATIONS, RUN_LOCATION_NAMES } from "../../contracts/run-locations";

interface JobArguments {
  readonly arguments: string[];
  readonly optional: string[];
}

function argumentsOfTheJob(): JobArguments {
  return askTheJob<JobArguments>("the job's arguments", [
    "from sentinel_etl import glue_entry as g",
    "print(json.dumps({'arguments': list(g.REQUIRED), 'optional': list(g.OPTIONAL_LOCATIONS)}))",
  ]);
}

const LOCATION_ARGUMENT = /_(location|prefix)$/;

describe("run locations contract between contracts/run-locations.ts and the Glue job", () => {
  const job = argumentsOfTheJob();
  const declared = RUN_LOCATION_NAMES.map((name) => RUN_LOCATIONS[name].jobArgument.slice(2));

  it("the job reads every declared location argument", () => {
    const missing = declared.filter((argument) => !job.arguments.includes(argument));
    expect(missing, `declared in contracts/run-locations.ts but not read by glue_entry.py: ${missing.join(", ")}`).toEqual([]);
  });

  it("the job reads no location argument that is not declared", () => {
    const undeclared = job.arguments.filter((argument) => LOCATION_ARGUMENT.test(argument) && !declared.includes(argument));
    expect(undeclared, `read by glue_entry.py but not declared in contracts/run-locations.ts: ${undeclared.join(", ")}`).toEqual([]);
  });

  it("both sides agree which locations are optional", () => {
    const optional = RUN_LOCATION_NAMES.filter((name) => RUN_LOCATIONS[name].optional).map((name) =>
      RUN_LOCATIONS[name].jobArgument.slice(2),
    );
    expect([...job.optional].sort()).toEqual([...optional].sort());
  });
});
