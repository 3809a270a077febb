/** `sentinel audit verify`. */
import { readFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { Option, type Command } from "commander";
import { trailIntact, verifyAuditTrail, type AuditTrailReport } from "../audit/audit-trail";
import { ChainIndex } from "../audit/chain-index";
import { kmsPublicKey, pemPublicKey } from "../audit/signed-head";
import type { CliContext } from "./cli-context";

interface VerifyOptions {
  readonly runId: string;
  readonly logGroup?: string;
  readonly bucket?: string;
  readonly index: boolean;
  readonly publicKey?: string;
  readonly signingKey?: string;
  readonly json?: boolean;
}

/** The label each signature finding is printed with: forging, appending and truncation are told apart. */
const FINDING_LABELS = { forged: "FORGED", appended: "APPENDED", truncated: "TRUNCATED", unsigned: "UNSIGNED" } as const;

function printReport(report: AuditTrailReport, logGroupName: string, out: (text: string) => void): void {
  const { verification } = report;
  const indexed = report.indexEventCount === undefined ? "chain index not used" : `${report.indexEventCount} in the chain index`;
  out(
    `run ${report.runId}: ${report.logEventCount} events in ${logGroupName}/${report.runId}${report.streamExists ? "" : " (stream not found)"}, ${indexed}\n`,
  );
  if (verification.ok) {
    const head = verification.head === undefined ? "empty chain" : `head seq ${verification.head.seq} sha256 ${verification.head.hash}`;
    out(`OK: hash chain intact, ${head}\n`);
    if (report.indexEventCount === undefined) out("note: without the chain index a deleted tail of the stream would go unnoticed\n");
  } else {
    const { broken } = verification;
    out(
      `TAMPERED: first broken event ${broken.seq === undefined ? "(unreadable)" : `seq ${broken.seq}`} at stream position ${broken.position + 1}: ${broken.reason}\n`,
    );
  }
  for (const rewritten of report.rewritten) {
    out(
      `OVERWRITTEN: ${rewritten.key} has ${rewritten.laterVersions} later version(s) and ${rewritten.deleteMarkers} delete marker(s); the oldest version was verified\n`,
    );
  }
  if (report.signatures === undefined) {
    out("note: signed heads not checked (give --public-key <pem> or --signing-key <arn>)\n");
    return;
  }
  for (const finding of report.signatures.findings) out(`${FINDING_LABELS[finding.kind]}: ${finding.message}\n`);
  if (report.signatures.findings.length === 0)
    out(`OK: signed through seq ${report.signatures.signedThrough} (${report.signatures.validHeads} valid signed heads)\n`);
}

export function registerAuditCommands(program: Command, context: CliContext): void {
  const audit = program.command("audit").description("check the tamper-evident audit trail");
  audit
    .command("verify")
    .description(
      "re-read a pipeline run's audit log stream and verify its hash chain against the chain index (oldest version of each object) " +
        "and its signed heads with the audit public key; exit 1 naming what was forged, appended, truncated or overwritten",
    )
    .requiredOption("--run-id <id>", "pipeline run id (the log stream name)")
    .addOption(new Option("--log-group <name>", "audit log group (default: $AUDIT_LOG_GROUP_NAME)"))
    .addOption(new Option("--bucket <name>", "bucket holding the chain index (default: $LINEAGE_AUDIT_BUCKET)"))
    .option("--no-index", "verify the chain alone, without the chain index (cannot detect a deleted tail)")
    .addOption(new Option("--public-key <pem-file>", "PEM public key of the audit signing key (no AWS call needed for it)"))
    .addOption(
      new Option(
        "--signing-key <arn>",
        "audit signing key: its public key is read once with KMS GetPublicKey (default: $AUDIT_SIGNING_KEY_ARN)",
      ),
    )
    .option("--json", "print the report as JSON")
    .action(async (options: VerifyOptions, command: Command) => {
      const logGroupName = options.logGroup ?? context.io.env.AUDIT_LOG_GROUP_NAME;
      if (logGroupName === undefined || logGroupName === "")
        command.error("give --log-group <name> (or set AUDIT_LOG_GROUP_NAME)", { exitCode: 2, code: "sentinel.usage" });
      const bucket = options.bucket ?? context.io.env.LINEAGE_AUDIT_BUCKET;
      const signingKey = options.signingKey ?? context.io.env.AUDIT_SIGNING_KEY_ARN;
      const checkSignatures = options.publicKey !== undefined || (signingKey !== undefined && signingKey !== "");
      if ((options.index || checkSignatures) && (bucket === undefined || bucket === "")) {
        command.error("give --bucket <name> (or set LINEAGE_AUDIT_BUCKET): it holds the chain index and the signed heads", {
          exitCode: 2,
          code: "sentinel.usage",
        });
      }
      const { logs, s3, kms } = context.clients();
      let publicKey: KeyObject | undefined;
      if (options.publicKey !== undefined) publicKey = pemPublicKey(readFileSync(options.publicKey, "utf8"));
      else if (checkSignatures && signingKey !== undefined) publicKey = await kmsPublicKey(kms, signingKey);
      const chainObjects = bucket === undefined || bucket === "" ? undefined : new ChainIndex(s3, bucket);
      const report = await verifyAuditTrail({
        logs,
        logGroupName,
        runId: options.runId,
        index: options.index ? chainObjects : undefined,
        signatures: publicKey === undefined || chainObjects === undefined ? undefined : { publicKey, heads: chainObjects },
      });
      if (options.json === true) context.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(report, logGroupName, context.io.stdout);
      if (!trailIntact(report)) context.exitCode = 1;
    });
}
