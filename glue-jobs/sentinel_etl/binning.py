"""Amount binning with edges fitted once, versioned, and reused by later runs.

Bin numbering (documented for data consumers in docs/data-consumer-guide.md):

* ``0 .. k-1``: regular bins; bin ``i`` is ``[edges[i], edges[i+1])`` and the last one is closed.
* ``-1`` 'missing': null or NaN amount.
* ``-2`` 'negative': amount below zero (refunds, reversals or bad data: never mixed with purchases).
* ``k`` 'overflow': amount above the top edge (the largest amount seen at fit time, or the last
  custom edge), so a later month's record-breaking amount stays visible instead of landing in bin k-1.

With ``group_by`` (the card profile bins ``amount`` within each ``currency``) the edges are fitted
separately for every group value seen at fit time, each group's edges with their own version, and:

* ``-3`` 'unfitted <group column>': the row's group value (e.g. a currency) was not in the fit data,
  so no edges exist for it; it stays in the processed tier and gets real bins after a refit.
* labels name the group ("EUR [12.5, 30)", "EUR overflow"), because bin numbers are only comparable
  within one group: bin 3 of EUR and bin 3 of GBP are different amounts.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from functools import reduce
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from sentinel_etl import fitted_state
from sentinel_etl.spec_schema import SpecError, parse_section

STATE_KIND = "bin-edges"
MISSING_BIN = -1
NEGATIVE_BIN = -2
UNFITTED_GROUP_BIN = -3
MISSING_LABEL = "missing"
NEGATIVE_LABEL = "negative"
OVERFLOW_LABEL = "overflow"
#: `percentile_approx` accuracy standing in for relative error 0 (its relative error is 1 / accuracy).
EXACT_ACCURACY = 2_147_483_647


@dataclass(frozen=True)
class BinningSpec:
    column: str
    method: str
    bins: int
    relative_error: float
    percentiles: tuple[float, ...] | None = None
    edges: tuple[float, ...] | None = None
    labels: tuple[str, ...] | None = None
    group_by: str | None = None

    @classmethod
    def from_dict(cls, d: Any) -> BinningSpec:
        s = parse_section("binning", d)
        method = s["method"]
        if method != "custom" and "edges" in s:
            raise SpecError("invalid binning config: binning.edges: only used with method 'custom'")
        if method != "percentile" and "percentiles" in s:
            raise SpecError("invalid binning config: binning.percentiles: only used with method 'percentile'")
        edges = tuple(float(e) for e in s["edges"]) if "edges" in s else None
        percentiles = tuple(float(p) for p in s["percentiles"]) if "percentiles" in s else None
        if edges is not None:
            if edges[0] != 0:
                raise SpecError(
                    "invalid binning config: binning.edges: must start at 0 "
                    "(negative amounts have their own bin, and every other amount needs a bin)"
                )
            _require_increasing("binning.edges", edges)
        if percentiles is not None:
            _require_increasing("binning.percentiles", percentiles)
        if method == "custom" and "group_by" in s:
            raise SpecError(
                "invalid binning config: binning.group_by: only used with the fitted methods "
                "(custom edges are one set of amounts, not one per group)"
            )
        spec = cls(
            column=s["column"],
            method=method,
            bins=s["bins"],
            relative_error=float(s["relative_error"]),
            percentiles=percentiles,
            edges=edges,
            labels=tuple(s["labels"]) if "labels" in s else None,
            group_by=s.get("group_by"),
        )
        expected = spec.planned_bins()
        if spec.labels is not None and len(spec.labels) != expected:
            raise SpecError(f"invalid binning config: binning.labels: {len(spec.labels)} labels given for {expected} bins")
        return spec

    def planned_bins(self) -> int:
        """Regular bins the config asks for (fitted edges may merge some when values tie)."""
        if self.edges is not None:
            return len(self.edges) - 1
        if self.percentiles is not None:
            return len(self.percentiles) + 1
        return self.bins

    def probabilities(self) -> list[float]:
        """Interior cut points as probabilities, for the fitted methods."""
        if self.percentiles is not None:
            return [p / 100.0 for p in self.percentiles]
        return [i / self.bins for i in range(1, self.bins)]

    def fitted_for(self) -> dict[str, Any]:
        """The settings a fit depends on; stored with the edges and compared on reuse."""
        return {
            "column": self.column,
            "method": self.method,
            "cut_probabilities": self.probabilities() if self.method != "custom" else None,
            "relative_error": self.relative_error,
            "edges": list(self.edges) if self.edges is not None else None,
            "labels": list(self.labels) if self.labels is not None else None,
            "group_by": self.group_by,
        }


@dataclass(frozen=True)
class BinEdges:
    column: str
    method: str
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    version: str
    fitted_rows: int | None

    @property
    def overflow_bin(self) -> int:
        return len(self.edges) - 1

    def label_by_bin(self) -> dict[int, str]:
        return {
            MISSING_BIN: MISSING_LABEL,
            NEGATIVE_BIN: NEGATIVE_LABEL,
            **dict(enumerate(self.labels)),
            self.overflow_bin: OVERFLOW_LABEL,
        }

    def to_metrics(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "column": self.column,
            "method": self.method,
            "edges": list(self.edges),
            "labels": {str(b): label for b, label in sorted(self.label_by_bin().items())},
            "fitted_rows": self.fitted_rows,
        }


def unfitted_label(group_column: str) -> str:
    return f"unfitted {group_column}"


@dataclass(frozen=True)
class GroupedBinEdges:
    """Edges fitted separately within each value of `group_column`; `groups` maps a value to its edges
    (each `BinEdges.version` is the hash of that group's own edges, `version` the hash of them all)."""

    column: str
    group_column: str
    method: str
    groups: dict[str, BinEdges]
    version: str
    fitted_rows: int | None

    def label_by_group_and_bin(self) -> dict[tuple[str, int], str]:
        """Every (group, bin) with its label; the special bins (missing, negative) are the same in every group."""
        return {
            (group, b): label if b < 0 else f"{group} {label}"
            for group, edges in self.groups.items()
            for b, label in edges.label_by_bin().items()
        }

    def to_metrics(self) -> dict[str, Any]:
        # `edges` stays a list (empty: there is no single set) so readers of the ungrouped shape keep working.
        return {
            "version": self.version,
            "column": self.column,
            "method": self.method,
            "group_by": self.group_column,
            "edges": [],
            "labels": {
                str(MISSING_BIN): MISSING_LABEL,
                str(NEGATIVE_BIN): NEGATIVE_LABEL,
                str(UNFITTED_GROUP_BIN): unfitted_label(self.group_column),
            },
            "fitted_rows": self.fitted_rows,
            "groups": {group: _group_metrics(group, edges) for group, edges in sorted(self.groups.items())},
        }


def _group_metrics(group: str, edges: BinEdges) -> dict[str, Any]:
    return {
        "version": edges.version,
        "edges": list(edges.edges),
        "labels": {str(b): label if b < 0 else f"{group} {label}" for b, label in sorted(edges.label_by_bin().items()) if b >= 0},
        "fitted_rows": edges.fitted_rows,
    }


def _require_increasing(field: str, values: tuple[float, ...]) -> None:
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise SpecError(f"invalid binning config: {field}: must be strictly increasing, got {list(values)}")


def _format_edge(x: float) -> str:
    return f"{x:.12g}"


def _interval_labels(edges: tuple[float, ...]) -> tuple[str, ...]:
    last = len(edges) - 2
    return tuple(
        f"[{_format_edge(lo)}, {_format_edge(hi)}{']' if i == last else ')'}" for i, (lo, hi) in enumerate(itertools.pairwise(edges))
    )


def _binnable_amounts(df: DataFrame, column: str) -> DataFrame:
    amount = F.col(column).cast("double")
    is_binnable = amount.isNotNull() & ~F.isnan(amount) & (amount >= 0)
    return df.select(amount.alias("amount")).where(is_binnable)


def _fit_edges(df: DataFrame, spec: BinningSpec) -> tuple[tuple[float, ...], int]:
    if spec.column not in df.columns:
        raise ValueError(f"cannot fit bin edges: column {spec.column!r} is not in the data ({df.columns})")
    amounts = _binnable_amounts(df, spec.column)
    stats = amounts.agg(F.count(F.lit(1)).alias("rows"), F.max("amount").alias("top")).first()
    if stats is None:  # a global aggregate always has one row; first() is typed Optional
        raise ValueError(f"cannot fit bin edges: no aggregate row for column {spec.column!r}")
    if stats["rows"] == 0:
        raise ValueError(f"cannot fit bin edges: column {spec.column!r} has no non-negative values")
    cuts = amounts.approxQuantile("amount", spec.probabilities(), spec.relative_error)
    return _edges_from_cuts(cuts, stats["top"]), int(stats["rows"])


def _edges_from_cuts(cuts: list[float], top: float) -> tuple[float, ...]:
    edges = [0.0]
    for cut in [*cuts, top]:
        # Tied values give repeated quantiles (e.g. many zero amounts); a repeated edge would be an empty bin.
        if cut > edges[-1]:
            edges.append(float(cut))
    if len(edges) == 1:  # every amount is 0: one closed bin [0, 0]
        edges.append(0.0)
    return tuple(edges)


def _fit_grouped_cuts(df: DataFrame, spec: BinningSpec) -> dict[str, tuple[tuple[float, ...], int]]:
    """Per group value: (edges, rows fitted), from one aggregation over the data (null groups are skipped)."""
    group = spec.group_by
    assert group is not None
    for needed in (spec.column, group):
        if needed not in df.columns:
            raise ValueError(f"cannot fit bin edges: column {needed!r} is not in the data ({df.columns})")
    amount = F.col(spec.column).cast("double")
    binnable = amount.isNotNull() & ~F.isnan(amount) & (amount >= 0) & F.col(group).isNotNull()
    accuracy = EXACT_ACCURACY if spec.relative_error == 0 else max(1, round(1 / spec.relative_error))
    probabilities = F.array(*[F.lit(p) for p in spec.probabilities()])
    rows = (
        df.where(binnable)
        .groupBy(F.col(group).cast("string").alias("group"))
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.max(amount).alias("top"),
            F.percentile_approx(amount, probabilities, accuracy).alias("cuts"),
        )
        .collect()
    )
    if not rows:
        raise ValueError(f"cannot fit bin edges: column {spec.column!r} has no non-negative values with a {group}")
    return {row["group"]: (_edges_from_cuts(row["cuts"], row["top"]), int(row["rows"])) for row in rows}


