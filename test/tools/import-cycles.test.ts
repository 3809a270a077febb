/**
 * No module imports itself back through others, and the infrastructure, contract, handler and tooling
 * folders import each other one way only (contracts/ at the bottom). tools/terraform reaches local/ only
 * through local/emulator/, which imports nothing of local/ or tools/, so the local run may use the
 * Terraform tooling without a cycle. One folder-level cycle is left, inside local/: the run, its players,
 * the service front and the report use each other; it is listed here so it cannot grow unnoticed.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, importGraph, sourceFiles } from "../../tools/import-cycles";

const ROOT = join(import.meta.dirname, "..", "..");
const SOURCES = ["stacks", "modules", "contracts", "handlers", "local", "tools", "bin"];
const KNOWN_LOCAL_CYCLE = ["local/databrew", "local/environment", "local/events", "local/glue", "local/lambda", "local/report", "local/run", "local/services"];

describe("import cycles", () => {
  const files = sourceFiles(ROOT, SOURCES);

  it("no file imports itself back through others", () => {
    expect(cycles(importGraph(ROOT, files, false))).toEqual([]);
  });

  it("no folder-level cycle but the known one inside local/", () => {
    expect(cycles(importGraph(ROOT, files, true))).toEqual([KNOWN_LOCAL_CYCLE]);
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
