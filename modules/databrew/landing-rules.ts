/**
 * The DataBrew ruleset validated by each PII profile job against the landing files: the profile's
 * structural expectations measured before the ETL job runs (rows present, every declared column there,
 * required columns complete, record ids unique). The profile job reports each rule's outcome in its
 * validation report; the ETL job is what quarantines the rows that break them.
 */
import type { DatasetProfile } from "../../contracts/dataset-profiles";
import type { RulesetRule } from "./cloudformation-template";

const value = (text: string) => [{ ValueReference: ":val", Value: text }];

/** Rule names: DataBrew allows 1-128 characters. */
function ruleName(text: string): string {
  return text.slice(0, 128);
}

export function landingRules(profile: DatasetProfile): RulesetRule[] {
  const required = profile.columns.filter((column) => column.required);
  const rules: RulesetRule[] = [
    { Name: "rows-present", CheckExpression: "AGG(ROWS_COUNT) > :val", SubstitutionMap: value("0") },
    { Name: "declared-columns-present", CheckExpression: "AGG(COLUMNS_COUNT) >= :val", SubstitutionMap: value(String(required.length)) },
  ];
  for (const column of required.filter((candidate) => !candidate.nullable)) {
    rules.push({
      Name: ruleName(`${column.name}-complete`),
      CheckExpression: "AGG(MISSING_VALUES_PERCENTAGE) == :val",
      SubstitutionMap: value("0"),
      ColumnSelectors: [{ Name: column.name }],
    });
  }
  rules.push({
    Name: ruleName(`${profile.recordIdColumn}-unique`),
    CheckExpression: "AGG(DUPLICATE_VALUES_COUNT) == :val",
    SubstitutionMap: value("0"),
    ColumnSelectors: [{ Name: profile.recordIdColumn }],
  });
  return rules;
}
