/**
 * The AWS services the platform calls, as provider endpoint keys (hashicorp/aws 6.x `endpoints` block).
 * The emulator environment's provider (stacks/aws-provider.ts) and the override that points any
 * synthesized stack at the local emulator (tools/terraform/emulator-override.ts) both redirect exactly
 * these. (Runs also set AWS_ENDPOINT_URL, so a service missing here still reaches the emulator rather
 * than AWS.)
 */
export const EMULATED_SERVICES = [
  "cloudformation",
  "cloudwatch",
  "databrew",
  "ec2",
  "events",
  "glue",
  "iam",
  "kms",
  "lambda",
  "logs",
  "s3",
  "s3control",
  "scheduler",
  "secretsmanager",
  "sns",
  "sqs",
  "ssm",
  "sts",
] as const;
