/** `sentinel lineage list|show|graph`. */
import { Option, type Command } from "commander";
import { DirectoryLineageArchive, S3LineageArchive, type LineageArchive } from "../lineage/lineage-archive";
import { lineageGraph, recordsOfRun, summarizeRuns, type GraphDirection } from "../lineage/lineage-query";
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
  if (bucket === undefined || bucket === "") command.error("give --bucket <name> or --dir <path> (or set LINEAGE_AUDIT_BUCKET)", { exitCode: 2, code: "sentinel.usage" });
  return new S3LineageArchive(context.clients().s3, bucket, validator, options.namespace);
}

export function registerLineageCommands(program: Command, context: CliContext): void {
  const lineage = program.command("lineage").description("query OpenLineage records of pipeline runs");

  withSourceOptions(lineage.command("list"))
    .description("list job runs (newest first), optionally only those that read or wrote a dataset")
    .option("--dataset <uri>", "dataset URI or prefix, e.g. s3://my-processed-bucket/card-transactions")
    .option("--json", "print JSON instead of a table")
    .action(async (options: SourceOptions & { dataset?: string; json?: boolean }, command: Command) => {
      const runs = summarizeRuns(await archiveOf(options, command, context).records(), options.dataset);
      if (options.json === true) {
        context.io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
      } else {
        const count = (value: number | undefined) => (value === undefined ? "-" : String(value));
        context.io.stdout(
          textTable(
            ["STARTED", "STATE", "JOB", "RUN ID", "PIPELINE RUN", "ROWS IN", "OUT", "QUARANTINED", "INVALID"],
            runs.map((run) => [run.startedAt ?? "-", run.state, run.job, run.runId, run.pipelineRunId ?? "-", count(run.rowsIn), count(run.rowsOut), count(run.rowsQuarantined), String(run.invalidRecords)]),
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
      context.io.stdout(`${JSON.stringify(records.map((record) => ({ location: record.location, valid: record.problems.length === 0, problems: record.problems, record: record.event })), null, 2)}\n`);
      if (records.some((record) => record.problems.length > 0)) context.exitCode = 1;
    });

  withSourceOptions(lineage.command("graph"))
    .description("print the dataset/job lineage graph as a Mermaid flowchart")
    .option("--dataset <uri>", "centre the graph on a dataset URI or prefix")
    .addOption(new Option("--direction <direction>", "with --dataset: which side to follow").choices(["upstream", "downstream", "both"]).default("both"))
    .action(async (options: SourceOptions & { dataset?: string; direction: GraphDirection }, command: Command) => {
      const graph = lineageGraph(await archiveOf(options, command, context).records(), options.dataset, options.direction);
      context.io.stdout(toMermaid(graph));
      if (options.dataset !== undefined && graph.nodes.size === 0) {
        context.io.stderr(`no dataset matches ${options.dataset}\n`);
        context.exitCode = 1;
      }
    });
}
