import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { glueFixture, glueSourcesFixture } from "./support/glue-fixture";
import { scopeProblems } from "./support/policy-scope";
import { resourcesOf, synth, type Config, type Synthesized } from "./support/synth";

/** Every resource as `type.logicalId` -> its configuration, as JSON text. */
function resourceTexts(out: Synthesized): Map<string, string> {
  const texts = new Map<string, string>();
  for (const [type, resources] of Object.entries(out.resource ?? {})) {
    for (const [id, config] of Object.entries(resources)) texts.set(`${type}.${id}`, JSON.stringify(config));
  }
  return texts;
}

/** Resources whose configuration differs between two synths (added or removed ones included). */
function changedResources(before: Synthesized, after: Synthesized): string[] {
  const left = resourceTexts(before);
  const right = resourceTexts(after);
  return [...new Set([...left.keys(), ...right.keys()])].filter((key) => left.get(key) !== right.get(key)).sort();
}

const objectWithKey = (out: Synthesized, key: string) =>
  Object.entries(out.resource?.aws_s3_object ?? {}).find(([, config]) => config.key === key) as [string, Record<string, unknown>];

describe("asset hashing: a changed file redeploys that object and nothing else", () => {
  it("gives the same Terraform for unchanged sources, and changes only the script object when the script changes", () => {
    const sources = glueSourcesFixture();
    const first = synth(glueFixture(sources).stack);
    const again = synth(glueFixture(sources).stack);
    expect(changedResources(first, again)).toEqual([]);

    appendFileSync(join(sources.glueJobsDir, "jobs", "sentinel_etl_job.py"), "\n# a change\n");
    const changed = synth(glueFixture(sources).stack);
    const [scriptId, before] = objectWithKey(first, "glue/scripts/sentinel_etl_job.py");
    const [, after] = objectWithKey(changed, "glue/scripts/sentinel_etl_job.py");
    expect(changedResources(first, changed)).toEqual([`aws_s3_object.${scriptId}`]);
    expect(after.source_hash).not.toBe(before.source_hash);
    expect(after.source_hash).toBe(
      createHash("sha256")
        .update(readFileSync(join(sources.glueJobsDir, "jobs", "sentinel_etl_job.py")))
        .digest("hex"),
    );
    expect({ ...after, source: undefined, source_hash: undefined }).toEqual({ ...before, source: undefined, source_hash: undefined });
  });

  /** The job definition changes only in --artifact_digests (the job checks each artifact against it). */
  function onlyDigestsChanged(first: Synthesized, changed: Synthesized): string {
    const [[jobId, before]] = Object.entries(resourcesOf(first, "aws_glue_job")) as [[string, Config]];
    const after = resourcesOf(changed, "aws_glue_job")[jobId] as Config;
    const args = (job: Config) => job.non_overridable_arguments as Record<string, string>;
    expect(args(after)["--artifact_digests"]).not.toBe(args(before)["--artifact_digests"]);
    expect({ ...after, non_overridable_arguments: { ...args(after), "--artifact_digests": "" } }).toEqual({
      ...before,
      non_overridable_arguments: { ...args(before), "--artifact_digests": "" },
    });
    return `aws_glue_job.${jobId}`;
  }

  it("rebuilds the package wheel when a module changes: its object and the job's digest of it change", () => {
    const sources = glueSourcesFixture();
    const first = synth(glueFixture(sources).stack);
    appendFileSync(join(sources.glueJobsDir, "sentinel_etl", "binning.py"), "\n# a change\n");
    const changed = synth(glueFixture(sources).stack);
    const [packageId, before] = objectWithKey(first, "glue/python/sentinel_etl-0.1.0-py3-none-any.whl");
    const [, after] = objectWithKey(changed, "glue/python/sentinel_etl-0.1.0-py3-none-any.whl");
    expect(changedResources(first, changed)).toEqual([onlyDigestsChanged(first, changed), `aws_s3_object.${packageId}`].sort());
    expect(after.source_hash).not.toBe(before.source_hash);
  });

  it("re-uploads a profile when it changes, and the job's digest of it (its DataBrew stack and tables change only if what they use changes)", () => {
    const sources = glueSourcesFixture();
    const first = synth(glueFixture(sources).stack);
    const profilePath = join(sources.glueJobsDir, "config", "profiles", "baf.json");
    const profile = JSON.parse(readFileSync(profilePath, "utf8")) as { anomaly: { seed: number } };
    profile.anomaly.seed = 7;
    writeFileSync(profilePath, JSON.stringify(profile, null, 2));
    const changed = synth(glueFixture(sources).stack);
    const [profileId] = objectWithKey(first, "config/profiles/baf.json");
    expect(changedResources(first, changed)).toEqual([onlyDigestsChanged(first, changed), `aws_s3_object.${profileId}`].sort());
  });
});

describe("the policy scope check used by the Glue and DataBrew tests", () => {
  const policy = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: "Allow", ...statement }] });

  it("flags wildcard actions, open resources and foreign ARNs, and accepts scoped ones", () => {
    expect(scopeProblems(policy({ Action: ["s3:Get*"], Resource: ["arn:aws:s3:::sentinel-test-raw-111122223333/*"] }))).toEqual([
      "S: wildcard action s3:Get*",
    ]);
    expect(scopeProblems(policy({ Action: ["s3:GetObject"], Resource: ["*"] }))).toEqual(['S: "*" for s3:GetObject']);
    expect(scopeProblems(policy({ Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::someone-elses-bucket/*"] }))).toHaveLength(1);
    expect(scopeProblems(policy({ Action: ["glue:GetTable"], Resource: ["arn:aws:glue:eu-central-2:111122223333:*"] }))).toHaveLength(1);
    expect(scopeProblems(policy({ Action: ["ec2:DescribeSubnets"], Resource: ["*"] }))).toEqual([]);
    expect(scopeProblems(policy({ Action: ["logs:PutLogEvents"], Resource: ["${aws_cloudwatch_log_group.g.arn}:log-stream:*"] }))).toEqual(
      [],
    );
  });
});
