/**
 * Who writes a saved object back when the state of earlier runs is restored (environment-store.ts). The artifacts
 * bucket's policy lets only the deployer role write the job's code, configuration, reference data and keys, and only
 * the job role (from its VPC) write the job's state and temporary files (stacks/sentinel-stack.ts, restrictWriters):
 * each such object goes back as that principal, as it was written on AWS. Everything else goes back as the harness.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { DEPLOYED_ARTIFACT_PREFIXES, JOB_WRITTEN_ARTIFACT_PREFIXES } from "../../contracts/data-layout";
import type { ObjectWriters } from "./environment-store";

export interface StateWriters {
  /** The local deployer (the data producer, the AWS services). */
  readonly harness: S3Client;
  /** The environment's deployer role. */
  readonly deployerRole: S3Client;
  /** The Glue job's role, through its VPC's S3 gateway endpoint. */
  readonly job: S3Client;
}

export function stateWriters(writers: StateWriters): ObjectWriters {
  return (tier, key) => {
    if (tier !== "artifacts") return writers.harness;
    if (JOB_WRITTEN_ARTIFACT_PREFIXES.some((prefix) => key.startsWith(prefix))) return writers.job;
    return DEPLOYED_ARTIFACT_PREFIXES.some((prefix) => key.startsWith(prefix)) ? writers.deployerRole : writers.harness;
  };
}
