import { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { stateWriters } from "../../local/environment/state-writers";

const harness = new S3Client({ region: "eu-central-2" });
const deployerRole = new S3Client({ region: "eu-central-2" });
const job = new S3Client({ region: "eu-central-2" });
const writerOf = stateWriters({ harness, deployerRole, job });

describe("stateWriters: who writes a saved object back", () => {
  it("the job role for the job's state and temporary files, the deployer role for keys and code, in the artifacts bucket", () => {
    expect(writerOf("artifacts", "state/card-transactions/bookmark.json")).toBe(job);
    expect(writerOf("artifacts", "glue/temp/run-1/part-0")).toBe(job);
    expect(writerOf("artifacts", "keys/card-transactions/data-key.json")).toBe(deployerRole);
    expect(writerOf("artifacts", "config/profiles/card-transactions.json")).toBe(deployerRole);
    expect(writerOf("artifacts", "glue/jars/sentinel-tokenization.jar")).toBe(deployerRole);
  });

  it("the harness for everything else, including the same key names in other buckets", () => {
    expect(writerOf("artifacts", "outside-every-listed-prefix/object.json")).toBe(harness);
    expect(writerOf("raw", "state/looks-like-state.json")).toBe(harness);
    expect(writerOf("lineage-audit", "keys/not-a-key.json")).toBe(harness);
  });
});
