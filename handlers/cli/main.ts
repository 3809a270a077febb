/**
 * `sentinel`: the auditor CLI. Reads lineage records (lineage bucket or a local directory) and verifies
 * audit trails, against AWS with the default credential chain or against the local emulator
 * (`--endpoint-url`). Exit codes: 0 fine, 1 a verification or schema check failed, 2 bad usage.
 */
import { Command, CommanderError, Option } from "commander";
import { KMSClient } from "@aws-sdk/client-kms";
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { S3Client } from "@aws-sdk/client-s3";
import { clientConfig } from "../shared/aws-clients";
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
    .addOption(
      new Option(
        "--ca-bundle <file>",
        "PEM file of CAs to trust besides the default ones, as the AWS CLI's (e.g. the local emulator's certificate)",
      ),
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: context.io.stdout, writeErr: context.io.stderr });
  registerLineageCommands(program, context);
  registerAuditCommands(program, context);
  return program;
}

interface GlobalOptions {
  readonly endpointUrl?: string;
  readonly region?: string;
  readonly caBundle?: string;
}

/** The clients every command uses, made once per invocation from the global options. */
function cliClients(options: GlobalOptions): CliClients {
  // verification stays on: the bundle's CAs are trusted beside Node's own
  const trust =
    options.caBundle === undefined
      ? {}
      : {
          requestHandler: {
            httpsAgent: new Agent({ ca: [...rootCertificates, readFileSync(options.caBundle, "utf8")], keepAlive: true }),
          },
        };
  const config = { ...clientConfig({ endpoint: options.endpointUrl, region: options.region }), ...trust };
  return {
    s3: new S3Client({ ...config, forcePathStyle: options.endpointUrl !== undefined }),
    logs: new CloudWatchLogsClient(config),
    kms: new KMSClient(config),
  };
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let clients: CliClients | undefined;
  const context: CliContext = {
    io,
    // called from command actions, after parsing has set the global options
    clients() {
      clients ??= cliClients(program.opts<GlobalOptions>());
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
