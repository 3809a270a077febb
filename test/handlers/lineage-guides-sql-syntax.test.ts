/**
 * The guides' SQL examples as Athena syntax. Their results are proven in DuckDB (lineage-guides.e2e.test.ts);
 * Athena itself is not here, and the emulator's Athena (moto 5.2.5) stores queries without running them
 * (GetQueryResults returns what a test queued), so it can prove nothing about SQL. What this adds: every
 * example parses in sqlglot's Athena dialect (sqlglot 30.30.0, requirements.txt), calls only functions
 * sqlglot knows, and is already in the form sqlglot writes for Athena, so DuckDB-only syntax fails
 * (support/guide_sql_syntax.py). Not proven: that Athena resolves the tables, columns and functions with
 * these types, or returns the documented rows.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const GUIDES = ["docs/auditor-guide.md", "docs/data-consumer-guide.md"];
const PYTHON = resolve(".venv/bin/python");

function problemsOf(queries: readonly string[]): string[][] {
  const output = execFileSync(PYTHON, [resolve("test/handlers/support/guide_sql_syntax.py")], {
    input: JSON.stringify({ queries }),
    encoding: "utf8",
  });
  return JSON.parse(output) as string[][];
}

function sqlExamplesOf(guide: string): string[] {
  return [...readFileSync(guide, "utf8").matchAll(/^```sql[^\n]*\n([\s\S]*?)^```\s*$/gm)].map((match) => match[1] ?? "");
}

describe("the guides' SQL as Athena syntax (sqlglot)", () => {
  it.each(GUIDES)("every SQL example of %s is Athena SQL as sqlglot writes it", (guide) => {
    const queries = sqlExamplesOf(guide);
    expect(queries.length).toBeGreaterThanOrEqual(3);
    const problems = problemsOf(queries);
    queries.forEach((query, i) => expect(problems[i], query).toEqual([]));
  });

  it("refuses syntax DuckDB runs and Athena does not, and accepts Athena's own", () => {
    const duckdbOnly = [
      "SELECT amount::int FROM sentinel_local_processed.card_transactions",
      "SELECT * EXCLUDE (email) FROM sentinel_local_processed.card_transactions",
      "SELECT channel FROM sentinel_local_processed.card_transactions WHERE channel ILIKE 'atm'",
      "SELECT list_transform(outputs, o -> o.name) FROM sentinel_local_lineage.run_events",
      "FROM sentinel_local_lineage.run_events SELECT eventtype",
      "SELECT [1, 2] AS numbers",
      "SELEC eventtype FROM sentinel_local_lineage.run_events",
    ];
    for (const [i, problems] of problemsOf(duckdbOnly).entries()) expect(problems.length, duckdbOnly[i]).toBeGreaterThan(0);
    const athena = [
      "SELECT CAST(amount AS INTEGER) FROM sentinel_local_processed.card_transactions WHERE ingestion_date = DATE '2026-03-01'",
      "SELECT ARRAY[1, 2] AS numbers",
      "SELECT o.name FROM sentinel_local_lineage.run_events CROSS JOIN UNNEST(outputs) AS t(o);",
    ];
    expect(problemsOf(athena)).toEqual([[], [], []]);
  });
});
