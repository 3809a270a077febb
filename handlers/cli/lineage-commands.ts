/**
 * `sentinel lineage list|show|graph|columns`. Exit 1 when nothing matches (as for a failed check), so a
 * script can tell "no such run" from an empty but successful answer.
 */
import { Option, type Command } from "commander";
import { DirectoryLineageArchive, S3LineageArchive, type LineageArchive } from "../lineage/lineage-archive";
import {
  columnUses,
  lineageGraph,
  recordsOfRun,
  runsSince,
  sinceInstant,
  summarizeRuns,
  type GraphDirection,
} from "../lineage/lineage-query";
import { OpenLineageValidator } from "../lineage/openlineage-validator";
import type { CliContext } from "./cli-context";
import { toMermaid } from "./mermaid";
import { textTable } from "./text-table";

interface SourceOptions {
  readonly bucket?: string;
  readonly dir?: string;
  readonly namespace?: string;
}

function withSourceOptions(command: Command): Command {
  return command
    .addOption(new Option("--bucket <name>", "lineage bucket (default: $LINEAGE_AUDIT_BUCKET)").conflicts("dir"))
    .addOption(new Option("--dir <path>", "read records from a local directory instead (e.g. a copy made with aws s3 sync)"))
    .addOption(new Option("--namespace <namespace>", "only this OpenLineage namespace, e.g. sentinel-prod"));
}

function archiveOf(options: SourceOptions, command: Command, context: CliContext): LineageArchive {
  const validator = new OpenLineageValidator();
  if (options.dir !== undefined) return new DirectoryLineageArchive(options.dir, validator);
  const bucket = options.bucket ?? context.io.env.LINEAGE_AUDIT_BUCKET;
  if (bucket === undefined || bucket === "")
    command.error("give --bucket <name> or --dir <path> (or set LINEAGE_AUDIT_BUCKET)", { exitCode: 2, code: "sentinel.usage" });
  return new S3LineageArchive(context.clients().s3, bucket, validator, options.namespace);
}

function sinceOption(since: string | undefined, command: Command): string | undefined {
  if (since === undefined) return undefined;
  try {
    return sinceInstant(since, new Date());
  } catch (error) {
    return command.error((error as Error).message, { exitCode: 2, code: "sentinel.usage" });
  }
}

export function registerLineageCommands(program: Command, context: CliContext): void {
  const lineage = program.command("lineage").description("query OpenLineage records of pipeline runs");

  withSourceOptions(lineage.command("list"))
    .description("list job and pipeline runs (newest first), optionally only those that read or wrote a dataset or ran recently")
    .option("--dataset <uri>", "dataset URI or prefix, e.g. s3://sentinel-prod-processed-<account>/processed/card-transactions")
    .option("--since <when>", "only runs whose latest record is this recent: 7d, 24h, 30m or an ISO date")
    .option("--json", "print JSON instead of a table")
    .action(async (options: SourceOptions & { dataset?: string; since?: string; json?: boolean }, command: Command) => {
      const since = sinceOption(options.since, command);
      const all = summarizeRuns(await archiveOf(options, command, context).records(), options.dataset);
      const runs = since === undefined ? all : runsSince(all, since);
      if (runs.length === 0) {
        context.io.stderr(
          `no runs found${options.dataset === undefined ? "" : ` touching ${options.dataset}`}${options.since === undefined ? "" : ` since ${options.since}`}\n`,
        );
        context.exitCode = 1;
        return;
      }
      if (options.json === true) {
        context.io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
      } else {
        const count = (value: number | undefined) => (value === undefined ? "-" : String(value));
        context.io.stdout(
          textTable(
            ["STARTED", "STATE", "JOB", "RUN ID", "PIPELINE RUN", "ROWS IN", "OUT", "QUARANTINED", "INVALID"],
            runs.map((run) => [
              run.startedAt ?? "-",
              run.state,
              run.job,
              run.runId,
              run.pipelineRunId ?? "-",
              count(run.rowsIn),
              count(run.rowsOut),
              count(run.rowsQuarantined),
              String(run.invalidRecords),
            ]),
          ),
        );
      }
      if (runs.some((run) => run.invalidRecords > 0)) context.exitCode = 1;
    });

  withSourceOptions(lineage.command("show"))
    .description("print every record of a job run (OpenLineage run id) or of a pipeline run (pipeline run id)")
    .argument("<run-id>", "OpenLineage run id or pipeline run id")
    .action(async (runId: string, options: SourceOptions, command: Command) => {
      const records = recordsOfRun(await archiveOf(options, command, context).records(), runId);
      if (records.length === 0) {
        context.io.stderr(`no lineage records for run ${runId}\n`);
        context.exitCode = 1;
        return;
      }
      context.io.stdout(
        `${JSON.stringify(
          records.map((record) => ({
            location: record.location,
            valid: record.problems.length === 0,
            problems: record.problems,
            record: record.event,
          })),
          null,
          2,
        )}\n`,
      );
      if (records.some((record) => record.problems.length > 0)) context.exitCode = 1;
    });

  withSourceOptions(lineage.command("columns"))
    .description("which runs read an input column, which output columns derive from it, and whether each derivation was masked")
    .requiredOption("--column <name>", "input column, e.g. email")
    .option("--since <when>", "only records this recent: 7d, 24h, 30m or an ISO date")
    .option("--dataset <uri>", "only runs that read or wrote a dataset URI or prefix")
    .option("--json", "print JSON instead of a table")
    .action(async (options: SourceOptions & { column: string; since?: string; dataset?: string; json?: boolean }, command: Command) => {
      const since = sinceOption(options.since, command);
      const uses = columnUses(await archiveOf(options, command, context).records(), options.column, { since, dataset: options.dataset });
      if (uses.length === 0) {
        context.io.stderr(
          `no run read column ${options.column}${options.since === undefined ? "" : ` since ${options.since}`}${options.dataset === undefined ? "" : ` touching ${options.dataset}`}\n`,
        );
        context.exitCode = 1;
        return;
      }
      if (options.json === true) {
        context.io.stdout(`${JSON.stringify(uses, null, 2)}\n`);
        return;
      }
      context.io.stdout(
        textTable(
          ["TIME", "STATE", "JOB", "RUN ID", "OUTPUT COLUMN", "MASKED", "HOW", "DESCRIPTION"],
          uses.map((use) => [
            use.eventTime,
            use.state,
            use.job,
            use.runId,
            use.output === undefined ? "-" : `${use.output}#${use.outputColumn ?? ""}`,
            use.output === undefined ? "-" : use.masked ? "yes" : "no",
            use.transformations.join(" > ") || "-",
            use.description,
          ]),
        ),
      );
    });

  withSourceOptions(lineage.command("graph"))
    .description("print the dataset/job lineage graph as a Mermaid flowchart")
    .option("--dataset <uri>", "centre the graph on a dataset URI or prefix")
    .addOption(
      new Option("--direction <direction>", "with --dataset: which side to follow")
        .choices(["upstream", "downstream", "both"])
        .default("both"),
    )
    .action(async (options: SourceOptions & { dataset?: string; direction: GraphDirection }, command: Command) => {
      const graph = lineageGraph(await archiveOf(options, command, context).records(), options.dataset, options.direction);
      context.io.stdout(toMermaid(graph));
      if (options.dataset !== undefined && graph.nodes.size === 0) {
        context.io.stderr(`no dataset matches ${options.dataset}\n`);
        context.exitCode = 1;
      }
    });
}
