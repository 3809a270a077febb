"""Merchant category encoding: ISO 18245 MCC -> category, parent, risk level and a stable category code.

The mapping is a small versioned CSV (glue-jobs/reference/mcc-mapping.csv) of MCC ranges. It is resolved
on the driver into one row per covered code (at most 10,000) and broadcast-joined on equality, which is
cheaper than a range join. Category codes are fitted once, saved versioned, and only ever extended, so
`merchant_category_code = 7` means the same category in every later run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

from sentinel_etl import fitted_state, storage
from sentinel_etl.spec_schema import parse_section

STATE_KIND = "category-codes"
RISK_LEVELS = ("low", "medium", "high")
MAPPING_COLUMNS = ["mcc_from", "mcc_to", "category", "parent", "risk_level", "description"]
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
VERSION_LINE = re.compile(r"^#\s*version:\s*(\S+)\s*$")

LOOKUP_SCHEMA = StructType(
    [
        StructField("_mcc_key", IntegerType(), False),
        StructField("_mcc_category", StringType(), False),
        StructField("_mcc_parent", StringType(), False),
        StructField("_mcc_risk_level", StringType(), False),
    ]
)


class MappingError(ValueError):
    """The mapping file is unreadable or inconsistent; the message names the file and line."""


@dataclass(frozen=True)
class Fallback:
    category: str
    parent: str
    risk_level: str


@dataclass(frozen=True)
class MerchantSpec:
    column: str
    mapping_uri: str
    fallback: Fallback

    @classmethod
    def from_dict(cls, d: Any) -> MerchantSpec:
        s = parse_section("merchant", d)
        return cls(column=s["column"], mapping_uri=s["mapping_uri"], fallback=Fallback(**s["fallback"]))


@dataclass(frozen=True)
class MccRange:
    mcc_from: int
    mcc_to: int
    category: str
    parent: str
    risk_level: str
    description: str

    @property
    def width(self) -> int:
        return self.mcc_to - self.mcc_from

    def overlaps(self, other: MccRange) -> bool:
        return self.mcc_from <= other.mcc_to and other.mcc_from <= self.mcc_to

    def contains(self, other: MccRange) -> bool:
        return self.mcc_from <= other.mcc_from and other.mcc_to <= self.mcc_to


@dataclass(frozen=True, eq=False)
class MerchantMapping:
    uri: str
    version: str
    sha256: str
    ranges: tuple[MccRange, ...]
    lookup: DataFrame
    """One row per covered MCC: `_mcc_key`, `_mcc_category`, `_mcc_parent`, `_mcc_risk_level`."""

    def parents_by_category(self) -> dict[str, str]:
        return {r.category: r.parent for r in self.ranges}

    def to_metrics(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "sha256": self.sha256,
            "uri": self.uri,
            "ranges": len(self.ranges),
            "categories": len(self.parents_by_category()),
        }


@dataclass(frozen=True)
class CategoryCodes:
    codes: dict[str, int]
    version: str

    def to_metrics(self) -> dict[str, Any]:
        return {"version": self.version, "codes": dict(sorted(self.codes.items(), key=lambda kv: kv[1]))}


def _parse_int(text: str, where: str, field: str) -> int:
    if not re.fullmatch(r"[0-9]{1,4}", text.strip()):
        raise MappingError(f"{where}: {field} {text!r} is not an MCC (1-4 digits)")
    return int(text)


def _parse_ranges(uri: str, text: str) -> tuple[str, tuple[MccRange, ...]]:
    lines = text.splitlines()
    versions = [m.group(1) for m in map(VERSION_LINE.match, lines) if m]
    if len(versions) != 1:
        raise MappingError(f"{uri}: needs exactly one '# version: <version>' comment line, found {len(versions)}")
    data_lines = [line for line in lines if not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(data_lines)))
    if reader.fieldnames != MAPPING_COLUMNS:
        raise MappingError(f"{uri}: header must be {','.join(MAPPING_COLUMNS)}, got {reader.fieldnames}")
    first_data_line = len(lines) - len(data_lines) + 2  # 1-based, after the comment block and the header
    ranges = []
    for offset, row in enumerate(reader):
        where = f"{uri} line {first_data_line + offset}"
        if None in row or None in row.values():
            raise MappingError(f"{where}: expected {len(MAPPING_COLUMNS)} fields")
        entry = MccRange(
            mcc_from=_parse_int(row["mcc_from"], where, "mcc_from"),
            mcc_to=_parse_int(row["mcc_to"], where, "mcc_to"),
            category=row["category"],
            parent=row["parent"],
            risk_level=row["risk_level"],
            description=row["description"],
        )
        if entry.mcc_from > entry.mcc_to:
            raise MappingError(f"{where}: mcc_from {entry.mcc_from} is above mcc_to {entry.mcc_to}")
        for field in ("category", "parent"):
            if not NAME_PATTERN.match(getattr(entry, field)):
                raise MappingError(f"{where}: {field} {getattr(entry, field)!r} must match {NAME_PATTERN.pattern}")
        if entry.risk_level not in RISK_LEVELS:
            raise MappingError(f"{where}: risk_level {entry.risk_level!r} is not one of {list(RISK_LEVELS)}")
        ranges.append(entry)
    if not ranges:
        raise MappingError(f"{uri}: has no mapping rows")
    return versions[0], tuple(ranges)


def _check_consistent(uri: str, ranges: tuple[MccRange, ...]) -> None:
    parents: dict[str, str] = {}
    for r in ranges:
        if parents.setdefault(r.category, r.parent) != r.parent:
            raise MappingError(f"{uri}: category {r.category!r} has two parents ({parents[r.category]!r}, {r.parent!r})")
    for i, a in enumerate(ranges):
        for b in ranges[i + 1 :]:
            nested = (a.contains(b) or b.contains(a)) and a.width != b.width
            if a.overlaps(b) and not nested:
                # "Narrowest wins" is only unambiguous when overlapping rows nest strictly.
                raise MappingError(f"{uri}: rows {a.mcc_from}-{a.mcc_to} and {b.mcc_from}-{b.mcc_to} overlap without nesting")


def resolve_codes(ranges: tuple[MccRange, ...]) -> dict[int, MccRange]:
    """Each covered MCC with the narrowest row covering it."""
    resolved: dict[int, MccRange] = {}
    for r in sorted(ranges, key=lambda r: r.width, reverse=True):
        resolved.update(dict.fromkeys(range(r.mcc_from, r.mcc_to + 1), r))
    return resolved


def load_mapping(spark: SparkSession, uri: str) -> MerchantMapping:
    """Reads and checks the mapping file at `uri` (local path or s3://) and builds its broadcast lookup table."""
    raw = storage.read_bytes(uri)
    if raw is None:
        raise MappingError(f"merchant mapping {uri} does not exist")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MappingError(f"{uri}: not UTF-8 ({err})") from err
    version, ranges = _parse_ranges(uri, text)
    _check_consistent(uri, ranges)
    rows = [(mcc, r.category, r.parent, r.risk_level) for mcc, r in sorted(resolve_codes(ranges).items())]
    # Through pandas so Arrow ships the (up to 10,000-row) table in one batch instead of pickled rows.
    lookup = spark.createDataFrame(pd.DataFrame(rows, columns=LOOKUP_SCHEMA.names), LOOKUP_SCHEMA)
    return MerchantMapping(
        uri=uri,
        version=version,
        sha256=hashlib.sha256(raw).hexdigest(),
        ranges=ranges,
        lookup=lookup,
    )


def fit_or_load_category_codes(mapping: MerchantMapping, spec: MerchantSpec, state_uri: str, refit: bool) -> CategoryCodes:
    """Integer codes for every mapping category and the fallback, stable across runs.

    Existing codes are kept; categories new to this mapping are appended (in name order) after the highest
    code; codes of categories a newer mapping dropped stay reserved. `refit` renumbers from 0 in name order.
    """
    wanted = sorted(set(mapping.parents_by_category()) | {spec.fallback.category})
    stored = None if refit else fitted_state.load_current(state_uri, STATE_KIND)
    codes: dict[str, int] = json.loads(stored.payload)["codes"] if stored is not None else {}
    for category in (c for c in wanted if c not in codes):
        codes[category] = max(codes.values(), default=-1) + 1
    payload = fitted_state.canonical_json({"codes": codes})
    if stored is not None and fitted_state.content_version(payload) == stored.version:
        return CategoryCodes(codes=codes, version=stored.version)
    version = fitted_state.save(
        state_uri,
        STATE_KIND,
        payload,
        ".json",
        {"mapping_version": mapping.version, "mapping_sha256": mapping.sha256},
    )
    return CategoryCodes(codes=codes, version=version)


def with_merchant_category(df: DataFrame, mapping: MerchantMapping, codes: CategoryCodes, spec: MerchantSpec) -> DataFrame:
    """Reads `spec.column` (MCC as string or integer); writes `merchant_category`, `merchant_category_parent`,
    `merchant_risk_level` (strings) and `merchant_category_code` (int code of `merchant_category`, not the MCC).

    Null, malformed (not 1-4 digits after trimming) and uncovered MCCs get `spec.fallback`. Row count is
    unchanged: the lookup has one row per MCC and the join is a left join.
    """
    needed = set(mapping.parents_by_category()) | {spec.fallback.category}
    uncoded = sorted(needed - set(codes.codes))
    if uncoded:
        raise ValueError(f"category codes {codes.version} lack {uncoded}; fit_or_load_category_codes first")
    mcc_text = F.trim(F.col(spec.column).cast("string"))
    is_well_formed = mcc_text.rlike(r"^[0-9]{1,4}$")
    code_by_category = F.create_map(*[F.lit(x) for pair in codes.codes.items() for x in pair])
    return (
        df.withColumn("_mcc_key", F.when(is_well_formed, mcc_text.cast("int")))
        .join(F.broadcast(mapping.lookup), on="_mcc_key", how="left")
        .withColumn("merchant_category", F.coalesce(F.col("_mcc_category"), F.lit(spec.fallback.category)))
        .withColumn("merchant_category_parent", F.coalesce(F.col("_mcc_parent"), F.lit(spec.fallback.parent)))
        .withColumn("merchant_risk_level", F.coalesce(F.col("_mcc_risk_level"), F.lit(spec.fallback.risk_level)))
        .withColumn("merchant_category_code", F.element_at(code_by_category, F.col("merchant_category")).cast("int"))
        .drop("_mcc_key", "_mcc_category", "_mcc_parent", "_mcc_risk_level")
    )
