/**
 * What the local environment keeps between `npm start` runs. The emulator starts empty every time and
 * Terraform recreates the infrastructure, so the data the pipeline itself wrote (landing files, processed
 * and quarantined rows, fitted state and the input bookmark, run metrics, lineage records, run-window
 * claims, the audit chain index) is saved to `.sentinel/local/s3/<tier>/<key>` after a run and loaded
 * into the fresh buckets (found by tier in the stack's `bucket_names` output) before the next. The audit
 * trail's log streams are kept the same way (`logs/<stream>.jsonl`), so old runs still verify.
 * Objects Terraform manages (scripts, packages, configs) are never copied: apply recreates them.
 *
 * The buckets' policies hold for these copies too: each saved object is written back by the principal the policy lets
 * write it (`writerOf`: the job's state as the job role from its VPC, keys as the deployer role), with If-None-Match
 * (the write-once lineage prefixes require it; the buckets are fresh), and `save` reads through a client the policies
 * let read every bucket (the caller's choice, local-platform.ts).
 */
import {
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClient,
} from "@aws-sdk/client-cloudwatch-logs";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

export interface StoreTransfer {
  readonly objects: number;
  readonly bytes: number;
  readonly logEvents: number;
}

interface StoredLogEvent {
  readonly timestamp: number;
  readonly message: string;
}

/**
 * The freshly deployed environment that `restore` loads into and `save` copies from: its clients, the
 * buckets by tier, the `bucket/key` pairs Terraform manages (never copied) and the audit trail's log group.
 */
type DeployedEnvironment<S3> = [
  s3: S3,
  logs: CloudWatchLogsClient,
  buckets: Readonly<Record<string, string>>,
  managed: ReadonlySet<string>,
  auditLogGroup: string,
];

/** The client that writes the saved object `key` back into the bucket of tier `tier`. */
export type ObjectWriters = (tier: string, key: string) => S3Client;

const INDEX_FILE = "s3-index.json";

function filesUnder(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

function safeKey(key: string): boolean {
  return key !== "" && !key.endsWith("/") && !key.split("/").some((part) => part === ".." || part === ".");
}

function contentType(key: string): string {
  if (key.endsWith(".json")) return "application/json";
  if (key.endsWith(".csv")) return "text/csv";
  return "application/octet-stream";
}

export class EnvironmentStore {
  constructor(readonly root: string) {}

  private get s3Root(): string {
    return join(this.root, "s3");
  }

  private get logsRoot(): string {
    return join(this.root, "logs");
  }

  private readIndex(): Record<string, string> {
    const path = join(this.root, INDEX_FILE);
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, string>) : {};
  }

  /** Loads the saved objects into the buckets of a freshly provisioned environment, and the audit streams. */
  async restore(...[writerOf, logs, buckets, managed, auditLogGroup]: DeployedEnvironment<ObjectWriters>): Promise<StoreTransfer> {
    let objects = 0;
    let bytes = 0;
    for (const [tier, bucket] of Object.entries(buckets)) {
      const tierRoot = join(this.s3Root, tier);
      for (const file of filesUnder(tierRoot)) {
        const key = relative(tierRoot, file).split(sep).join("/");
        if (managed.has(`${bucket}/${key}`)) continue;
        const body = readFileSync(file);
        await writerOf(tier, key).send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType(key), IfNoneMatch: "*" }),
        );
        objects++;
        bytes += body.length;
      }
    }
    let logEvents = 0;
    for (const file of filesUnder(this.logsRoot)) {
      const events = readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as StoredLogEvent);
      if (events.length === 0) continue;
      const logStreamName = decodeURIComponent(relative(this.logsRoot, file).replace(/\.jsonl$/, ""));
      await logs.send(new CreateLogStreamCommand({ logGroupName: auditLogGroup, logStreamName }));
      await logs.send(new PutLogEventsCommand({ logGroupName: auditLogGroup, logStreamName, logEvents: events }));
      logEvents += events.length;
    }
    return { objects, bytes, logEvents };
  }

  /**
   * Saves every object the pipeline wrote (all but the `managed` bucket/key pairs Terraform deployed), downloading only what changed since
   * the last save (by ETag) and dropping local copies of objects that no longer exist, and the audit streams.
   */
  async save(...[s3, logs, buckets, managed, auditLogGroup]: DeployedEnvironment<S3Client>): Promise<StoreTransfer> {
    const previous = this.readIndex();
    const index: Record<string, string> = {};
    let objects = 0;
    let bytes = 0;
    for (const [tier, bucket] of Object.entries(buckets)) {
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        for (const object of page.Contents ?? []) {
          const key = object.Key as string;
          if (!safeKey(key) || managed.has(`${bucket}/${key}`)) continue;
          const id = `${tier}/${key}`;
          const etag = object.ETag ?? "";
          index[id] = etag;
          const path = join(this.s3Root, tier, ...key.split("/"));
          if (previous[id] === etag && existsSync(path)) continue;
          const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, body);
          objects++;
          bytes += body.length;
        }
        token = page.NextContinuationToken;
      } while (token !== undefined);
    }
    for (const id of Object.keys(previous)) {
      if (!(id in index)) rmSync(join(this.s3Root, ...id.split("/")), { force: true });
    }
    mkdirSync(this.root, { recursive: true });
    writeFileSync(join(this.root, INDEX_FILE), `${JSON.stringify(index, null, 1)}\n`);
    return { objects, bytes, logEvents: await this.saveLogs(logs, auditLogGroup) };
  }

  private async saveLogs(logs: CloudWatchLogsClient, logGroupName: string): Promise<number> {
    let count = 0;
    let token: string | undefined;
    do {
      const page = await logs.send(new DescribeLogStreamsCommand({ logGroupName, nextToken: token }));
      for (const stream of page.logStreams ?? []) {
        const logStreamName = stream.logStreamName as string;
        const events: StoredLogEvent[] = [];
        let eventsToken: string | undefined;
        for (;;) {
          const batch = await logs.send(
            new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true, nextToken: eventsToken }),
          );
          for (const event of batch.events ?? []) events.push({ timestamp: event.timestamp ?? 0, message: event.message ?? "" });
          if (batch.nextForwardToken === undefined || batch.nextForwardToken === eventsToken) break;
          eventsToken = batch.nextForwardToken;
        }
        mkdirSync(this.logsRoot, { recursive: true });
        writeFileSync(
          join(this.logsRoot, `${encodeURIComponent(logStreamName)}.jsonl`),
          events.map((event) => JSON.stringify(event)).join("\n") + "\n",
        );
        count += events.length;
      }
      token = page.nextToken;
    } while (token !== undefined);
    return count;
  }
}
