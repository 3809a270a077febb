/**
 * OpenLineage's `columnLineage` dataset facet from the Glue job's plan of transformations (the
 * `column_lineage` section of its run metrics): every output column mapped to the input dataset columns
 * it is made from, with transformation type, subtype, description and `masking`.
 */
import type { ColumnLineagePlan, OutputColumnLineage } from "./run-metrics";

/** An input dataset as the record names it. */
export interface DatasetName {
  readonly namespace: string;
  readonly name: string;
}

interface InputFieldJson {
  namespace: string;
  name: string;
  field: string;
  transformations: { type: string; subtype: string; description: string; masking: boolean }[];
  [key: string]: unknown;
}

export interface ColumnLineageFields {
  fields: Record<string, { inputFields: InputFieldJson[] }>;
  dataset: InputFieldJson[];
}

/** The job reads the same columns from every input dataset (one raw prefix per run), so each input field names each. */
function inputFieldsOf(entries: OutputColumnLineage["fields"][string], inputs: readonly DatasetName[]): InputFieldJson[] {
  return inputs.flatMap((input) =>
    entries.map((entry) => ({
      namespace: input.namespace,
      name: input.name,
      field: entry.field,
      transformations: entry.transformations.map(({ type, subtype, description, masking }) => ({ type, subtype, description, masking })),
    })),
  );
}

/** The facet's fields for one output role, or undefined when the plan has none for it. */
export function columnLineageFields(
  plan: ColumnLineagePlan | undefined,
  role: "processed" | "quarantine",
  inputs: readonly DatasetName[],
): ColumnLineageFields | undefined {
  const output = plan?.outputs[role];
  if (output === undefined || inputs.length === 0) return undefined;
  return {
    fields: Object.fromEntries(
      Object.entries(output.fields).map(([column, entries]) => [column, { inputFields: inputFieldsOf(entries, inputs) }]),
    ),
    dataset: inputFieldsOf(output.dataset, inputs),
  };
}
