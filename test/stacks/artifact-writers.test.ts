/**
 * Who may write each prefix of the artifacts bucket, in every environment as synthesized: the job trusts what it reads
 * there (its script, wheels, JVM library, configuration, reference data, keys and fitted state), so every prefix of
 * contracts/data-layout.ts ARTIFACT_PREFIXES names its writers in the bucket policy. Tried as an insider would: a role
 * whose identity policy allows s3:PutObject on everything, from inside the VPC, is refused on each prefix.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACT_PREFIXES } from "../../contracts/data-layout";
import { buildApp } from "../../stacks/app";
import { loadEnvironments } from "../../stacks/config/environments";
import { decide, referenceResolver, type Caller } from "../modules/support/iam-evaluation";
import { resourcesOf, statementsOf, type Statement, type Synthesized } from "../modules/support/synth";
import { withPlainStackTraces } from "../modules/support/test-stack";

const ACCOUNT = "123456789012";
const writeAnything: Statement[] = [{ Sid: "Everything", Effect: "Allow", Action: ["s3:PutObject"], Resource: ["*"] }];

let outdir: string;
const environments = loadEnvironments();

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "sentinel-artifact-writers-"));
  withPlainStackTraces(() => buildApp({ outdir, environments }).app.synth());
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function artifactsPolicy(environment: string): { statements: Statement[]; bucket: string; sourceVpce: string } {
  const synthesized = JSON.parse(readFileSync(join(outdir, "stacks", environment, "cdk.tf.json"), "utf8")) as Synthesized;
  const resolve = referenceResolver(synthesized, ACCOUNT);
  const bucket = `sentinel-${environment}-artifacts-${ACCOUNT}`;
  const bucketId = Object.entries(resourcesOf(synthesized, "aws_s3_bucket")).find(
    ([, config]) => resolve(String(config.bucket)) === bucket,
  )?.[0];
  const policy = Object.values(resourcesOf(synthesized, "aws_s3_bucket_policy")).find(
    (config) => config.bucket === `\${aws_s3_bucket.${bucketId}.id}`,
  );
  if (bucketId === undefined || policy === undefined) throw new Error(`no bucket policy for ${bucket} in ${environment}`);
  const found = { statements: statementsOf(resolve(String(policy.policy))) };
  // the VPC endpoint the policy expects requests from: the insider writes from inside the VPC
  const sourceVpce = JSON.stringify(found.statements).match(/"aws:SourceVpce":\[?"([^"]+)"/)?.[1];
  if (sourceVpce === undefined) throw new Error(`the artifacts policy of ${environment} names no VPC endpoint`);
  return { statements: found.statements, bucket, sourceVpce };
}

describe.each(environments.map((config) => config.name))("the artifacts bucket of %s", (environment) => {
  const prefixes = Object.entries(ARTIFACT_PREFIXES);

  it.each(prefixes)("refuses a write into %s (%s) by a role that is not its named writer", (_, prefix) => {
    const { statements, bucket, sourceVpce } = artifactsPolicy(environment);
    const insider: Caller = { arn: `arn:aws:iam::${ACCOUNT}:role/sentinel-${environment}-trigger`, identity: writeAnything };
    const request = {
      action: "s3:PutObject",
      resource: `arn:aws:s3:::${bucket}/${prefix}planted`,
      context: { "aws:SourceVpce": sourceVpce },
    };
    expect(decide(statements, "bucket", insider, request, ACCOUNT)).toBe(false);
  });

  it("lets the same role write a key outside every artifact prefix (the refusals above come from the writer lists)", () => {
    const { statements, bucket, sourceVpce } = artifactsPolicy(environment);
    const insider: Caller = { arn: `arn:aws:iam::${ACCOUNT}:role/sentinel-${environment}-trigger`, identity: writeAnything };
    const request = {
      action: "s3:PutObject",
      resource: `arn:aws:s3:::${bucket}/elsewhere/planted`,
      context: { "aws:SourceVpce": sourceVpce },
    };
    expect(decide(statements, "bucket", insider, request, ACCOUNT)).toBe(true);
  });
});
