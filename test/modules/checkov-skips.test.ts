/** Every check skipped in .checkov.yaml is justified beside it and in docs/security-model.md, and nothing else is. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const config = readFileSync(join(root, ".checkov.yaml"), "utf8");
const securityModel = readFileSync(join(root, "docs", "security-model.md"), "utf8");

/** `- CKV_X_1 # justification` lines under skip-check. */
function skipList(): { id: string; justification: string }[] {
  const section = config.split(/^skip-check:\s*$/m)[1] ?? "";
  return [...section.matchAll(/^\s+-\s+(CKV\w+)\s*(?:#\s*(.*))?$/gm)].map((match) => ({
    id: match[1] as string,
    justification: (match[2] ?? "").trim(),
  }));
}

function documentedSkips(): string[] {
  const section = securityModel.split(/^## checkov skips$/m)[1]?.split(/^## /m)[0] ?? "";
  return [...section.matchAll(/^\| (CKV\w+) \|/gm)].map((match) => match[1] as string);
}

describe("checkov skips", () => {
  it("each carries a written justification beside it in .checkov.yaml", () => {
    const skips = skipList();
    expect(skips.length).toBeGreaterThan(0);
    for (const skip of skips) expect(skip.justification.length, skip.id).toBeGreaterThanOrEqual(40);
  });

  it("are exactly the checks justified in docs/security-model.md", () => {
    expect(documentedSkips().sort()).toEqual(
      skipList()
        .map((skip) => skip.id)
        .sort(),
    );
  });

  it("scan only the synthesized Terraform JSON framework", () => {
    expect(config).toMatch(/^framework:\s*\n\s+- terraform_json\s*$/m);
  });
});
