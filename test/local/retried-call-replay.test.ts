/**
 * A retried SDK call whose first answer was lost does not act twice (local/emulator_replay.py): the real AWS SDK
 * sends the call, the answer is dropped on the way back (the lost response that made `terraform apply` stop on
 * "Function already exist"), the SDK's own retry sends attempt 2 with the same invocation id, and the emulator
 * answers it with the first attempt's answer. A new call that conflicts is still refused.
 */
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateDatabaseCommand, GetDatabasesCommand } from "@aws-sdk/client-glue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startEmulator, type Emulator } from "../../local/emulator/emulator";
import { localClients, type LocalClients } from "../../local/emulator/local-clients";

const ROOT = resolve(import.meta.dirname, "..", "..");
const LOG = join(mkdtempSync(join(tmpdir(), "sentinel-replay-")), "emulator.log");
let emulator: Emulator;
let clients: LocalClients;

beforeAll(async () => {
  process.env.SENTINEL_EMULATOR_LOG = LOG;
  emulator = await startEmulator({ projectRoot: ROOT });
  clients = localClients(emulator.endpoint);
});
afterAll(async () => {
  await emulator?.stop();
  delete process.env.SENTINEL_EMULATOR_LOG;
});

interface MiddlewareStackOwner {
  readonly middlewareStack: {
    add(middleware: unknown, options: { step: "deserialize"; name: string; priority: "high" }): void;
    remove(name: string): boolean;
  };
}

/**
 * Drops the answer to the first attempt of the next call after the emulator has acted on it, as a connection reset
 * would: the SDK sees ECONNRESET (a transient error it retries) and sends attempt 2. Returns the attempts seen.
 */
function loseFirstAnswer(client: MiddlewareStackOwner): { readonly attempts: string[] } {
  const attempts: string[] = [];
  const name = "lose-first-answer";
  client.middlewareStack.remove(name);
  client.middlewareStack.add(
    (next: (args: { request: { headers: Record<string, string> } }) => Promise<unknown>) =>
      async (args: { request: { headers: Record<string, string> } }) => {
        attempts.push(args.request.headers["amz-sdk-request"] ?? "");
        const answer = await next(args);
        if (attempts.length === 1) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        return answer;
      },
    { step: "deserialize", name, priority: "high" },
  );
  return { attempts };
}

describe("a retried call the emulator already completed", () => {
  it("is answered with the first answer: a write-once PutObject whose answer was lost succeeds once, one version", async () => {
    await clients.s3.send(
      new CreateBucketCommand({ Bucket: "replay-audit", CreateBucketConfiguration: { LocationConstraint: "eu-central-2" } }),
    );
    await clients.s3.send(new PutBucketVersioningCommand({ Bucket: "replay-audit", VersioningConfiguration: { Status: "Enabled" } }));
    const lost = loseFirstAnswer(clients.s3 as unknown as MiddlewareStackOwner);
    const put = await clients.s3.send(
      new PutObjectCommand({ Bucket: "replay-audit", Key: "audit-chain/0001.json", Body: "{}", IfNoneMatch: "*" }),
    );
    (clients.s3 as unknown as MiddlewareStackOwner).middlewareStack.remove("lose-first-answer");

    expect(lost.attempts.map((header) => header.split(";")[0])).toEqual(["attempt=1", "attempt=2"]);
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(put.$metadata.attempts).toBe(2);
    const versions = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: "replay-audit", Prefix: "audit-chain/" }));
    expect(versions.Versions?.map((version) => version.VersionId)).toEqual([put.VersionId]);
    expect(readFileSync(LOG, "utf8")).toMatch(
      /attempt 2 of SDK call [0-9a-f-]+ \(PUT \/replay-audit\/audit-chain\/0001\.json\) answered with the first attempt's 200/,
    );
  });

  it("is answered with the first answer for a create that is not idempotent (Glue CreateDatabase)", async () => {
    const lost = loseFirstAnswer(clients.glue as unknown as MiddlewareStackOwner);
    const created = await clients.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "replay_db" } }));
    (clients.glue as unknown as MiddlewareStackOwner).middlewareStack.remove("lose-first-answer");

    expect(lost.attempts).toHaveLength(2);
    expect(created.$metadata.attempts).toBe(2);
    const databases = await clients.glue.send(new GetDatabasesCommand({}));
    expect(databases.DatabaseList?.filter((database) => database.Name === "replay_db")).toHaveLength(1);
  });

  it("does not hide a real conflict: a new call that creates the same thing again is refused", async () => {
    await expect(clients.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "replay_db" } }))).rejects.toMatchObject({
      name: "AlreadyExistsException",
    });
    await expect(
      clients.s3.send(new PutObjectCommand({ Bucket: "replay-audit", Key: "audit-chain/0001.json", Body: "{}", IfNoneMatch: "*" })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });
});
