/**
 * Every resource of one stack, resolved once, with S3 buckets' companion resources (encryption,
 * versioning, public-access block, policy, logging) looked up by the bucket they configure.
 */
import type { TerraformStack } from "cdktf";
import { asResolvedElement, type ResolvedElement } from "./resolved-resources";

const BUCKET_COMPANION_TYPES = [
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_logging",
] as const;
export type BucketCompanionType = (typeof BUCKET_COMPANION_TYPES)[number];

export class StackInventory {
  readonly elements: ReadonlyMap<string, ResolvedElement>;
  private readonly companions = new Map<string, ResolvedElement[]>();

  constructor(stack: TerraformStack) {
    const elements = new Map<string, ResolvedElement>();
    for (const node of stack.node.findAll()) {
      const element = asResolvedElement(node);
      if (element === undefined) continue;
      elements.set(node.node.path, element);
      if ((BUCKET_COMPANION_TYPES as readonly string[]).includes(element.type)) {
        const bucket = element.config.bucket;
        if (typeof bucket === "string") this.companions.set(bucket, [...(this.companions.get(bucket) ?? []), element]);
      }
    }
    this.elements = elements;
  }

  /** Every element of one Terraform type. */
  ofType(type: string): ResolvedElement[] {
    return [...this.elements.values()].filter((element) => element.type === type);
  }

  /** Companions of `type` that configure `bucket` (referenced by id, by name attribute or literally). */
  companionsOf(bucket: ResolvedElement, type: BucketCompanionType): ResolvedElement[] {
    const references = [`\${aws_s3_bucket.${bucket.logicalId}.id}`, `\${aws_s3_bucket.${bucket.logicalId}.bucket}`];
    if (typeof bucket.config.bucket === "string") references.push(bucket.config.bucket);
    return references.flatMap((reference) => this.companions.get(reference) ?? []).filter((element) => element.type === type);
  }
}
