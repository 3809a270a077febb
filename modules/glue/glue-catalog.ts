/**
 * The Glue Data Catalog of one environment: a database per tier (raw, processed, quarantine, lineage)
 * and a table per profile with an explicit schema, so Athena can query every tier without a crawler.
 * Partitioned tables use partition projection: Athena derives each partition's location from the
 * query's predicate instead of reading partitions from the catalog, so no job has to register them.
 *
 * - raw.<profile>: the landing CSV files (`run_date=` folders), every column as text;
 * - processed.<profile>: the job's Parquet output (`ingestion_date=` folders), columns as the job
 *   writes them (job-output-schemas.json); the lineage handler keeps its lineage pointer parameters
 *   on this table, which Terraform therefore leaves alone;
 * - quarantine.<profile>: rejected rows with reason codes, as read;
 * - lineage.run_events: the OpenLineage records the lineage handler writes, for auditors' queries.
 */
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable, type GlueCatalogTableStorageDescriptorColumns } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { Construct } from "constructs";
import { processedTableName } from "../../contracts/run-identity";
import { regionalArn, type AccountScope, type EnvironmentScopeProps } from "../iam/arns";
import { LANDING_PARTITION_COLUMN, LINEAGE_AUDIT_PREFIXES, PARTITION_COLUMN, type DataLayout } from "../../contracts/data-layout";
import type { DatasetProfile } from "../../contracts/dataset-profiles";
import type { OutputColumn } from "../../contracts/job-output-schema";
import { jobOutputSchemaOf } from "../../contracts/job-output-schema";

export const CATALOG_TIERS = ["raw", "processed", "quarantine", "lineage"] as const;
export type CatalogTier = (typeof CATALOG_TIERS)[number];

/** Table parameters the lineage handler owns (handlers/lineage/catalog-pointer.ts CATALOG_PARAMETERS). */
export const LINEAGE_POINTER_PARAMETERS = [
  "sentinel_lineage_latest_record",
  "sentinel_lineage_latest_event_type",
  "sentinel_lineage_latest_event_time",
  "sentinel_lineage_latest_run_id",
  "sentinel_lineage_latest_complete_record",
  "sentinel_lineage_latest_complete_event_time",
  "sentinel_pipeline_run_id",
] as const;

export const LINEAGE_TABLE = "run_events";
/** The earliest day partition projection considers; queries name the days they want. */
const PROJECTION_START = "2020-01-01";

