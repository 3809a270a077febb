/**
 * The outputs an environment's stack declares (`terraform output -json` after apply): one type that
 * the stack writes (stacks/sentinel-stack.ts, typed by output name) and that the local runtime reads
 * (local/), checked on the way in, instead of bare strings on both sides.
 */
import { z } from "zod";

const names = z.record(z.string(), z.string());

export const stackOutputsSchema = z.object({
  /** Bucket name per tier (raw, processed, archive, artifacts, lineage-audit, access-logs). */
  bucket_names: names,
  /** Customer-managed key ARN per purpose. */
  kms_key_arns: z.object({
    data: z.string(),
    logs: z.string(),
    audit: z.string(),
    operations: z.string(),
    /** Wraps the tokenization data keys; the job also gets it as --tokenization_key_arn. */
    tokenization: z.string(),
    job_bookmarks: z.string(),
    /** HMAC_256: GenerateMac/VerifyMac over the job's fitted state (the Glue job role only). */
    state_authentication: z.string(),
    /** ECC_NIST_P256: Sign for the audit handler, Verify/GetPublicKey for the auditor. */
    audit_signing: z.string(),
    trail: z.string(),
  }),
  vpc_id: z.string(),
  private_subnet_ids: z.array(z.string()),
  glue_security_group_id: z.string(),
  log_group_prefix: z.string(),
  glue_job_name: z.string(),
  /** DataBrew PII profile job per dataset profile. */
  databrew_job_names: names,
  glue_catalog: z.object({
    databases: names,
    processed_tables: names,
    lineage_table: z.string(),
    data_quality_rulesets: names,
  }),
  glue_artifact_uris: z.object({
    script: z.string(),
    transformation_package: z.string(),
    dependency_wheels: z.array(z.string()),
    profile_configs: names,
    merchant_mapping: z.string(),
    wrapped_key_prefix: z.string(),
    state_prefix: z.string(),
    location_templates: names,
  }),
  /** Lambda function name per handler (trigger, lineage, audit). */
  handler_function_names: names,
  dead_letter_queue_urls: names,
  audit_log_group_name: z.string(),
  alarm_topic_arn: z.string(),
  schedule_group_name: z.string(),
  dashboard_name: z.string(),
  consumer_role_arns: z.object({ "data-scientist": z.string(), auditor: z.string(), reidentification: z.string() }),
  /** The CloudTrail trail and its Object-Locked bucket. */
  audit_trail: z.object({ name: z.string(), bucket: z.string() }),
});

export type StackOutputs = z.infer<typeof stackOutputsSchema>;
export type StackOutputName = keyof StackOutputs;
export const STACK_OUTPUT_NAMES = Object.keys(stackOutputsSchema.shape) as StackOutputName[];

export class StackOutputsError extends Error {
  override readonly name = "StackOutputsError";
}

/**
 * The named outputs of applied output values (name -> value), checked against the type; throws naming every
 * missing or malformed one. A reader asks only for what it uses: a local apply may leave out outputs of
 * resources the emulator cannot create.
 */
export function readStackOutputs<Name extends StackOutputName>(
  values: Readonly<Record<string, unknown>>,
  names: readonly Name[],
): Pick<StackOutputs, Name> {
  const parsed = z.object(Object.fromEntries(names.map((name) => [name, stackOutputsSchema.shape[name]]))).safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(outputs)"}: ${issue.message}`);
    throw new StackOutputsError(`the stack has no usable ${problems.join("; ")} (outputs: ${Object.keys(values).join(", ") || "none"})`);
  }
  return parsed.data as unknown as Pick<StackOutputs, Name>;
}
