/**
 * Points the processed table's Glue Catalog entry at its lineage: table parameters name the latest record
 * of the ETL job and the latest COMPLETE record (the lineage of the data the table now serves).
 */
import { GetTableCommand, UpdateTableCommand, type GlueClient, type Table, type TableInput } from "@aws-sdk/client-glue";
import type { LineageEventType } from "./job-state-event";

export const CATALOG_PARAMETERS = {
  latestRecord: "sentinel_lineage_latest_record",
  latestEventType: "sentinel_lineage_latest_event_type",
  latestEventTime: "sentinel_lineage_latest_event_time",
  latestRunId: "sentinel_lineage_latest_run_id",
  latestCompleteRecord: "sentinel_lineage_latest_complete_record",
  latestCompleteEventTime: "sentinel_lineage_latest_complete_event_time",
  pipelineRunId: "sentinel_pipeline_run_id",
} as const;

export interface LineagePointer {
  readonly database: string;
  readonly table: string;
  readonly recordUri: string;
  readonly eventType: LineageEventType;
  readonly eventTime: string;
  readonly runId: string;
  readonly pipelineRunId: string;
}

/** Terminal events sort after START at the same instant. */
function isNewer(
  eventTime: string,
  eventType: LineageEventType,
  currentTime: string | undefined,
  currentType: string | undefined,
): boolean {
  if (currentTime === undefined) return true;
  if (eventTime !== currentTime) return eventTime > currentTime;
  return currentType === "START" || eventType === currentType;
}

/** The writable part of a table as GetTable returns it (UpdateTable takes a TableInput, not a Table). */
function tableInputOf(table: Table): TableInput {
  if (table.Name === undefined) throw new Error("Glue GetTable returned a table without a name");
  return {
    Name: table.Name,
    Description: table.Description,
    Owner: table.Owner,
    LastAccessTime: table.LastAccessTime,
    LastAnalyzedTime: table.LastAnalyzedTime,
    Retention: table.Retention,
    StorageDescriptor: table.StorageDescriptor,
    PartitionKeys: table.PartitionKeys,
    ViewOriginalText: table.ViewOriginalText,
    ViewExpandedText: table.ViewExpandedText,
    TableType: table.TableType,
    Parameters: table.Parameters,
    TargetTable: table.TargetTable,
  };
}

/**
 * Updates the parameters unless the table already points at a newer record (events can arrive out of
 * order). Returns whether it wrote. A missing table is an error: the catalog is part of the deployment.
 */
export async function pointCatalogAtRecord(glue: GlueClient, pointer: LineagePointer): Promise<boolean> {
  let table: Table | undefined;
  try {
    table = (await glue.send(new GetTableCommand({ DatabaseName: pointer.database, Name: pointer.table }))).Table;
  } catch (error) {
    if ((error as { name?: string }).name === "EntityNotFoundException") {
      throw new Error(
        `processed table ${pointer.database}.${pointer.table} is not in the Glue Catalog; the lineage record ${pointer.recordUri} was written but the table cannot point at it`,
      );
    }
    throw error;
  }
  if (table === undefined) throw new Error(`Glue GetTable ${pointer.database}.${pointer.table} returned no table`);
  const current = table.Parameters ?? {};
  const updates: Record<string, string> = {};
  if (
    isNewer(pointer.eventTime, pointer.eventType, current[CATALOG_PARAMETERS.latestEventTime], current[CATALOG_PARAMETERS.latestEventType])
  ) {
    updates[CATALOG_PARAMETERS.latestRecord] = pointer.recordUri;
    updates[CATALOG_PARAMETERS.latestEventType] = pointer.eventType;
    updates[CATALOG_PARAMETERS.latestEventTime] = pointer.eventTime;
    updates[CATALOG_PARAMETERS.latestRunId] = pointer.runId;
    updates[CATALOG_PARAMETERS.pipelineRunId] = pointer.pipelineRunId;
  }
  const currentComplete = current[CATALOG_PARAMETERS.latestCompleteEventTime];
  if (pointer.eventType === "COMPLETE" && (currentComplete === undefined || pointer.eventTime >= currentComplete)) {
    updates[CATALOG_PARAMETERS.latestCompleteRecord] = pointer.recordUri;
    updates[CATALOG_PARAMETERS.latestCompleteEventTime] = pointer.eventTime;
  }
  if (Object.entries(updates).every(([name, value]) => current[name] === value)) return false;
  const input = tableInputOf(table);
  await glue.send(
    new UpdateTableCommand({ DatabaseName: pointer.database, TableInput: { ...input, Parameters: { ...current, ...updates } } }),
  );
  return true;
}
