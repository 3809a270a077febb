"""The run's column lineage: which input columns each output column is made from, and how.

Built from the same profile config and stage specs the pipeline runs with (validate -> bin -> merchant
category -> velocity features -> anomaly score -> tokenize), and written into `run-metrics.json` as
`column_lineage`; the lineage handler turns it into OpenLineage's `columnLineage` dataset facet on the
processed and quarantine outputs. `check_written` compares the plan with the columns the run actually
staged, so a stage that adds a column the plan does not know fails the run instead of leaving a column
without lineage.

Every derived column is traced back to the raw input columns (an anomaly score derives from the velocity
features, which derive from the raw `customer_id`), with OpenLineage's transformation types: DIRECT
(IDENTITY, TRANSFORMATION, AGGREGATION) when the value is computed from the input, INDIRECT (FILTER,
WINDOW, SORT, CONDITIONAL) when the input only decides which rows or groups take part. A tokenized
column's derivation is `masking: true` and names the method and key version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sentinel_etl.config import JobConfig, TokenSpec
from sentinel_etl.features import FeatureSpec
from sentinel_etl.ingest import SOURCE_FILE
from sentinel_etl.output import PARTITION_COLUMN
from sentinel_etl.validation import RAW_RECORD, REASON, REASON_CODE

#: Output columns of the amount binning stage (binning.with_amount_bin).
BIN_COLUMNS = ("amount_bin", "amount_bin_label")
#: Output columns of the merchant category stage (merchant.with_merchant_category).
MERCHANT_COLUMNS = ("merchant_category", "merchant_category_parent", "merchant_risk_level", "merchant_category_code")
#: Output columns of the anomaly stage (anomaly.score_anomalies).
ANOMALY_COLUMNS = ("anomaly_score", "is_anomaly")
#: Columns the job adds to every output row (pipeline.with_run_columns; RUN_ID_COLUMN there).
RUN_COLUMNS = ("run_id", PARTITION_COLUMN)
#: Methods whose tokens need no key (the key version does not apply to them).
UNKEYED_METHODS = frozenset({"hash"})


class ColumnLineageDriftError(RuntimeError):
    """The run wrote columns its column lineage plan does not describe (or lacks ones it does)."""


@dataclass(frozen=True)
class Transformation:
    """One way an output column depends on one input column (an OpenLineage InputField transformation)."""

    type: str
    subtype: str
    description: str
    masking: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "subtype": self.subtype, "description": self.description, "masking": self.masking}


Derivation = dict[str, list[Transformation]]
"""input column -> how it reaches one output column"""


def _merge(*derivations: Derivation) -> Derivation:
    merged: Derivation = {}
    for derivation in derivations:
        for column, transformations in derivation.items():
            known = merged.setdefault(column, [])
            known.extend(t for t in transformations if t not in known)
    return merged


def _derived(upstream: Derivation, how: Transformation) -> Derivation:
    """A column computed from another derived column: its inputs, each reached through `how` as well."""
    return {column: [*transformations, how] for column, transformations in upstream.items()}


def _token_transformation(token: TokenSpec, key_version: str | None) -> Transformation:
    if token.method in UNKEYED_METHODS:
        description = f"tokenized: {token.method} (unkeyed)"
    else:
        description = f"tokenized: {token.method}, key version {key_version or 'unknown'}"
    return Transformation("DIRECT", "TRANSFORMATION", description, masking=True)


def _processed_fields(config: JobConfig, key_version: str | None) -> dict[str, Derivation]:
    tokens = {token.column: token for token in config.tokenization}
    fields: dict[str, Derivation] = {}
    for rule in config.columns:
        token = tokens.get(rule.name)
        if token is not None:
            how = _token_transformation(token, key_version)
        elif rule.type == "string":
            how = Transformation("DIRECT", "IDENTITY", "validated, as received")
        else:
            how = Transformation("DIRECT", "TRANSFORMATION", f"validated, cast to {rule.type}")
        fields[rule.name] = {rule.name: [how]}

    binned = config.binning["column"]
    fields[BIN_COLUMNS[0]] = {
        binned: [Transformation("DIRECT", "TRANSFORMATION", f"{config.binning['method']} bin of {binned} (fitted, versioned edges)")]
    }
    fields[BIN_COLUMNS[1]] = _derived(fields[BIN_COLUMNS[0]], Transformation("DIRECT", "TRANSFORMATION", "label of amount_bin"))

    if config.merchant is not None:
        mcc = config.merchant["column"]
        lookup = {mcc: [Transformation("DIRECT", "TRANSFORMATION", f"MCC range lookup of {mcc} (versioned mapping)")]}
        for column in MERCHANT_COLUMNS[:3]:
            fields[column] = lookup
        fields[MERCHANT_COLUMNS[3]] = _derived(
            lookup, Transformation("DIRECT", "TRANSFORMATION", "stable integer code of merchant_category")
        )

    if config.features is not None:
        spec = FeatureSpec.from_dict(config.features)
        per_customer = {
            spec.customer_column: [Transformation("INDIRECT", "WINDOW", f"window partitioned by the raw {spec.customer_column}")],
        }
        gap, *counts = spec.output_columns()
        fields[gap] = _merge(
            per_customer,
            {spec.timestamp_column: [Transformation("DIRECT", "TRANSFORMATION", "seconds since the previous transaction")]},
            {spec.transaction_id_column: [Transformation("INDIRECT", "SORT", "breaks timestamp ties")]},
        )
        for column in counts:
            fields[column] = _merge(
                per_customer,
                {spec.timestamp_column: [Transformation("DIRECT", "AGGREGATION", "count of transactions in the trailing window")]},
            )

    score = Transformation("DIRECT", "TRANSFORMATION", "isolation forest score (versioned model)")
    scored: Derivation = {}
    for feature in config.anomaly["features"]:
        upstream = fields.get(feature)
        if upstream is None:
            raise ColumnLineageDriftError(f"anomaly feature {feature!r} is neither declared nor derived by an earlier stage")
        scored = _merge(scored, _derived(upstream, score) if feature not in config.column_names else {feature: [score]})
    fields[ANOMALY_COLUMNS[0]] = scored
    fields[ANOMALY_COLUMNS[1]] = _derived(scored, Transformation("DIRECT", "TRANSFORMATION", "anomaly_score above the model threshold"))

    fields[SOURCE_FILE] = {}
    for column in RUN_COLUMNS:
        fields[column] = {}
    return fields


def _quarantine_fields(config: JobConfig) -> dict[str, Derivation]:
    every_column = config.column_names
    fields: dict[str, Derivation] = {
        name: {name: [Transformation("DIRECT", "IDENTITY", "as read (text), not tokenized")]} for name in every_column
    }
    fields[RAW_RECORD] = {name: [Transformation("DIRECT", "IDENTITY", "the unparsed line of a malformed record")] for name in every_column}
    verdict = {name: [Transformation("INDIRECT", "CONDITIONAL", "the first validation rule the row breaks")] for name in every_column}
    fields[SOURCE_FILE] = {}
    fields[REASON_CODE] = verdict
    fields[REASON] = verdict
    for column in RUN_COLUMNS:
        fields[column] = {}
    return fields


def _validation_filter(config: JobConfig, kept: str) -> list[dict[str, Any]]:
    how = Transformation("INDIRECT", "FILTER", f"validation: {kept}")
    return [{"field": name, "transformations": [how.to_json()]} for name in config.column_names]


def _fields_json(fields: dict[str, Derivation]) -> dict[str, Any]:
    return {
        output: [
            {"field": column, "transformations": [t.to_json() for t in transformations]} for column, transformations in derivation.items()
        ]
        for output, derivation in fields.items()
    }


def plan(config: JobConfig, key_version: str | None) -> dict[str, Any]:
    """The `column_lineage` section of the run metrics: the raw input's columns, and per output
    (`processed`, `quarantine`) each output column's input columns plus the whole-dataset dependencies."""
    return {
        "input_fields": [{"name": rule.name, "type": rule.type} for rule in config.columns],
        "outputs": {
            "processed": {
                "fields": _fields_json(_processed_fields(config, key_version)),
                "dataset": _validation_filter(config, "rows passing every rule"),
            },
            "quarantine": {
                "fields": _fields_json(_quarantine_fields(config)),
                "dataset": _validation_filter(config, "rows breaking a rule"),
            },
        },
    }


def check_written(lineage: dict[str, Any], output: str, written: Iterable[str]) -> None:
    """Raises when the columns a run staged for `output` differ from the ones its plan describes."""
    planned = set(lineage["outputs"][output]["fields"])
    actual = set(written)
    if planned != actual:
        raise ColumnLineageDriftError(
            f"{output} output columns differ from the column lineage plan: "
            f"written without lineage {sorted(actual - planned)}, planned but not written {sorted(planned - actual)}"
        )
