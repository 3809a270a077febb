/**
 * Glue DeleteConnection in the emulator (local/emulator_glue_connection.py; moto 5.2.5 lacks it): a connection Terraform
 * created can be destroyed, and an unknown one is refused as Glue refuses it.
 */
import { resolve } from "node:path";
import { CreateConnectionCommand, DeleteConnectionCommand, GetConnectionCommand, GlueClient } from "@aws-sdk/client-glue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";

let emulator: Emulator;
let glue: GlueClient;

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: resolve(import.meta.dirname, "..", "..") });
  glue = new GlueClient({ ...emulatorClientConfig(emulator.tlsEndpoint), maxAttempts: 1 });
});
afterAll(async () => {
  glue?.destroy();
  await emulator?.stop();
});

describe("Glue DeleteConnection", () => {
  it("removes a connection, which is then not found", async () => {
    await glue.send(
      new CreateConnectionCommand({
        ConnectionInput: { Name: "network", ConnectionType: "NETWORK", ConnectionProperties: {} },
      }),
    );
    await glue.send(new GetConnectionCommand({ Name: "network" }));
    await glue.send(new DeleteConnectionCommand({ ConnectionName: "network" }));
    await expect(glue.send(new GetConnectionCommand({ Name: "network" }))).rejects.toMatchObject({ name: "EntityNotFoundException" });
  });

  it("refuses an unknown connection", async () => {
    await expect(glue.send(new DeleteConnectionCommand({ ConnectionName: "missing" }))).rejects.toMatchObject({
      name: "EntityNotFoundException",
      message: "Connection missing not found",
    });
  });
});
