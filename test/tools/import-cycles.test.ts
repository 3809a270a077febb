/**
 * No module imports itself back through others, and the infrastructure, contract, handler and tooling
 * folders import each other one way only (contracts/ at the bottom). tools/terraform reaches local/ only
 * through local/emulator/, which imports nothing of local/ or tools/, so the local run may use the
 * Terraform tooling without a cycle. Inside local/ the run sits above its players, the service front and
 * the report, which share the job-run records (job-runs/) and the component watch (watch/) below them.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, importGraph, sourceFiles } from "../../tools/import-cycles";

const ROOT = join(import.meta.dirname, "..", "..");
const SOURCES = ["stacks", "modules", "contracts", "handlers", "local", "tools", "bin"];

describe("import cycles", () => {
  const files = sourceFiles(ROOT, SOURCES);

  it("no file imports itself back through others", () => {
    expect(cycles(importGraph(ROOT, files, false))).toEqual([]);
  });

  it("no folder imports itself back through others", () => {
    expect(cycles(importGraph(ROOT, files, true))).toEqual([]);
  });

  it("finds a cycle it is shown", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
      ["d", new Set(["a"])],
    ]);
    expect(cycles(graph)).toEqual([["a", "b", "c"]]);
  });
});
