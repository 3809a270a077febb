/**
 * The local DataBrew PROFILE job's result: per column, how many sampled values each requested PII entity
 * type matched, and which types the column is taken to hold. Counts and ratios only: a profile never
 * carries a data value, so it can be read by anyone allowed to see that PII exists.
 */
import { parse } from "csv-parse";
import type { Readable } from "node:stream";
import { ENTITY_DETECTORS, resolveEntityTypes, type EntityType } from "./pii-detectors";

/** DataBrew profiles the first 20,000 rows unless the job's JobSample says otherwise. */
export const DEFAULT_SAMPLE_ROWS = 20_000;

/** Share of a column's non-empty sampled values that must match for the column to count as holding the type. */
export const DETECTION_SHARE = 0.5;

export interface EntityCount {
  readonly entityType: EntityType;
  readonly count: number;
  /** count / non-empty values of the column */
  readonly ratio: number;
}

export interface ColumnProfile {
  readonly name: string;
  readonly nonEmptyValues: number;
  readonly missingValues: number;
  readonly distinctValues: number;
  /** every evaluated type that matched at least one value, most matches first */
  readonly entities: readonly EntityCount[];
  /** types matching at least DETECTION_SHARE of the non-empty values */
  readonly detectedEntityTypes: readonly EntityType[];
}

export interface PiiProfile {
  readonly rowsProfiled: number;
  readonly sampleRows: number;
  readonly entityTypes: {
    readonly requested: readonly string[];
    readonly evaluated: readonly EntityType[];
    readonly notEvaluated: readonly string[];
  };
  readonly columns: readonly ColumnProfile[];
}

/** A CSV that cannot be profiled. The message names the file and line, never a value. */
export class ProfileInputError extends Error {
  override readonly name = "ProfileInputError";
}

interface ColumnTally {
  nonEmpty: number;
  missing: number;
  readonly distinct: Set<string>;
  readonly matches: Map<EntityType, number>;
}

/** Accumulates a profile over the rows of one or more files with the same header. */
export class PiiProfiler {
  private header: readonly string[] | undefined;
  private readonly tallies: ColumnTally[] = [];
  private readonly checked: EntityType[];
  private readonly notEvaluated: string[];
  private rows = 0;

  constructor(
    private readonly requestedTypes: readonly string[],
    private readonly sampleRows: number = DEFAULT_SAMPLE_ROWS,
  ) {
    ({ checked: this.checked, notEvaluated: this.notEvaluated } = resolveEntityTypes(requestedTypes));
  }

  get full(): boolean {
    return this.rows >= this.sampleRows;
  }

  /** Profiles one CSV file (with a header line) until the sample is full. */
  async addCsv(source: Readable, origin: string): Promise<void> {
    const parser = source.pipe(parse({ bom: true, relax_column_count: false, skip_empty_lines: true }));
    let header: string[] | undefined;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (header === undefined) {
          header = record;
          this.useHeader(header, origin);
          continue;
        }
        if (this.full) break;
        this.addRow(record);
      }
    } catch (error) {
      // csv-parse messages can quote the offending field; keep only its code and line number
      const { code, lines } = error as { code?: string; lines?: number };
      throw new ProfileInputError(
        `${origin}: not a readable CSV (${code ?? "parse error"}${lines === undefined ? "" : ` at line ${lines}`})`,
      );
    } finally {
      source.destroy();
    }
    if (header === undefined) throw new ProfileInputError(`${origin}: the file is empty (no header line)`);
  }

  private useHeader(header: readonly string[], origin: string): void {
    if (this.header === undefined) {
      this.header = header;
      for (let i = 0; i < header.length; i++) this.tallies.push({ nonEmpty: 0, missing: 0, distinct: new Set(), matches: new Map() });
      return;
    }
    if (header.join("\u0000") !== this.header.join("\u0000")) {
      throw new ProfileInputError(`${origin}: its header differs from the first file's; a DataBrew dataset has one schema`);
    }
  }

  private addRow(record: readonly string[]): void {
    this.rows++;
    record.forEach((raw, index) => {
      const tally = this.tallies[index] as ColumnTally;
      const value = raw.trim();
      if (value === "") {
        tally.missing++;
        return;
      }
      tally.nonEmpty++;
      tally.distinct.add(value);
      for (const type of this.checked) {
        if ((ENTITY_DETECTORS[type] as (value: string) => boolean)(value)) tally.matches.set(type, (tally.matches.get(type) ?? 0) + 1);
      }
    });
  }

  result(): PiiProfile {
    const columns = (this.header ?? []).map((name, index): ColumnProfile => {
      const tally = this.tallies[index] as ColumnTally;
      const entities = [...tally.matches.entries()]
        .map(([entityType, count]) => ({ entityType, count, ratio: round(count / Math.max(tally.nonEmpty, 1)) }))
        .sort((a, b) => b.count - a.count || a.entityType.localeCompare(b.entityType));
      return {
        name,
        nonEmptyValues: tally.nonEmpty,
        missingValues: tally.missing,
        distinctValues: tally.distinct.size,
        entities,
        detectedEntityTypes: entities.filter((entity) => entity.ratio >= DETECTION_SHARE).map((entity) => entity.entityType),
      };
    });
    return {
      rowsProfiled: this.rows,
      sampleRows: this.sampleRows,
      entityTypes: { requested: [...this.requestedTypes], evaluated: [...this.checked], notEvaluated: [...this.notEvaluated] },
      columns,
    };
  }
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
