/** The run summary for the terminal: the facts, aligned, under a one-line verdict. */
import type { RunSummary } from "./run-summary";
import { runFacts } from "./run-facts";

export function summaryText(summary: RunSummary, reportPath: string): string {
  const verdict = summary.outcome === "succeeded" ? "SUCCEEDED" : "FAILED";
  const facts = [...runFacts(summary), { label: "Report", lines: [reportPath] }];
  const width = Math.max(...facts.map((fact) => fact.label.length)) + 2;
  const body = facts.flatMap((fact) =>
    fact.lines.map((line, index) => `  ${(index === 0 ? fact.label : "").padEnd(width)}${fact.warning && index === 0 ? "! " : ""}${line}`),
  );
  return [`\nSentinel local pipeline: ${verdict} in ${summary.totalSeconds.toFixed(1)} s`, ...body, ""].join("\n");
}
