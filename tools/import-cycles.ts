/**
 * Import cycles in the TypeScript tree, by file or by folder: the strongly connected components of the
 * graph of relative imports (Tarjan's algorithm). Used by test/tools/import-cycles.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const IMPORT = /(?:import|export)[^"';]*?from\s+["'](\.{1,2}\/[^"']+)["']/g;

/** Every .ts/.mjs file under `folders` (relative to `root`), node_modules left out. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  return folders.flatMap((folder) =>
    readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.(ts|mjs)$/.test(entry.name) && !entry.parentPath.includes("node_modules"))
      .map((entry) => relative(root, join(entry.parentPath, entry.name))),
  );
}

/** `file -> imported file` edges (extensions dropped), or `folder -> imported folder` with `byFolder`. */
export function importGraph(root: string, files: readonly string[], byFolder: boolean): Map<string, Set<string>> {
  const node = (path: string) => (byFolder ? dirname(path) : path.replace(/\.(ts|mjs|js)$/, ""));
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    for (const match of readFileSync(join(root, file), "utf8").matchAll(IMPORT)) {
      const from = node(file);
      const to = node(relative(root, resolve(root, dirname(file), match[1] as string)));
      if (from === to) continue;
      graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

/** The cycles of `graph`: each strongly connected component with more than one node, sorted. */
export function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}
