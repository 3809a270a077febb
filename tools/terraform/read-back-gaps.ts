/**
 * Attributes the emulator (moto 5.2.5) does not read back as they were applied, so a plan right after a local apply
 * would update them (operations.ts, replanChanges). A declared gap excuses an in-place update of exactly these
 * attributes and nothing else: a replacement, or any other attribute, still fails the local apply's check. The ones
 * fixed in the emulator instead are in local/emulator_read_back.py. Every entry is listed in docs/environments.md.
 */

export interface ReadBackGap {
  /** Terraform resource type. */
  readonly resourceType: string;
  /** Top-level attribute the emulator does not return as applied. */
  readonly attribute: string;
  /** What the emulator answers instead. */
  readonly emulatorGap: string;
}

export const READ_BACK_GAPS: readonly ReadBackGap[] = [
  {
    resourceType: "aws_lambda_function",
    attribute: "dead_letter_config",
    emulatorGap: "GetFunction answers no DeadLetterConfig (moto's Lambda keeps none)",
  },
  {
    resourceType: "aws_lambda_function",
    attribute: "logging_config",
    emulatorGap: "GetFunction answers no LoggingConfig (moto's Lambda keeps none)",
  },
  {
    resourceType: "aws_s3_bucket",
    attribute: "tags_all",
    emulatorGap: "S3 Control ListTagsForResource, which the provider reads bucket tags with, answers no tags",
  },
  {
    resourceType: "aws_s3_bucket_logging",
    attribute: "target_object_key_format",
    emulatorGap: "GetBucketLogging answers no TargetObjectKeyFormat",
  },
  {
    resourceType: "aws_s3_bucket_notification",
    attribute: "eventbridge",
    emulatorGap: "GetBucketNotificationConfiguration answers no EventBridgeConfiguration",
  },
  {
    resourceType: "aws_glue_job",
    attribute: "execution_class",
    emulatorGap: "GetJob answers ExecutionClass STANDARD for a job created without one",
  },
];

/** Whether a planned change is only an in-place update of declared read-back gaps of its type. */
export function onlyReadBackGaps(type: string, actions: readonly string[], changedAttributes: readonly string[]): boolean {
  const declared = new Set(READ_BACK_GAPS.filter((gap) => gap.resourceType === type).map((gap) => gap.attribute));
  return (
    actions.length === 1 && actions[0] === "update" && changedAttributes.length > 0 && changedAttributes.every((name) => declared.has(name))
  );
}
