import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDatasetProfiles } from "../../contracts/dataset-profiles";
import { jobOutputSchemaOf, type RecordedOutputSchemas } from "../../contracts/job-output-schema";
import { describeJobOutput, RECORDING } from "../../tools/glue/job-output-schemas";

const recorded = JSON.parse(readFileSync(RECORDING, "utf8")) as RecordedOutputSchemas;
const profiles = loadDatasetProfiles(join(process.cwd(), "glue-jobs"));

describe("the catalog's record of the job's output", () => {
  it("covers every shipped profile, and agrees with each profile's declared columns", () => {
    expect(Object.keys(recorded).sort()).toEqual(profiles.map((profile) => profile.name).sort());
    for (const profile of profiles) expect(() => jobOutputSchemaOf(profile, recorded)).not.toThrow();
  });

  it("fails synth when a profile declares a column the recording lacks", () => {
    const card = profiles.find((profile) => profile.name === "card-transactions");
    if (card === undefined) throw new Error("card-transactions profile missing");
    const edited = { ...card, columns: [...card.columns, { ...card.columns[0], name: "loyalty_tier" } as (typeof card.columns)[number]] };
    expect(() => jobOutputSchemaOf(edited, recorded)).toThrow(
      /has loyalty_tier as missing, the profile makes it string: run `npm run glue:output-schemas`/,
    );
  });

  it("fails synth when a profile's column type no longer matches what the job writes", () => {
    const card = profiles.find((profile) => profile.name === "card-transactions");
    if (card === undefined) throw new Error("card-transactions profile missing");
    const edited = {
      ...card,
      columns: card.columns.map((column) => (column.name === "amount" ? { ...column, type: "integer" as const } : column)),
    };
    expect(() => jobOutputSchemaOf(edited, recorded)).toThrow(/has amount as double, the profile makes it bigint/);
  });

  // Runs the ETL job itself on local Spark for every profile: slow, and the only proof that the
  // tables describe what the job writes today.
  it("matches what the job writes when it runs", { timeout: 1_800_000 }, () => {
    expect(describeJobOutput()).toEqual(recorded);
  });
});
