/**
 * The job refuses any location outside what glue-jobs/sentinel_etl/location_policy.py derives from
 * environment, account and profile; the stacks build the locations they give the job from
 * modules/storage/platform-buckets.ts and contracts/data-layout.ts. This expands every template the
 * stacks give the job (the trigger's templates and the job's defaults) and asks the job's own policy
 * whether it accepts them, so a bucket name, prefix or tier changed on one side only fails here.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataLayout } from "../../contracts/data-layout";
import { expandTemplate } from "../../contracts/location-placeholders";
import { RUN_LOCATIONS, RUN_LOCATION_NAMES } from "../../contracts/run-locations";
import { platformBucketName } from "../../modules/storage/platform-buckets";

const ROOT = join(import.meta.dirname, "..", "..");
const ACCOUNT = "123456789012";

interface PolicyAnswer {
  readonly arguments: string[];
  readonly refused: Record<string, string>;
}

/** Runs the job's policy over `locations` (job argument -> URI) for one environment and profile. */
function askThePolicy(environment: string, profile: string, runDate: string, locations: Record<string, string>): PolicyAnswer {
  const script = [
    "import json, sys",
    "from sentinel_etl.location_policy import LOCATION_RULES, LocationRefusedError, RunScope",
    "request = json.load(sys.stdin)",
    "scope = RunScope(request['environment'], request['account'], request['profile'], request['run_date'])",
    "refused = {}",
    "for argument, uri in request['locations'].items():",
    "    try:",
    "        scope.check(argument, uri)",
    "    except LocationRefusedError as error:",
    "        refused[argument] = str(error)",
    "print(json.dumps({'arguments': sorted(LOCATION_RULES), 'refused': refused}))",
  ].join("\n");
  const input = JSON.stringify({ environment, account: ACCOUNT, profile, run_date: runDate, locations });
  const result = spawnSync(join(ROOT, ".venv", "bin", "python"), ["-c", script], {
    encoding: "utf8",
    input,
    env: { ...process.env, PYTHONPATH: join(ROOT, "glue-jobs") },
  });
  if (result.status !== 0) throw new Error(`python could not evaluate the location policy: ${result.stderr}`);
  return JSON.parse(result.stdout) as PolicyAnswer;
}

function layoutOf(environment: string): DataLayout {
  const name = (tier: "raw" | "processed" | "artifacts" | "lineage-audit") => platformBucketName(`sentinel-${environment}`, tier, ACCOUNT);
  return new DataLayout({
    raw: name("raw"),
    processed: name("processed"),
    artifacts: name("artifacts"),
    lineageAudit: name("lineage-audit"),
  });
}

describe("location policy contract between the stacks' data layout and the Glue job", () => {
  const declared = RUN_LOCATION_NAMES.map((name) => RUN_LOCATIONS[name].jobArgument.slice(2)).sort();

  for (const environment of ["dev", "staging", "prod", "local"]) {
    it(`the job accepts every location the ${environment} stack gives it`, () => {
      const templates = layoutOf(environment).templates;
      const values = { environment, profile: "card-transactions", run_date: "2025-01-31", run_id: "0b6f3c1e-2f55-5d7e-8a41-6c9d0e1f2a3b" };
      const locations = Object.fromEntries(
        RUN_LOCATION_NAMES.map((name) => [RUN_LOCATIONS[name].jobArgument.slice(2), expandTemplate(templates[name], values)]),
      );
      const answer = askThePolicy(environment, "card-transactions", "2025-01-31", locations);
      expect(answer.refused).toEqual({});
      expect(answer.arguments).toEqual(declared);
    });
  }

  it("and refuses the same layout of another environment, account or profile", () => {
    const values = { environment: "dev", profile: "card-transactions", run_date: "2025-01-31", run_id: "r" };
    const devOutput = expandTemplate(layoutOf("dev").templates.outputLocation, values);
    expect(Object.keys(askThePolicy("prod", "card-transactions", "2025-01-31", { output_location: devOutput }).refused)).toEqual([
      "output_location",
    ]);
    expect(Object.keys(askThePolicy("dev", "baf", "2025-01-31", { output_location: devOutput }).refused)).toEqual(["output_location"]);
  });
});
