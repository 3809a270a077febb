/**
 * Writes a local process's log lines to a CloudWatch Logs stream in the emulator, as Glue continuous
 * logging, DataBrew's log subscription and Lambda do for their runs. A group the environment did not
 * create is created, as those services create their default groups.
 */
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClient,
} from "@aws-sdk/client-cloudwatch-logs";

/** PutLogEvents limits: 10,000 events and 1 MiB (with 26 bytes of overhead per event) per call. */
const MAX_EVENTS = 10_000;
const MAX_BYTES = 1_000_000;

export interface LogLine {
  readonly timestamp: number;
  readonly message: string;
}

const errorName = (error: unknown) => (error as { name?: string }).name;

async function ensureStream(logs: CloudWatchLogsClient, logGroupName: string, logStreamName: string): Promise<void> {
  try {
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
  } catch (error) {
    if (errorName(error) === "ResourceAlreadyExistsException") return;
    if (errorName(error) !== "ResourceNotFoundException") throw error;
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
  }
}

export async function shipLogLines(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  logStreamName: string,
  lines: readonly LogLine[],
): Promise<void> {
  const events = lines
    .filter((line) => line.message.trim() !== "")
    .map((line) => ({ timestamp: line.timestamp, message: line.message.slice(0, 250_000) }));
  if (events.length === 0) return;
  await ensureStream(logs, logGroupName, logStreamName);
  let batch: typeof events = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: batch }));
    batch = [];
    bytes = 0;
  };
  for (const event of events) {
    const size = Buffer.byteLength(event.message) + 26;
    if (batch.length === MAX_EVENTS || bytes + size > MAX_BYTES) await flush();
    batch.push(event);
    bytes += size;
  }
  await flush();
}