def _resolve_labels(spec: BinningSpec, edges: tuple[float, ...]) -> tuple[str, ...]:
    if spec.labels is None:
        return _interval_labels(edges)
    if len(spec.labels) != len(edges) - 1:
        raise SpecError(
            f"invalid binning config: binning.labels: {len(spec.labels)} labels given, but the fitted edges "
            f"{list(edges)} have {len(edges) - 1} bins (tied values merged some quantiles); "
            "give one label per fitted bin or drop the labels"
        )
    return spec.labels


def _edges_from_stored(stored: fitted_state.StoredState) -> BinEdges:
    body = json.loads(stored.payload)
    return BinEdges(
        column=body["column"],
        method=body["method"],
        edges=tuple(body["edges"]),
        labels=tuple(body["labels"]),
        version=stored.version,
        fitted_rows=stored.pointer.get("fitted_rows"),
    )


def _group_version(spec: BinningSpec, group: str, edges: tuple[float, ...], labels: tuple[str, ...]) -> str:
    body = {
        "column": spec.column,
        "group_by": spec.group_by,
        "group": group,
        "method": spec.method,
        "edges": list(edges),
        "labels": list(labels),
    }
    return fitted_state.content_version(fitted_state.canonical_json(body))


def _grouped_from_body(body: dict[str, Any], spec: BinningSpec, version: str, fitted_rows: int | None) -> GroupedBinEdges:
    groups = {}
    for group, fitted in body["groups"].items():
        edges, labels = tuple(fitted["edges"]), tuple(fitted["labels"])
        groups[group] = BinEdges(spec.column, spec.method, edges, labels, _group_version(spec, group, edges, labels), fitted["fitted_rows"])
    return GroupedBinEdges(body["column"], body["group_by"], body["method"], groups, version, fitted_rows)


