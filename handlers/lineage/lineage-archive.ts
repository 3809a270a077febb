/**
 * Reading lineage records back, for auditors: from the lineage bucket or from a local directory holding
 * records (for example a copy made with `aws s3 sync`). Every record is checked against the schemas.
 */
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { listKeys, readJson } from "../shared/object-store";
import { formatS3Uri } from "../shared/s3-uri";
import { LINEAGE_PREFIX } from "./lineage-store";
import type { OpenLineageValidator } from "./openlineage-validator";
import type { OpenLineageRunEvent } from "./run-event-builder";

export interface ArchivedRecord {
  /** where the record was read from (s3:// URI or file path) */
  readonly location: string;
  readonly event: OpenLineageRunEvent;
  /** schema problems; empty for a valid record */
  readonly problems: readonly string[];
}

export interface LineageArchive {
  records(): Promise<ArchivedRecord[]>;
}

/** How many records are fetched from S3 at once. */
const READ_CONCURRENCY = 8;

function archived(location: string, body: unknown, validator: OpenLineageValidator): ArchivedRecord {
  const result = validator.validate(body);
  return { location, event: body as OpenLineageRunEvent, problems: result.valid ? [] : result.errors };
}

export class S3LineageArchive implements LineageArchive {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly validator: OpenLineageValidator,
    /** restrict to one OpenLineage namespace (environment), e.g. sentinel-prod */
    private readonly namespace?: string,
  ) {}

  async records(): Promise<ArchivedRecord[]> {
    const prefix = this.namespace === undefined ? LINEAGE_PREFIX : `${LINEAGE_PREFIX}${this.namespace}/`;
    const keys = (await listKeys(this.s3, this.bucket, prefix)).filter((key) => key.endsWith(".json"));
    const records: ArchivedRecord[] = [];
    for (let start = 0; start < keys.length; start += READ_CONCURRENCY) {
      const batch = await Promise.all(
        keys.slice(start, start + READ_CONCURRENCY).map(async (key) => {
          const stored = await readJson(this.s3, this.bucket, key);
          return stored === undefined ? undefined : archived(formatS3Uri({ bucket: this.bucket, key }), stored.body, this.validator);
        }),
      );
      records.push(...batch.filter((record): record is ArchivedRecord => record !== undefined));
    }
    return records;
  }
}

export class DirectoryLineageArchive implements LineageArchive {
  constructor(
    private readonly directory: string,
    private readonly validator: OpenLineageValidator,
  ) {}

  async records(): Promise<ArchivedRecord[]> {
    const entries = await readdir(this.directory, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((entry) => entry.isFile() && entry.name.endsWith(".json"))
      .map((entry) => join(entry.parentPath, entry.name));
    const records: ArchivedRecord[] = [];
    for (const file of files.sort()) {
      let body: unknown;
      try {
        body = JSON.parse(await readFile(file, "utf8"));
      } catch {
        records.push({ location: file, event: {} as OpenLineageRunEvent, problems: ["not JSON"] });
        continue;
      }
      records.push(archived(file, body, this.validator));
    }
    return records;
  }
}
