/**
 * Everything the Glue job reads from the artifacts bucket, uploaded by Terraform: the entry script,
 * the transformation package wheel, the dependency wheels and the JVM tokenization jar (prebuilt by `npm run build`, passed in
 * with their digests as the CDK asset pattern does: nothing is built here), the dataset profiles and
 * the merchant mapping (source files, hashed as read). Each file is a TerraformAsset copied into the synthesized stack
 * and an aws_s3_object whose `source_hash` is the file's sha256, so a changed file is uploaded again
 * and an unchanged one is left alone. (`etag` cannot play that role here: with SSE-KMS, S3's ETag is
 * not the MD5 of the content, and Terraform would see a change on every plan.)
 *
 * Object keys are stable (no hashes in them), so a changed script or package changes that object
 * only, never the job definition.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import type { DataBucket } from "../storage/data-bucket";
import { ARTIFACT_PREFIXES, MCC_MAPPING_FILE, type DataLayout } from "../../contracts/data-layout";
import type { DatasetProfile } from "../../contracts/dataset-profiles";

/** The job's entry script, relative to glue-jobs/. */
export const ENTRY_SCRIPT = join("jobs", "sentinel_etl_job.py");
export const MCC_MAPPING_SOURCE = join("reference", MCC_MAPPING_FILE);

/** A file built before synth, with the digest the build recorded. */
export interface PrebuiltFile {
  /** Absolute path; its base name becomes the object's name. */
  readonly path: string;
  /** Hex sha256 of the file. */
  readonly sha256: string;
}

export interface DependencyWheelFile extends PrebuiltFile {
  /** The requirement's name as requirements-glue.txt spells it (names the object's construct). */
  readonly requirement: string;
}

/** What the job ships besides its sources: see tools/build/build-artifacts.ts. */
export interface GlueJobArtifacts {
  /** glue-jobs/ (sources): the entry script and the merchant mapping are read from here. */
  readonly glueJobsDir: string;
  /** The transformation package wheel. */
  readonly jobPackage: PrebuiltFile;
  /** The job's third-party wheels, in requirements-glue.txt order. */
  readonly dependencyWheels: readonly DependencyWheelFile[];
  /** The JVM tokenization functions (glue-jobs/jvm), on the job's classpath through --extra-jars. */
  readonly tokenizationLibrary: PrebuiltFile;
}

export interface GlueJobAssetsProps {
  /** The artifacts bucket; objects are encrypted with its key. */
  readonly bucket: DataBucket;
  /** Gives the object keys of the profile configs and the merchant mapping. */
  readonly layout: DataLayout;
  readonly artifacts: GlueJobArtifacts;
  /** The profiles whose job configs are uploaded (one object each). */
  readonly profiles: readonly DatasetProfile[];
}

/** One uploaded file. */
export interface UploadedArtifact {
  readonly key: string;
  readonly uri: string;
  readonly sha256: string;
  readonly object: S3Object;
}

export class GlueJobAssets extends Construct {
  readonly script: UploadedArtifact;
  readonly transformationPackage: UploadedArtifact;
  readonly dependencyWheels: readonly UploadedArtifact[];
  readonly tokenizationLibrary: UploadedArtifact;
  /** Job config of each profile, by profile name. */
  readonly profileConfigs: ReadonlyMap<string, UploadedArtifact>;
  readonly merchantMapping: UploadedArtifact;
  private readonly props: GlueJobAssetsProps;

  constructor(scope: Construct, id: string, props: GlueJobAssetsProps) {
    super(scope, id);
    this.props = props;
    const { layout } = props;
    const { glueJobsDir, jobPackage } = props.artifacts;

    this.script = this.upload(
      "script",
      join(glueJobsDir, ENTRY_SCRIPT),
      `${ARTIFACT_PREFIXES.scripts}${basename(ENTRY_SCRIPT)}`,
      "text/x-python",
    );
    this.transformationPackage = this.uploadBuilt("package", jobPackage, ARTIFACT_PREFIXES.python, "application/zip");
    this.dependencyWheels = props.artifacts.dependencyWheels.map((wheel) =>
      this.uploadBuilt(`wheel-${wheel.requirement}`, wheel, ARTIFACT_PREFIXES.wheels, "application/zip"),
    );
    this.tokenizationLibrary = this.uploadBuilt(
      "tokenization-jar",
      props.artifacts.tokenizationLibrary,
      ARTIFACT_PREFIXES.jars,
      "application/java-archive",
    );
    this.profileConfigs = new Map(
      props.profiles.map((profile) => [
        profile.name,
        this.upload(`profile-${profile.name}`, profile.path, layout.profileConfigKeyOf(profile.name), "application/json"),
      ]),
    );
    this.merchantMapping = this.upload("merchant-mapping", join(glueJobsDir, MCC_MAPPING_SOURCE), layout.mappingKey, "text/csv");
  }

  /** Every uploaded object, for dependencies (the job must not run before its code is there). */
  get objects(): readonly S3Object[] {
    return [
      this.script,
      this.transformationPackage,
      ...this.dependencyWheels,
      this.tokenizationLibrary,
      ...this.profileConfigs.values(),
      this.merchantMapping,
    ].map((artifact) => artifact.object);
  }

  /** A build output under `prefix`, named as the build named it, with the digest the build recorded. */
  private uploadBuilt(id: string, artifact: PrebuiltFile, prefix: string, contentType: string): UploadedArtifact {
    return this.upload(id, artifact.path, `${prefix}${basename(artifact.path)}`, contentType, artifact.sha256);
  }

  private upload(id: string, sourcePath: string, key: string, contentType: string, knownSha256?: string): UploadedArtifact {
    const sha256 = knownSha256 ?? createHash("sha256").update(readFileSync(sourcePath)).digest("hex");
    const asset = new TerraformAsset(this, `${id}-asset`, { path: sourcePath, type: AssetType.FILE, assetHash: sha256 });
    const bucket = this.props.bucket;
    const object = new S3Object(this, id, {
      // The bucket's id (not its known name) so Terraform creates the bucket first.
      bucket: bucket.bucketId,
      key,
      source: asset.path,
      sourceHash: sha256,
      contentType,
      serverSideEncryption: "aws:kms",
      kmsKeyId: bucket.key.keyArn,
      bucketKeyEnabled: true,
    });
    return { key, uri: `s3://${bucket.bucketName}/${key}`, sha256, object };
  }
}