def _stored_edges(spec: BinningSpec, state_uri: str) -> fitted_state.StoredState | None:
    """The current stored edges, if any; a FittedStateError when they were fitted for other settings."""
    stored = fitted_state.load_current(state_uri, STATE_KIND)
    if stored is not None:
        fitted_state.require_fitted_for("bin edges", stored, spec.fitted_for())
    return stored


def _save_edges(state_uri: str, spec: BinningSpec, body: dict[str, Any], fitted_rows: int | None) -> str:
    """Saves `body` as a new version of the edges, recording what and how many rows they were fitted for."""
    return fitted_state.save(
        state_uri,
        STATE_KIND,
        fitted_state.canonical_json(body),
        ".json",
        {"fitted_for": spec.fitted_for(), "fitted_rows": fitted_rows},
    )


def _fit_or_load_grouped(df: DataFrame, spec: BinningSpec, state_uri: str, refit: bool) -> GroupedBinEdges:
    stored = None if refit else _stored_edges(spec, state_uri)
    if stored is not None:
        return _grouped_from_body(json.loads(stored.payload), spec, stored.version, stored.pointer.get("fitted_rows"))
    fitted = _fit_grouped_cuts(df, spec)
    groups = {
        group: {"edges": list(edges), "labels": list(_resolve_labels(spec, edges)), "fitted_rows": rows}
        for group, (edges, rows) in sorted(fitted.items())
    }
    body = {"column": spec.column, "group_by": spec.group_by, "method": spec.method, "groups": groups}
    fitted_rows = sum(rows for _, rows in fitted.values())
    version = _save_edges(state_uri, spec, body, fitted_rows)
    return _grouped_from_body(body, spec, version, fitted_rows)


