/**
 * The emulator serves the Glue Data Quality ruleset API that moto 5.2.5 lacks (local/emulator_glue_data_quality.py), with
 * the shapes and error codes the AWS SDK and the Terraform provider expect: create/get/update/delete/list, tags through
 * Glue's own GetTags, and the refusals AWS gives (duplicate name, unknown name, input outside the API model).
 */
import { resolve } from "node:path";
import {
  CreateDataQualityRulesetCommand,
  DeleteDataQualityRulesetCommand,
  GetDataQualityRulesetCommand,
  GetTagsCommand,
  GlueClient,
  ListDataQualityRulesetsCommand,
  UpdateDataQualityRulesetCommand,
} from "@aws-sdk/client-glue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS, emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";

const ROOT = resolve(import.meta.dirname, "..", "..");
let emulator: Emulator;
let glue: GlueClient;

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: ROOT });
  glue = new GlueClient({ ...emulatorClientConfig(emulator.endpoint), maxAttempts: 1 });
});
afterAll(async () => {
  glue?.destroy();
  await emulator?.stop();
});

const RULES = 'Rules = [\n  RowCount > 0,\n  ColumnValues "fraud_bool" in [0, 1],\n  IsComplete "a,b"\n]';
const ruleset = {
  Name: "sentinel-local-baf-processed",
  Description: "What validation guarantees about baf processed rows",
  Ruleset: RULES,
  TargetTable: { DatabaseName: "sentinel_local_processed", TableName: "baf" },
  Tags: { Project: "sentinel" },
};
const arn = (name: string) => `arn:aws:glue:${EMULATOR_CREDENTIALS.region}:123456789012:dataQualityRuleset/${name}`;

describe("Glue Data Quality rulesets in the emulator", () => {
  it("creates a ruleset, reads it back with its target table and timestamps, and tags it under its ARN", async () => {
    expect((await glue.send(new CreateDataQualityRulesetCommand(ruleset))).Name).toBe(ruleset.Name);
    const read = await glue.send(new GetDataQualityRulesetCommand({ Name: ruleset.Name }));
    expect(read).toMatchObject({ Name: ruleset.Name, Description: ruleset.Description, Ruleset: RULES, TargetTable: ruleset.TargetTable });
    expect(read.CreatedOn).toBeInstanceOf(Date);
    expect(read.LastModifiedOn?.getTime()).toBe(read.CreatedOn?.getTime());
    expect((await glue.send(new GetTagsCommand({ ResourceArn: arn(ruleset.Name) }))).Tags).toEqual(ruleset.Tags);
  });

  it("lists rulesets by target table and tag, counting the top-level rules (commas inside brackets and quotes are not rules)", async () => {
    const byTable = await glue.send(new ListDataQualityRulesetsCommand({ Filter: { TargetTable: ruleset.TargetTable } }));
    expect(byTable.Rulesets?.map((entry) => [entry.Name, entry.RuleCount])).toEqual([[ruleset.Name, 3]]);
    const byOtherTag = await glue.send(new ListDataQualityRulesetsCommand({ Tags: { Project: "other" } }));
    expect(byOtherTag.Rulesets).toEqual([]);
  });

  it("updates the rules and description, moving LastModifiedOn", async () => {
    const before = await glue.send(new GetDataQualityRulesetCommand({ Name: ruleset.Name }));
    const rules = "Rules = [ RowCount > 10 ]";
    const updated = await glue.send(new UpdateDataQualityRulesetCommand({ Name: ruleset.Name, Ruleset: rules, Description: "changed" }));
    expect(updated).toMatchObject({ Name: ruleset.Name, Ruleset: rules, Description: "changed" });
    const after = await glue.send(new GetDataQualityRulesetCommand({ Name: ruleset.Name }));
    expect(after.Ruleset).toBe(rules);
    expect(after.LastModifiedOn!.getTime()).toBeGreaterThan(before.LastModifiedOn!.getTime());
  });

  it("refuses a second ruleset of the same name, text that is not DQDL and input outside the API model", async () => {
    await expect(glue.send(new CreateDataQualityRulesetCommand(ruleset))).rejects.toMatchObject({ name: "AlreadyExistsException" });
    await expect(glue.send(new CreateDataQualityRulesetCommand({ Name: "not-dqdl", Ruleset: "RowCount > 0" }))).rejects.toMatchObject({
      name: "InvalidInputException",
    });
    await expect(glue.send(new CreateDataQualityRulesetCommand({ Name: "x".repeat(256), Ruleset: RULES }))).rejects.toMatchObject({
      name: "InvalidInputException",
    });
  });

  it("deletes a ruleset with its tags; reading or deleting it again is EntityNotFoundException", async () => {
    await glue.send(new DeleteDataQualityRulesetCommand({ Name: ruleset.Name }));
    await expect(glue.send(new GetDataQualityRulesetCommand({ Name: ruleset.Name }))).rejects.toMatchObject({
      name: "EntityNotFoundException",
    });
    await expect(glue.send(new DeleteDataQualityRulesetCommand({ Name: ruleset.Name }))).rejects.toMatchObject({
      name: "EntityNotFoundException",
    });
    expect((await glue.send(new GetTagsCommand({ ResourceArn: arn(ruleset.Name) }))).Tags).toEqual({});
  });

  it("forgets rulesets on the emulator's reset, with the rest of the Glue state", async () => {
    await glue.send(new CreateDataQualityRulesetCommand({ Name: "before-reset", Ruleset: RULES }));
    await emulator.reset();
    expect((await glue.send(new ListDataQualityRulesetsCommand({}))).Rulesets).toEqual([]);
  });
});
