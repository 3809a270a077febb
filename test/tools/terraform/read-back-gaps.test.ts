import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { READ_BACK_GAPS, onlyReadBackGaps, type ReadBackGap } from "../../../tools/terraform/read-back-gaps";

/** Gaps as a declaration would list them: the rule is tested on these, independently of what is declared today. */
const DECLARED: readonly ReadBackGap[] = [
  { resourceType: "aws_lambda_function", attribute: "dead_letter_config", emulatorGap: "answers none" },
  { resourceType: "aws_lambda_function", attribute: "logging_config", emulatorGap: "answers none" },
  { resourceType: "aws_s3_bucket", attribute: "tags_all", emulatorGap: "answers none" },
];

/** The gap rows of the table in docs/environments.md's "What the emulator reads back" section. */
function documentedGapRows(): string[] {
  const docs = readFileSync(resolve(import.meta.dirname, "../../../docs/environments.md"), "utf8");
  const start = docs.indexOf("### What the emulator reads back");
  const table = docs.slice(start, docs.indexOf("\n\n", docs.indexOf("| resource type | attribute | what the emulator answers |", start)));
  return table.split("\n").filter((line) => line.startsWith("| `"));
}

describe("declared read-back gaps of the emulator", () => {
  it("excuse only an in-place update of declared attributes of the resource's own type", () => {
    expect(onlyReadBackGaps("aws_lambda_function", ["update"], ["dead_letter_config", "logging_config"], DECLARED)).toBe(true);
    // another attribute beside a declared one, another type, a replacement, or nothing named: a failure
    expect(onlyReadBackGaps("aws_lambda_function", ["update"], ["dead_letter_config", "role"], DECLARED)).toBe(false);
    expect(onlyReadBackGaps("aws_s3_bucket_policy", ["update"], ["tags_all"], DECLARED)).toBe(false);
    expect(onlyReadBackGaps("aws_s3_bucket", ["delete", "create"], ["tags_all"], DECLARED)).toBe(false);
    expect(onlyReadBackGaps("aws_s3_bucket", ["update"], [], DECLARED)).toBe(false);
  });

  it("excuse nothing the emulator reads back: those gaps are no longer declared", () => {
    expect(onlyReadBackGaps("aws_lambda_function", ["update"], ["dead_letter_config", "logging_config"])).toBe(false);
    expect(onlyReadBackGaps("aws_s3_bucket", ["update"], ["tags_all"])).toBe(false);
    expect(onlyReadBackGaps("aws_s3_bucket_logging", ["update"], ["target_object_key_format"])).toBe(false);
    expect(onlyReadBackGaps("aws_s3_bucket_notification", ["update"], ["eventbridge"])).toBe(false);
    expect(onlyReadBackGaps("aws_glue_job", ["update"], ["execution_class"])).toBe(false);
  });

  it("are exactly the rows of docs/environments.md's table, with what the emulator answers", () => {
    expect(documentedGapRows()).toEqual(
      READ_BACK_GAPS.map((gap) => `| \`${gap.resourceType}\` | \`${gap.attribute}\` | ${gap.emulatorGap} |`),
    );
  });
});
