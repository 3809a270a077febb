import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { READ_BACK_GAPS, onlyReadBackGaps } from "../../../tools/terraform/read-back-gaps";

describe("declared read-back gaps of the emulator", () => {
  it("excuse only an in-place update of declared attributes of the resource's own type", () => {
    expect(onlyReadBackGaps("aws_lambda_function", ["update"], ["dead_letter_config", "logging_config"])).toBe(true);
    // another attribute beside a declared one, another type, a replacement, or nothing named: a failure
    expect(onlyReadBackGaps("aws_lambda_function", ["update"], ["dead_letter_config", "role"])).toBe(false);
    expect(onlyReadBackGaps("aws_s3_bucket_policy", ["update"], ["tags_all"])).toBe(false);
    expect(onlyReadBackGaps("aws_s3_bucket", ["delete", "create"], ["tags_all"])).toBe(false);
    expect(onlyReadBackGaps("aws_s3_bucket", ["update"], [])).toBe(false);
  });

  it("are each listed in docs/environments.md with what the emulator answers", () => {
    const docs = readFileSync(resolve(import.meta.dirname, "../../../docs/environments.md"), "utf8");
    for (const gap of READ_BACK_GAPS) {
      expect(docs).toContain(`| \`${gap.resourceType}\` | \`${gap.attribute}\` | ${gap.emulatorGap} |`);
    }
  });
});
