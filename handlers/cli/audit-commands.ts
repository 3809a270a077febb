/** `sentinel audit verify`. */
import { Option, type Command } from "commander";
import { verifyAuditTrail } from "../audit/audit-trail";
import { ChainIndex } from "../audit/chain-index";
import type { CliContext } from "./cli-context";

interface VerifyOptions {
  readonly runId: string;
  readonly logGroup?: string;
  readonly bucket?: string;
  readonly index: boolean;
  readonly json?: boolean;
}

export function registerAuditCommands(program: Command, context: CliContext): void {
  const audit = program.command("audit").description("check the tamper-evident audit trail");
  audit
    .command("verify")
    .description("re-read a pipeline run's audit log stream and verify its hash chain against the chain index; exit 1 naming the first broken event")
    .requiredOption("--run-id <id>", "pipeline run id (the log stream name)")
    .addOption(new Option("--log-group <name>", "audit log group (default: $AUDIT_LOG_GROUP_NAME)"))
    .addOption(new Option("--bucket <name>", "bucket holding the chain index (default: $LINEAGE_AUDIT_BUCKET)"))
    .option("--no-index", "verify the chain alone, without the chain index (cannot detect a deleted tail)")
    .option("--json", "print the report as JSON")
    .action(async (options: VerifyOptions, command: Command) => {
      const logGroupName = options.logGroup ?? context.io.env.AUDIT_LOG_GROUP_NAME;
      if (logGroupName === undefined || logGroupName === "") command.error("give --log-group <name> (or set AUDIT_LOG_GROUP_NAME)", { exitCode: 2, code: "sentinel.usage" });
      const bucket = options.bucket ?? context.io.env.LINEAGE_AUDIT_BUCKET;
      if (options.index && (bucket === undefined || bucket === "")) command.error("give --bucket <name> (or set LINEAGE_AUDIT_BUCKET), or --no-index", { exitCode: 2, code: "sentinel.usage" });
      const { logs, s3 } = context.clients();
      const report = await verifyAuditTrail({ logs, logGroupName, runId: options.runId, index: options.index && bucket !== undefined ? new ChainIndex(s3, bucket) : undefined });
      const { verification } = report;
      if (options.json === true) {
        context.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const indexed = report.indexEventCount === undefined ? "chain index not used" : `${report.indexEventCount} in the chain index`;
        context.io.stdout(`run ${report.runId}: ${report.logEventCount} events in ${logGroupName}/${report.runId}${report.streamExists ? "" : " (stream not found)"}, ${indexed}\n`);
        if (verification.ok) {
          const head = verification.head === undefined ? "empty chain" : `head seq ${verification.head.seq} sha256 ${verification.head.hash}`;
          context.io.stdout(`OK: hash chain intact, ${head}\n`);
          if (report.indexEventCount === undefined) context.io.stdout("note: without the chain index a deleted tail of the stream would go unnoticed\n");
        } else {
          const { broken } = verification;
          context.io.stdout(`TAMPERED: first broken event ${broken.seq === undefined ? "(unreadable)" : `seq ${broken.seq}`} at stream position ${broken.position + 1}: ${broken.reason}\n`);
        }
      }
      if (!verification.ok) context.exitCode = 1;
    });
}
