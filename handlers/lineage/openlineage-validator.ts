/**
 * Validates lineage records against the OpenLineage 2-0-2 JSON Schemas (draft 2020-12), offline: the core
 * schema is registered under its `$id`, which the facet schemas reference, and every facet a record
 * carries is checked against its own schema (standard or Sentinel's), not only the core envelope.
 */
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import sentinelInputFiles from "./facets/SentinelInputFilesInputDatasetFacet.json" with { type: "json" };
import sentinelPiiFindings from "./facets/SentinelPiiFindingsDatasetFacet.json" with { type: "json" };
import sentinelQuarantine from "./facets/SentinelQuarantineDatasetFacet.json" with { type: "json" };
import sentinelRun from "./facets/SentinelRunFacet.json" with { type: "json" };
import core from "./openlineage-spec/OpenLineage.json" with { type: "json" };
import columnLineage from "./openlineage-spec/facets/ColumnLineageDatasetFacet.json" with { type: "json" };
import dataQualityAssertions from "./openlineage-spec/facets/DataQualityAssertionsDatasetFacet.json" with { type: "json" };
import dataQualityMetrics from "./openlineage-spec/facets/DataQualityMetricsInputDatasetFacet.json" with { type: "json" };
import datasetVersion from "./openlineage-spec/facets/DatasetVersionDatasetFacet.json" with { type: "json" };
import documentation from "./openlineage-spec/facets/DocumentationJobFacet.json" with { type: "json" };
import errorMessage from "./openlineage-spec/facets/ErrorMessageRunFacet.json" with { type: "json" };
import jobType from "./openlineage-spec/facets/JobTypeJobFacet.json" with { type: "json" };
import nominalTime from "./openlineage-spec/facets/NominalTimeRunFacet.json" with { type: "json" };
import outputStatistics from "./openlineage-spec/facets/OutputStatisticsOutputDatasetFacet.json" with { type: "json" };
import parentRun from "./openlineage-spec/facets/ParentRunFacet.json" with { type: "json" };
import processingEngine from "./openlineage-spec/facets/ProcessingEngineRunFacet.json" with { type: "json" };
import schemaFacet from "./openlineage-spec/facets/SchemaDatasetFacet.json" with { type: "json" };
import sourceCodeLocation from "./openlineage-spec/facets/SourceCodeLocationJobFacet.json" with { type: "json" };
import storage from "./openlineage-spec/facets/StorageDatasetFacet.json" with { type: "json" };

export const OPENLINEAGE_CORE_ID = core.$id;

interface FacetSchemaDocument {
  readonly $id: string;
  readonly properties: Record<string, unknown>;
}

const FACET_SCHEMAS: readonly FacetSchemaDocument[] = [
  columnLineage,
  dataQualityAssertions,
  dataQualityMetrics,
  datasetVersion,
  documentation,
  errorMessage,
  jobType,
  nominalTime,
  outputStatistics,
  parentRun,
  processingEngine,
  schemaFacet,
  sourceCodeLocation,
  storage,
  sentinelRun,
  sentinelInputFiles,
  sentinelQuarantine,
  sentinelPiiFindings,
];

/** `_schemaURL` of a facet: its schema's `$id` and JSON pointer to the facet definition. */
export function facetSchemaUrl(facetKey: string): string {
  const document = FACET_SCHEMAS.find((candidate) => facetKey in candidate.properties);
  if (document === undefined) throw new Error(`no schema registered for facet ${facetKey}`);
  const ref = (document.properties[facetKey] as { $ref: string }).$ref;
  return `${document.$id}${ref}`;
}

export type LineageValidation = { readonly valid: true } | { readonly valid: false; readonly errors: readonly string[] };

export class LineageSchemaError extends Error {
  override readonly name = "LineageSchemaError";
  constructor(readonly errors: readonly string[]) {
    super(`lineage record does not match the OpenLineage schemas: ${errors.join("; ")}`);
  }
}

function createAjv(): Ajv2020 {
  // strict mode, except the check that `required` names declared properties: the core schema uses
  // `not: { required: [...] }` to tell RunEvent, JobEvent and DatasetEvent apart, which is valid JSON Schema
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  // OpenLineage annotates properties with `example`, which is not a JSON Schema keyword
  ajv.addKeyword("example");
  ajv.addSchema(core);
  for (const document of FACET_SCHEMAS) ajv.addSchema(document);
  return ajv;
}

/** Validates OpenLineage events; build once per process (compiling the schemas is the costly part). */
export class OpenLineageValidator {
  private readonly ajv = createAjv();
  private readonly facetSchemaIds = new Map(
    FACET_SCHEMAS.flatMap((document) => Object.keys(document.properties).map((key) => [key, document.$id] as const)),
  );

  validate(event: unknown): LineageValidation {
    const errors: string[] = [];
    const validateCore = this.ajv.getSchema(OPENLINEAGE_CORE_ID);
    if (validateCore === undefined) throw new Error("OpenLineage core schema is not registered");
    if (!validateCore(event)) {
      for (const error of validateCore.errors ?? []) errors.push(`${error.instancePath || "(event)"} ${error.message ?? "is invalid"}`);
    }
    for (const [path, facets] of facetContainers(event)) errors.push(...this.validateFacets(path, facets));
    return errors.length === 0 ? { valid: true } : { valid: false, errors };
  }

  assertValid(event: unknown): void {
    const result = this.validate(event);
    if (!result.valid) throw new LineageSchemaError(result.errors);
  }

  private validateFacets(path: string, facets: Record<string, unknown>): string[] {
    const errors: string[] = [];
    for (const [key, facet] of Object.entries(facets)) {
      const schemaId = this.facetSchemaIds.get(key);
      if (schemaId === undefined) {
        errors.push(`${path}/${key} has no registered facet schema`);
        continue;
      }
      const validateFacet = this.ajv.getSchema(schemaId);
      if (validateFacet === undefined) throw new Error(`facet schema ${schemaId} is not registered`);
      if (!validateFacet({ [key]: facet })) {
        for (const error of validateFacet.errors ?? [])
          errors.push(`${path}${error.instancePath || `/${key}`} ${error.message ?? "is invalid"}`);
      }
    }
    return errors;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every facets object in an event, with its JSON pointer. */
function facetContainers(event: unknown): [string, Record<string, unknown>][] {
  if (!isRecord(event)) return [];
  const containers: [string, Record<string, unknown>][] = [];
  const add = (path: string, owner: unknown, field: string) => {
    if (isRecord(owner) && isRecord(owner[field])) containers.push([`${path}/${field}`, owner[field]]);
  };
  add("/run", event.run, "facets");
  add("/job", event.job, "facets");
  for (const side of ["inputs", "outputs"] as const) {
    const datasets = event[side];
    if (!Array.isArray(datasets)) continue;
    datasets.forEach((dataset, i) => {
      add(`/${side}/${i}`, dataset, "facets");
      add(`/${side}/${i}`, dataset, side === "inputs" ? "inputFacets" : "outputFacets");
    });
  }
  return containers;
}