def fit_or_load_bin_edges(df: DataFrame, spec: BinningSpec, state_uri: str, refit: bool) -> BinEdges | GroupedBinEdges:
    """The current bin edges under `state_uri`, fitting (and saving a new version) on first use or refit.

    Custom edges come from the config and are saved too, so every run records the edges version it used.
    Reuse fails with a FittedStateError when the stored edges were fitted for other settings.
    With `spec.group_by` the edges are fitted within each group value (GroupedBinEdges).
    """
    if spec.group_by is not None:
        return _fit_or_load_grouped(df, spec, state_uri, refit)
    stored = None if spec.method == "custom" or refit else _stored_edges(spec, state_uri)
    if stored is not None:
        return _edges_from_stored(stored)
    if spec.edges is not None:
        edges, fitted_rows = spec.edges, None
    else:
        edges, fitted_rows = _fit_edges(df, spec)
    labels = _resolve_labels(spec, edges)
    body = {"column": spec.column, "method": spec.method, "edges": list(edges), "labels": list(labels)}
    version = _save_edges(state_uri, spec, body, fitted_rows)
    return BinEdges(spec.column, spec.method, edges, labels, version, fitted_rows)


def _bin_expression(amount: Column, edges: BinEdges) -> Column:
    is_missing = amount.isNull() | F.isnan(amount)
    is_negative = amount < 0
    is_overflow = amount > edges.edges[-1]
    special = F.when(is_missing, MISSING_BIN).when(is_negative, NEGATIVE_BIN).when(is_overflow, edges.overflow_bin)
    # Bin i holds [edges[i], edges[i+1]): the first upper edge the amount is below decides its bin.
    regular = reduce(
        lambda expr, bin_and_upper: expr.when(amount < bin_and_upper[1], bin_and_upper[0]),
        enumerate(edges.edges[1:-1]),
        special,
    )
    return regular.otherwise(edges.overflow_bin - 1).cast("int")


def _grouped_bin_expression(amount: Column, group: Column, edges: GroupedBinEdges) -> Column:
    is_missing = amount.isNull() | F.isnan(amount)
    chain = F.when(is_missing, MISSING_BIN).when(amount < 0, NEGATIVE_BIN)
    for value, group_edges in sorted(edges.groups.items()):
        chain = chain.when(group == value, _bin_expression(amount, group_edges))
    return chain.otherwise(UNFITTED_GROUP_BIN).cast("int")


def _with_grouped_amount_bin(df: DataFrame, edges: GroupedBinEdges) -> DataFrame:
    amount = F.col(edges.column).cast("double")
    group = F.col(edges.group_column).cast("string")
    special = {MISSING_BIN: MISSING_LABEL, NEGATIVE_BIN: NEGATIVE_LABEL, UNFITTED_GROUP_BIN: unfitted_label(edges.group_column)}
    # Regular and overflow labels are looked up by "<group>\t<bin>"; the special ones are the same in every group.
    regular = {f"{g}\t{b}": label for (g, b), label in edges.label_by_group_and_bin().items() if b >= 0}
    special_map = F.create_map(*[F.lit(x) for pair in special.items() for x in pair])
    regular_map = F.create_map(*[F.lit(x) for pair in sorted(regular.items()) for x in pair])
    bin_ = F.col("amount_bin")
    label = F.when(bin_ < 0, F.element_at(special_map, bin_)).otherwise(
        F.element_at(regular_map, F.concat(group, F.lit("\t"), bin_.cast("string")))
    )
    return df.withColumn("amount_bin", _grouped_bin_expression(amount, group, edges)).withColumn("amount_bin_label", label)


def with_amount_bin(df: DataFrame, edges: BinEdges | GroupedBinEdges) -> DataFrame:
    """Reads `edges.column` (any numeric type) and, for grouped edges, `edges.group_column`;
    writes `amount_bin` (int) and `amount_bin_label` (string).

    Null/NaN -> -1 'missing', negative -> -2 'negative', above the top edge -> k 'overflow';
    grouped: a group value without fitted edges -> -3 'unfitted <group column>'.
    """
    if isinstance(edges, GroupedBinEdges):
        return _with_grouped_amount_bin(df, edges)
    amount = F.col(edges.column).cast("double")
    label_map = F.create_map(*[F.lit(x) for pair in edges.label_by_bin().items() for x in pair])
    return df.withColumn("amount_bin", _bin_expression(amount, edges)).withColumn(
        "amount_bin_label", F.element_at(label_map, F.col("amount_bin"))
    )