const PARQUET = {
  inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
  serDeInfo: { name: "parquet", serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
};
const TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
const TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat";

/** A column type of the lineage table, as a tree (so tests can check records against it field by field). */
export type LineageFieldType =
  | "string"
  | "bigint"
  | "double"
  | "boolean"
  | { readonly struct: Readonly<Record<string, LineageFieldType>> }
  | { readonly array: LineageFieldType }
  /** a JSON object with data-defined keys (column names, reason codes, job arguments) */
  | { readonly map: LineageFieldType };

const struct = (fields: Record<string, LineageFieldType>): LineageFieldType => ({ struct: fields });
const array = (items: LineageFieldType): LineageFieldType => ({ array: items });
const map = (values: LineageFieldType): LineageFieldType => ({ map: values });
/** Every facet carries who produced it and its schema. */
const facet = (fields: Record<string, LineageFieldType>): LineageFieldType =>
  struct({ _producer: "string", _schemaurl: "string", ...fields });
const datasetSchema = facet({ fields: array(struct({ name: "string", type: "string" })) });
const inputField = struct({
  namespace: "string",
  name: "string",
  field: "string",
  transformations: array(struct({ type: "string", subtype: "string", description: "string", masking: "boolean" })),
});

/**
 * Every field of the lineage records (handlers/lineage/run-event-builder.ts and pipeline-run-event.ts:
 * the OpenLineage RunEvent and every facet Sentinel writes, standard and custom), named in lower case
 * as the JSON SerDe matches them (`case.insensitive`); `model.params` is kept as JSON text.
 * test/handlers/lineage-guides.e2e.test.ts checks the records of a real run against this declaration.
 */
export const LINEAGE_RECORD_FIELDS: Readonly<Record<string, LineageFieldType>> = {
  eventtype: "string",
  eventtime: "string",
  producer: "string",
  schemaurl: "string",
  run: struct({
    runid: "string",
    facets: struct({
      parent: facet({ run: struct({ runid: "string" }), job: struct({ namespace: "string", name: "string" }) }),
      nominaltime: facet({ nominalstarttime: "string", nominalendtime: "string" }),
      processing_engine: facet({ name: "string", version: "string" }),
      errormessage: facet({ message: "string", programminglanguage: "string" }),
      sentinel_run: facet({
        pipelinerunid: "string",
        jobrunid: "string",
        profile: "string",
        rundate: "string",
        parameters: map("string"),
        datasetname: "string",
        keyversion: "string",
        binedges: struct({
          version: "string",
          column: "string",
          method: "string",
          edges: array("double"),
          groupby: "string",
          groups: map(struct({ version: "string", edges: array("double") })),
        }),
        merchantmapping: struct({ version: "string", codesversion: "string" }),
        model: struct({ hash: "string", params: "string" }),
        tokenizedcolumns: map("string"),
        anomaliesflagged: "bigint",
        rowcounts: struct({ rowsin: "bigint", rowsout: "bigint", rowsquarantined: "bigint", conserved: "boolean" }),
        timingsseconds: map("double"),
      }),
    }),
  }),
  job: struct({
    namespace: "string",
    name: "string",
    facets: struct({
      jobtype: facet({ processingtype: "string", integration: "string", jobtype: "string" }),
      sourcecodelocation: facet({ type: "string", url: "string", version: "string" }),
    }),
  }),
  inputs: array(
    struct({
      namespace: "string",
      name: "string",
      facets: struct({
        schema: datasetSchema,
        version: facet({ datasetversion: "string" }),
        sentinel_piifindings: facet({
          profilelocation: "string",
          rowsprofiled: "bigint",
          columns: map(struct({ entitytypes: array("string"), matches: map("bigint") })),
        }),
      }),
      inputfacets: struct({
        dataqualitymetrics: facet({ rowcount: "bigint", bytes: "bigint", filecount: "bigint", columnmetrics: map("string") }),
        sentinel_inputfiles: facet({
          files: array(struct({ path: "string", bytes: "bigint", versionid: "string", etag: "string", present: "boolean" })),
        }),
      }),
    }),
  ),
  outputs: array(
    struct({
      namespace: "string",
      name: "string",
      facets: struct({
        schema: datasetSchema,
        columnlineage: facet({ fields: map(struct({ inputfields: array(inputField) })), dataset: array(inputField) }),
        sentinel_quarantine: facet({ reasons: map("bigint") }),
      }),
      outputfacets: struct({ outputstatistics: facet({ rowcount: "bigint" }) }),
    }),
  ),
};

/** Hive DDL names that need backquotes: a leading underscore, or a reserved word. */
const QUOTED_NAMES = /^_|^(column|date|timestamp|function|user)$/;

/** The Hive type string Glue and Athena read, e.g. struct<runid:string,...>. */
export function hiveTypeOf(type: LineageFieldType): string {
  if (typeof type === "string") return type;
  if ("array" in type) return `array<${hiveTypeOf(type.array)}>`;
  if ("map" in type) return `map<string,${hiveTypeOf(type.map)}>`;
  const fields = Object.entries(type.struct).map(
    ([name, field]) => `${QUOTED_NAMES.test(name) ? `\`${name}\`` : name}:${hiveTypeOf(field)}`,
  );
  return `struct<${fields.join(",")}>`;
}

/** The lineage table's columns: every field of the records (LINEAGE_RECORD_FIELDS). */
export const LINEAGE_COLUMNS: readonly OutputColumn[] = Object.entries(LINEAGE_RECORD_FIELDS).map(([name, type]) => ({
  name,
  type: hiveTypeOf(type),
}));

/** Databases are named after namePrefix: sentinel-dev gives sentinel_dev_<tier>. */
export interface GlueCatalogProps extends EnvironmentScopeProps {
  /** Where the tables' data lives (processed tier, lineage records). */
  readonly layout: DataLayout;
  /** One processed table per profile, its columns from the job's recorded output schema. */
  readonly profiles: readonly DatasetProfile[];
  /** OpenLineage job namespace of the environment (sentinel-<env>). */
  readonly lineageNamespace: string;
  /** Names of the jobs whose lineage records the lineage table projects (Glue and DataBrew jobs). */
  readonly lineageJobNames: readonly string[];
}

export class GlueCatalog extends Construct {
  /** Database name per tier. */
  readonly databaseNames: Readonly<Record<CatalogTier, string>>;
  /** Processed table name per profile (the lineage handler's processedTableName). */
  readonly processedTableNames: ReadonlyMap<string, string>;
  readonly lineageTableName = LINEAGE_TABLE;
  /** The processed tables themselves, for rulesets that target them. */
  readonly processedTables: ReadonlyMap<string, GlueCatalogTable>;
  private readonly account: AccountScope;

  constructor(scope: Construct, id: string, props: GlueCatalogProps) {
    super(scope, id);
    this.account = props.account;
    const prefix = props.namePrefix.replaceAll("-", "_");
    const databases = Object.fromEntries(
      CATALOG_TIERS.map((tier) => [
        tier,
        new GlueCatalogDatabase(this, `${tier}-database`, {
          name: `${prefix}_${tier}`,
          description: `Sentinel ${props.namePrefix}: ${tier} tier`,
        }),
      ]),
    ) as Record<CatalogTier, GlueCatalogDatabase>;
    this.databaseNames = Object.fromEntries(CATALOG_TIERS.map((tier) => [tier, `${prefix}_${tier}`])) as Record<CatalogTier, string>;

    const { layout } = props;
    const processedTables = new Map<string, GlueCatalogTable>();
    for (const profile of props.profiles) {
      const schema = jobOutputSchemaOf(profile);
      const table = processedTableName(profile.name);
      this.landingTable(databases.raw, profile, table, `s3://${layout.buckets.raw}/${layout.landingPrefixOf(profile.name)}`);
      processedTables.set(
        profile.name,
        this.parquetTable(databases.processed, `processed-${profile.name}`, {
          table,
          description: `${profile.name}, processed: tokenized and enriched by the Sentinel ETL job. ${profile.description}`,
          location: `s3://${layout.buckets.processed}/${layout.processedPrefixOf(profile.name)}`,
          columns: schema.processed.map((column) => describeColumn(profile, column)),
          ignoreParameters: LINEAGE_POINTER_PARAMETERS,
        }),
      );
      this.parquetTable(databases.quarantine, `quarantine-${profile.name}`, {
        table,
        description: `${profile.name}, quarantined rows as read (raw values, including PII) with reason_code and reason`,
        location: `s3://${layout.buckets.raw}/${layout.quarantinePrefixOf(profile.name)}`,
        columns: schema.quarantine.map((column) => ({ name: column.name, type: column.type })),
        ignoreParameters: [],
      });
    }
    this.processedTables = processedTables;
    this.processedTableNames = new Map(props.profiles.map((profile) => [profile.name, processedTableName(profile.name)]));
    this.lineageTable(databases.lineage, props);
  }

  databaseArn(tier: CatalogTier): string {
    return regionalArn(this.account, "glue", `database/${this.databaseNames[tier]}`);
  }

  tableArn(tier: CatalogTier, table: string): string {
    return regionalArn(this.account, "glue", `table/${this.databaseNames[tier]}/${table}`);
  }

  processedTableArn(profile: string): string {
    const table = this.processedTableNames.get(profile);
    if (table === undefined) throw new Error(`no processed table for profile ${profile}`);
    return this.tableArn("processed", table);
  }

  private parquetTable(
    database: GlueCatalogDatabase,
    id: string,
    spec: {
      table: string;
      description: string;
      location: string;
      columns: GlueCatalogTableStorageDescriptorColumns[];
      ignoreParameters: readonly string[];
    },
  ): GlueCatalogTable {
    return new GlueCatalogTable(this, id, {
      databaseName: database.name,
      name: spec.table,
      description: spec.description,
      tableType: "EXTERNAL_TABLE",
      parameters: {
        EXTERNAL: "TRUE",
        classification: "parquet",
        "parquet.compression": "SNAPPY",
        ...dateProjection(PARTITION_COLUMN, spec.location),
      },
      partitionKeys: [{ name: PARTITION_COLUMN, type: "date", comment: "day the run ingested the rows (the run's --run_date)" }],
      storageDescriptor: { location: spec.location, ...PARQUET, columns: spec.columns },
      lifecycle:
        spec.ignoreParameters.length > 0 ? { ignoreChanges: spec.ignoreParameters.map((name) => `parameters["${name}"]`) } : undefined,
    });
  }

  /**
   * Athena maps CSV fields by position, so this table reads files whose columns are in the profile's
   * declared order (as the generators and loaders write them). The job itself matches headers by
   * name and is not bound to that order.
   */
  private landingTable(database: GlueCatalogDatabase, profile: DatasetProfile, table: string, location: string): void {
    new GlueCatalogTable(this, `raw-${profile.name}`, {
      databaseName: database.name,
      name: table,
      description: `${profile.name}, landing CSV as delivered (raw values, including PII); columns by position in the profile's order`,
      tableType: "EXTERNAL_TABLE",
      parameters: {
        EXTERNAL: "TRUE",
        classification: "csv",
        "skip.header.line.count": "1",
        ...dateProjection(LANDING_PARTITION_COLUMN, location),
      },
      partitionKeys: [{ name: LANDING_PARTITION_COLUMN, type: "date", comment: "delivery day of the landing files" }],
      storageDescriptor: {
        location,
        inputFormat: TEXT_INPUT,
        outputFormat: TEXT_OUTPUT,
        serDeInfo: {
          name: "csv",
          serializationLibrary: "org.apache.hadoop.hive.serde2.OpenCSVSerde",
          parameters: { separatorChar: profile.delimiter, quoteChar: '"' },
        },
        columns: profile.columns.map((column) => ({ name: column.name, type: "string", comment: `declared ${column.type}` })),
      },
    });
  }

  private lineageTable(database: GlueCatalogDatabase, props: GlueCatalogProps): void {
    const location = `s3://${props.layout.buckets.lineageAudit}/${LINEAGE_AUDIT_PREFIXES.lineage}`;
    new GlueCatalogTable(this, "lineage-run-events", {
      databaseName: database.name,
      name: LINEAGE_TABLE,
      description: "OpenLineage run events (one immutable JSON record per job run and event type, Object Lock)",
      tableType: "EXTERNAL_TABLE",
      parameters: {
        EXTERNAL: "TRUE",
        classification: "json",
        "projection.enabled": "true",
        "projection.lineage_namespace.type": "enum",
        "projection.lineage_namespace.values": props.lineageNamespace,
        "projection.job_name.type": "enum",
        "projection.job_name.values": [...props.lineageJobNames].sort().join(","),
        // Terraform would read ${...} as an interpolation; $${ is a literal ${ for Athena.
        "storage.location.template": `${location}$\${lineage_namespace}/$\${job_name}/`,
      },
      partitionKeys: [
        { name: "lineage_namespace", type: "string", comment: "OpenLineage job namespace (sentinel-<environment>)" },
        { name: "job_name", type: "string", comment: "Glue or DataBrew job the run belongs to" },
      ],
      storageDescriptor: {
        location,
        inputFormat: TEXT_INPUT,
        outputFormat: TEXT_OUTPUT,
        serDeInfo: {
          name: "openlineage-json",
          serializationLibrary: "org.openx.data.jsonserde.JsonSerDe",
          parameters: { "case.insensitive": "TRUE" },
        },
        columns: LINEAGE_COLUMNS.map((column) => ({ name: column.name, type: column.type })),
      },
    });
  }
}

/** Partition projection of a `<column>=<yyyy-MM-dd>/` folder layout under `location`. */
function dateProjection(column: string, location: string): Record<string, string> {
  return {
    "projection.enabled": "true",
    [`projection.${column}.type`]: "date",
    [`projection.${column}.format`]: "yyyy-MM-dd",
    [`projection.${column}.range`]: `${PROJECTION_START},NOW`,
    [`projection.${column}.interval`]: "1",
    [`projection.${column}.interval.unit`]: "DAYS",
    // Terraform would read ${...} as an interpolation; $${ is a literal ${ for Athena.
    "storage.location.template": `${location}${column}=$\${${column}}/`,
  };
}

/** A processed column with a comment saying where it comes from. */
function describeColumn(profile: DatasetProfile, column: OutputColumn): GlueCatalogTableStorageDescriptorColumns {
  const method = profile.tokenized.get(column.name);
  const declared = profile.columns.some((candidate) => candidate.name === column.name);
  const comment = method !== undefined ? `PII replaced by a ${method} token` : declared ? "as delivered, validated" : "derived by the job";
  return { name: column.name, type: column.type, comment };
}
