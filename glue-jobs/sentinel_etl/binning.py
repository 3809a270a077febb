"""Amount binning with edges fitted once, versioned, and reused by later runs.

Bin numbering (documented for data consumers in docs/data-consumer-guide.md):

* ``0 .. k-1``: regular bins; bin ``i`` is ``[edges[i], edges[i+1])`` and the last one is closed.
* ``-1`` 'missing': null or NaN amount.
* ``-2`` 'negative': amount below zero (refunds, reversals or bad data: never mixed with purchases).
* ``k`` 'overflow': amount above the top edge (the largest amount seen at fit time, or the last
  custom edge), so a later month's record-breaking amount stays visible instead of landing in bin k-1.
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
MISSING_LABEL = "missing"
NEGATIVE_LABEL = "negative"
OVERFLOW_LABEL = "overflow"


@dataclass(frozen=True)
class BinningSpec:
    column: str
    method: str
    bins: int
    relative_error: float
    percentiles: tuple[float, ...] | None = None
    edges: tuple[float, ...] | None = None
    labels: tuple[str, ...] | None = None

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
        spec = cls(
            column=s["column"],
            method=method,
            bins=s["bins"],
            relative_error=float(s["relative_error"]),
            percentiles=percentiles,
            edges=edges,
            labels=tuple(s["labels"]) if "labels" in s else None,
        )
        expected = spec.planned_bins()
        if spec.labels is not None and len(spec.labels) != expected:
            raise SpecError(
                f"invalid binning config: binning.labels: {len(spec.labels)} labels given for {expected} bins"
            )
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


def _require_increasing(field: str, values: tuple[float, ...]) -> None:
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise SpecError(f"invalid binning config: {field}: must be strictly increasing, got {list(values)}")


def _format_edge(x: float) -> str:
    return f"{x:.12g}"


def _interval_labels(edges: tuple[float, ...]) -> tuple[str, ...]:
    last = len(edges) - 2
    return tuple(
        f"[{_format_edge(lo)}, {_format_edge(hi)}{']' if i == last else ')'}"
        for i, (lo, hi) in enumerate(itertools.pairwise(edges))
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
    edges = [0.0]
    for cut in [*cuts, stats["top"]]:
        # Tied values give repeated quantiles (e.g. many zero amounts); a repeated edge would be an empty bin.
        if cut > edges[-1]:
            edges.append(float(cut))
    if len(edges) == 1:  # every amount is 0: one closed bin [0, 0]
        edges.append(0.0)
    return tuple(edges), int(stats["rows"])


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


def fit_or_load_bin_edges(df: DataFrame, spec: BinningSpec, state_uri: str, refit: bool) -> BinEdges:
    """The current bin edges under `state_uri`, fitting (and saving a new version) on first use or refit.

    Custom edges come from the config and are saved too, so every run records the edges version it used.
    Reuse fails with a FittedStateError when the stored edges were fitted for other settings.
    """
    if spec.method != "custom" and not refit:
        stored = fitted_state.load_current(state_uri, STATE_KIND)
        if stored is not None:
            fitted_state.require_fitted_for("bin edges", stored, spec.fitted_for())
            return _edges_from_stored(stored)
    if spec.edges is not None:
        edges, fitted_rows = spec.edges, None
    else:
        edges, fitted_rows = _fit_edges(df, spec)
    labels = _resolve_labels(spec, edges)
    body = {"column": spec.column, "method": spec.method, "edges": list(edges), "labels": list(labels)}
    version = fitted_state.save(
        state_uri,
        STATE_KIND,
        fitted_state.canonical_json(body),
        ".json",
        {"fitted_for": spec.fitted_for(), "fitted_rows": fitted_rows},
    )
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


def with_amount_bin(df: DataFrame, edges: BinEdges) -> DataFrame:
    """Reads `edges.column` (any numeric type); writes `amount_bin` (int) and `amount_bin_label` (string).

    Null/NaN -> -1 'missing', negative -> -2 'negative', above the top edge -> k 'overflow'.
    """
    amount = F.col(edges.column).cast("double")
    label_map = F.create_map(*[F.lit(x) for pair in edges.label_by_bin().items() for x in pair])
    return df.withColumn("amount_bin", _bin_expression(amount, edges)).withColumn(
        "amount_bin_label", F.element_at(label_map, F.col("amount_bin"))
    )
