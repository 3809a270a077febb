/**
 * Attributes the emulator returns as AWS does although moto drops them (local/emulator_read_back.py): without them a
 * plan right after an apply shows changes that are only the emulator forgetting what it was told.
 */
import { resolve } from "node:path";
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateConnectionCommand, GetConnectionCommand, GetConnectionsCommand, GlueClient } from "@aws-sdk/client-glue";
import { CreateKeyCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorClientConfig, startEmulator, type Emulator } from "../../local/emulator/emulator";

let emulator: Emulator;
let logs: CloudWatchLogsClient;
let glue: GlueClient;
let kms: KMSClient;

beforeAll(async () => {
  emulator = await startEmulator({ projectRoot: resolve(import.meta.dirname, "..", "..") });
  const config = { ...emulatorClientConfig(emulator.tlsEndpoint), maxAttempts: 1 };
  logs = new CloudWatchLogsClient(config);
  glue = new GlueClient(config);
  kms = new KMSClient(config);
});
afterAll(async () => {
  for (const client of [logs, glue, kms]) client?.destroy();
  await emulator?.stop();
});

describe("what the emulator reads back", () => {
  it("the log group class: STANDARD unless the group was created with another", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/read-back/default" }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/read-back/infrequent", logGroupClass: "INFREQUENT_ACCESS" }));
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/read-back/" }));
    expect(logGroups?.map(({ logGroupName, logGroupClass }) => [logGroupName, logGroupClass])).toEqual([
      ["/read-back/default", "STANDARD"],
      ["/read-back/infrequent", "INFREQUENT_ACCESS"],
    ]);
  });

  it("the Glue connection type, from GetConnection and GetConnections", async () => {
    await glue.send(
      new CreateConnectionCommand({ ConnectionInput: { Name: "read-back", ConnectionType: "NETWORK", ConnectionProperties: {} } }),
    );
    expect((await glue.send(new GetConnectionCommand({ Name: "read-back" }))).Connection?.ConnectionType).toBe("NETWORK");
    const { ConnectionList } = await glue.send(new GetConnectionsCommand({}));
    expect(ConnectionList?.find(({ Name }) => Name === "read-back")?.ConnectionType).toBe("NETWORK");
  });

  it("the key rotation period: 365 days unless EnableKeyRotation names another, absent while rotation is off", async () => {
    const keyId = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const [byDefault, quarterly, off] = [await keyId(), await keyId(), await keyId()];
    await kms.send(new EnableKeyRotationCommand({ KeyId: byDefault }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: quarterly, RotationPeriodInDays: 90 }));
    const status = (KeyId: string) => kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    expect(await status(byDefault)).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    expect(await status(quarterly)).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    const offStatus = await status(off);
    expect(offStatus.KeyRotationEnabled).toBe(false);
    expect(offStatus.RotationPeriodInDays).toBeUndefined();
  });
});
