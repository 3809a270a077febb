/** Lineage graphs as Mermaid flowcharts: rendered by GitHub, and readable as plain text in a terminal. */
import type { LineageGraph } from "../lineage/lineage-query";

/** Mermaid labels sit inside double quotes; a quote inside one is written as an entity. */
function label(text: string): string {
  return `"${text.replaceAll('"', "#quot;")}"`;
}

export function toMermaid(graph: LineageGraph): string {
  const ids = new Map<string, string>();
  const lines = ["flowchart LR"];
  let datasets = 0;
  let jobs = 0;
  for (const [node, kind] of [...graph.nodes].sort(([a], [b]) => a.localeCompare(b))) {
    const id = kind === "dataset" ? `d${datasets++}` : `j${jobs++}`;
    ids.set(node, id);
    // datasets as cylinders, jobs as subroutines
    lines.push(kind === "dataset" ? `  ${id}[(${label(node)})]` : `  ${id}[[${label(node)}]]`);
  }
  for (const [from, to] of [...graph.edges].sort(([a1, a2], [b1, b2]) => a1.localeCompare(b1) || a2.localeCompare(b2))) {
    lines.push(`  ${ids.get(from)} --> ${ids.get(to)}`);
  }
  return `${lines.join("\n")}\n`;
}
