/**
 * A Glue Data Quality ruleset (DQDL) on each processed table, derived from the profile's validation
 * rules and the job's output: what validation promised about the processed rows, checked again where
 * data scientists read them. Tokenized columns are checked for completeness only (their values are
 * tokens, not the raw formats the profile's patterns describe), and value rules apply to columns that
 * cannot be null, since DQDL counts a null as a failed value.
 */
import { GlueDataQualityRuleset } from "@cdktf/provider-aws/lib/glue-data-quality-ruleset";
import { Construct } from "constructs";
import type { DatasetProfile } from "../../contracts/dataset-profiles";
import type { JobOutputSchema } from "../../contracts/job-output-schema";

/** Columns the job adds to every processed row that are never null. */
const ALWAYS_PRESENT = ["source_file", "run_id", "anomaly_score", "is_anomaly"] as const;

/** DQDL rules for the processed table of `profile`. */
export function processedTableRules(profile: DatasetProfile, schema: JobOutputSchema): string[] {
  const rules = ["RowCount > 0"];
  const outputColumns = new Set(schema.processed.map((column) => column.name));
  for (const column of profile.columns) {
    if (column.nullable) continue;
    const name = quote(column.name);
    rules.push(`IsComplete ${name}`);
    if (profile.tokenized.has(column.name)) continue;
    if (column.allowed !== undefined) rules.push(`ColumnValues ${name} in [${column.allowed.map(literal).join(", ")}]`);
    if (column.min !== undefined) rules.push(`ColumnValues ${name} >= ${column.min}`);
    if (column.max !== undefined) rules.push(`ColumnValues ${name} <= ${column.max}`);
    if (column.pattern !== undefined && column.type === "string") rules.push(`ColumnValues ${name} matches ${quote(column.pattern)}`);
  }
  for (const derived of ALWAYS_PRESENT) {
    if (outputColumns.has(derived)) rules.push(`IsComplete ${quote(derived)}`);
  }
  return rules;
}

export function dqdl(rules: readonly string[]): string {
  return `Rules = [\n  ${rules.join(",\n  ")}\n]`;
}

function quote(text: string): string {
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

function literal(value: string | number): string {
  return typeof value === "number" ? String(value) : quote(value);
}

export interface ProcessedDataQualityProps {
  /** e.g. sentinel-dev-card-transactions-processed. */
  readonly rulesetName: string;
  readonly profile: DatasetProfile;
  readonly schema: JobOutputSchema;
  readonly databaseName: string;
  readonly tableName: string;
}

export class ProcessedDataQuality extends Construct {
  readonly rulesetName: string;
  readonly rules: readonly string[];

  constructor(scope: Construct, id: string, props: ProcessedDataQualityProps) {
    super(scope, id);
    this.rules = processedTableRules(props.profile, props.schema);
    new GlueDataQualityRuleset(this, "ruleset", {
      name: props.rulesetName,
      description: `What validation guarantees about ${props.profile.name} processed rows`,
      ruleset: dqdl(this.rules),
      targetTable: { databaseName: props.databaseName, tableName: props.tableName },
    });
    this.rulesetName = props.rulesetName;
  }
}
