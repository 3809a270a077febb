/**
 * `sentinel`: the auditor CLI. Reads lineage records (lineage bucket or a local directory) and verifies
 * audit trails, against AWS with the default credential chain or against the local emulator
 * (`--endpoint-url`). Exit codes: 0 fine, 1 a verification or schema check failed, 2 bad usage.
 */
import { Command, CommanderError, Option } from "commander";
import { KMSClient } from "@aws-sdk/client-kms";
import { clientConfig, logsClient, s3Client } from "../shared/aws-clients";
import { registerAuditCommands } from "./audit-commands";
import type { CliClients, CliContext, CliIo } from "./cli-context";
import { registerLineageCommands } from "./lineage-commands";

export type { CliClients, CliContext, CliIo } from "./cli-context";

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export function buildProgram(context: CliContext): Command {
  const program = new Command("sentinel")
    .description("Sentinel auditor CLI: query OpenLineage lineage records and verify hash-chained audit trails")
    .addOption(
      new Option("--endpoint-url <url>", "AWS API endpoint, e.g. the local emulator http://127.0.0.1:5000 (default: the AWS SDK's own)"),
    )
    .addOption(new Option("--region <region>", "AWS region (default: AWS_REGION or the shared config)"))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: context.io.stdout, writeErr: context.io.stderr });
  registerLineageCommands(program, context);
  registerAuditCommands(program, context);
  return program;
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let clients: CliClients | undefined;
  const context: CliContext = {
    io,
    // called from command actions, after parsing has set the global options
    clients() {
      const options = program.opts<{ endpointUrl?: string; region?: string }>();
      const aws = { endpoint: options.endpointUrl, region: options.region };
      clients ??= { s3: s3Client(aws), logs: logsClient(aws), kms: new KMSClient(clientConfig(aws)) };
      return clients;
    },
    exitCode: 0,
  };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.stderr(`sentinel: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 2;
  }
}
