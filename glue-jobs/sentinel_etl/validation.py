"""Validation and quarantine: every raw row gets a verdict, valid rows are typed, the rest quarantined.

A row's verdict is the first failing rule in this order (so each quarantined row has exactly one
reason code and the per-code counts add up to the quarantined total):

    MALFORMED_RECORD  the line did not parse as a CSV record with the header's columns
    INVALID_ENCODING  the line held bytes that are not UTF-8 (decoded as U+FFFD)
    MISSING_VALUE     a non-nullable column is null or blank
    INVALID_TYPE      a value does not cast to the column's type (NaN and infinities included)
    OUT_OF_RANGE      a number is outside the column's [min, max]
    INVALID_FORMAT    a string does not match its pattern / allowed values / tokenization alphabet
    DUPLICATE_ID      a unique column repeats a value already seen in this run (the first is kept)

Casts use `try_cast`, so the verdict is the same whether or not Spark's ANSI mode is on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import reduce
from typing import NamedTuple

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from sentinel_etl.config import DIGITS, ColumnRule, JobConfig, TokenSpec
from sentinel_etl.ingest import CORRUPT_RECORD, ROW_KEY, SOURCE_FILE
from sentinel_etl.tokenization.format_preserving import minimum_value_length
from sentinel_etl.tokenization.jvm import JvmFunction, luhn_check, utc_timestamp_micros

REASON_CODE = "reason_code"
REASON = "reason"
RAW_RECORD = "raw_record"
TYPED_PREFIX = "_typed_"

REASON_CODES = {
    "MALFORMED_RECORD": "the line did not parse as a CSV record with the header's columns",
    "INVALID_ENCODING": "the line contains bytes that are not valid UTF-8",
    "MISSING_VALUE": "a required value is null or blank",
    "INVALID_TYPE": "a value does not convert to the column's type",
    "OUT_OF_RANGE": "a number is outside the column's allowed range",
    "INVALID_FORMAT": "a value does not match the column's pattern or allowed values",
    "DUPLICATE_ID": "a unique column repeats a value seen earlier in the run",
}

_INTEGER_TEXT = r"^\s*[+-]?[0-9]+\s*$"


def _col(name: str) -> Column:
    return F.col(f"`{name}`")


def typed_value(rule: ColumnRule) -> Column:
    """The raw string column cast to its declared type; null when it does not convert.

    A timestamp in the canonical UTC form `yyyy-MM-ddTHH:mm:ssZ` is converted by the JVM library's
    `UtcTimestampMicros` (same instant as the cast); any other text goes through the cast. Spark's cast
    resolves the zone of every value that names one, compiling two regular expressions per value, which
    made the timestamp cast most of the cost of the three casts (measured: 0.8 s against 0.3 s per 1M values
    without the zone)."""
    cast = F.expr(f"try_cast(`{rule.name}` AS {rule.spark_type})")
    if rule.type != "timestamp":
        return cast
    return F.coalesce(F.timestamp_micros(_active_spark_function(utc_timestamp_micros)(_col(rule.name).cast("binary"))), cast)


def _active_spark_function(register: Callable[[SparkSession], JvmFunction]) -> JvmFunction:
    """A JVM library function registered in the active session (the rules are built without a frame at hand)."""
    spark = SparkSession.getActiveSession()
    if spark is None:
        raise RuntimeError("validation needs an active Spark session to register the JVM library's functions in")
    return register(spark)


def _typed_name(rule: ColumnRule) -> str:
    return f"{TYPED_PREFIX}{rule.name}"


def _typed(rule: ColumnRule) -> Column:
    """The column's typed value as computed once by `with_verdict` (strings need no cast)."""
    return _col(rule.name) if rule.type == "string" else F.col(_typed_name(rule))


def _is_blank(rule: ColumnRule) -> Column:
    value = _col(rule.name)
    # trim() allocates a string per value; only values starting with a space can be all spaces.
    return value.isNull() | (value == "") | (value.startswith(" ") & (F.trim(value) == ""))


class RowRule(NamedTuple):
    """A row-level rule: rows where `condition` is true get `code` and `reason` (null counts as false)."""

    condition: Column
    code: str
    reason: str


def _missing_rules(rules: tuple[ColumnRule, ...]) -> list[RowRule]:
    return [RowRule(_is_blank(rule), "MISSING_VALUE", f"{rule.name} is required but null or blank") for rule in rules if not rule.nullable]


def _type_rules(rules: tuple[ColumnRule, ...]) -> list[RowRule]:
    verdicts = []
    for rule in rules:
        if rule.type == "string":
            continue
        present = ~_is_blank(rule)
        typed = _typed(rule)
        not_converted = typed.isNull()
        if rule.type == "integer":
            # try_cast('1.5' AS bigint) truncates to 1; an integer column must hold an integer literal.
            not_converted = not_converted | ~_col(rule.name).rlike(_INTEGER_TEXT)
        if rule.type == "double":
            not_finite = F.isnan(typed) | (F.abs(typed) == F.lit(float("inf")))
            not_converted = not_converted | not_finite
        verdicts.append(RowRule(present & not_converted, "INVALID_TYPE", f"{rule.name} is not a valid {rule.type}"))
    return verdicts


def _range_rules(rules: tuple[ColumnRule, ...]) -> list[RowRule]:
    verdicts = []
    for rule in rules:
        if rule.min is None and rule.max is None:
            continue
        typed = _typed(rule)
        below = typed < F.lit(rule.min) if rule.min is not None else F.lit(False)
        above = typed > F.lit(rule.max) if rule.max is not None else F.lit(False)
        bounds = f"[{'-inf' if rule.min is None else f'{rule.min:g}'}, {'inf' if rule.max is None else f'{rule.max:g}'}]"
        verdicts.append(RowRule(below | above, "OUT_OF_RANGE", f"{rule.name} is outside {bounds}"))
    return verdicts


def _alphabet_class(alphabet: str) -> str:
    return "[0-9]" if alphabet == DIGITS else "[" + "".join(re.escape(ch) for ch in alphabet) + "]"


def _format_rules(rules: tuple[ColumnRule, ...], tokens: tuple[TokenSpec, ...]) -> list[RowRule]:
    verdicts = []
    fpe = {t.column: t for t in tokens if t.method == "format_preserving"}
    for rule in rules:
        value = _col(rule.name)
        present = ~_is_blank(rule) if not rule.nullable else value.isNotNull() & (value != "")
        if rule.pattern is not None:
            # rlike finds a match anywhere; the rule means the whole value.
            whole = f"^(?:{rule.pattern})$"
            verdicts.append(RowRule(present & ~value.rlike(whole), "INVALID_FORMAT", f"{rule.name} does not match {rule.pattern}"))
        if rule.allowed is not None:
            candidate = _typed(rule)
            verdicts.append(
                RowRule(
                    present & ~candidate.isin(list(rule.allowed)),
                    "INVALID_FORMAT",
                    f"{rule.name} is not one of {list(rule.allowed)}",
                )
            )
        token = fpe.get(rule.name)
        if token is not None:
            shortest = minimum_value_length(token)
            fits = value.rlike(f"^{_alphabet_class(token.alphabet)}{{{shortest},}}$")
            verdicts.append(
                RowRule(
                    present & ~fits,
                    "INVALID_FORMAT",
                    f"{rule.name} needs at least {shortest} characters from its tokenization alphabet",
                )
            )
            if token.fail_luhn:
                verdicts.append(
                    RowRule(
                        present & fits & ~_passes_luhn(value),
                        "INVALID_FORMAT",
                        f"{rule.name} fails the Luhn check (its tokens are built from valid card numbers)",
                    )
                )
    return verdicts


def _passes_luhn(digits: Column) -> Column:
    """ISO/IEC 7812 Luhn check of a string of decimal digits: from the right, every second digit doubled
    (minus 9 above 9), the sum a multiple of 10. One call per row of the JVM library's `LuhnCheck`
    (glue-jobs/jvm) in the active session: Spark has no native Luhn function, and the higher-order
    aggregate over the digits this replaced cost about 26 s per 1M rows."""
    return _active_spark_function(luhn_check)(digits)


def _row_rules(config: JobConfig) -> list[RowRule]:
    """Every row-level rule in verdict order (the first true condition is a row's verdict)."""
    raw_columns = [*config.column_names, CORRUPT_RECORD]
    not_utf8 = reduce(lambda a, b: a | b, [F.coalesce(_col(c).contains("\ufffd"), F.lit(False)) for c in raw_columns])
    return [
        RowRule(_col(CORRUPT_RECORD).isNotNull(), "MALFORMED_RECORD", REASON_CODES["MALFORMED_RECORD"]),
        RowRule(not_utf8, "INVALID_ENCODING", REASON_CODES["INVALID_ENCODING"]),
        *_missing_rules(config.columns),
        *_type_rules(config.columns),
        *_range_rules(config.columns),
        *_format_rules(config.columns, config.tokenization),
    ]


def _with_typed_values(df: DataFrame, config: JobConfig) -> DataFrame:
    # A projection of its own: Spark keeps the typed values computed once instead of inlining each cast per rule.
    return df.select("*", *[typed_value(rule).alias(_typed_name(rule)) for rule in config.columns if rule.type != "string"])


def _first_failed(rules: list[RowRule]) -> Column:
    """The first failing rule, as a 1-based index (0: none). Every condition is evaluated as an element of one
    array, which Spark's code generator splits into small methods the JIT compiles; a chain of 26
    CASE WHENs was one method too large to compile and cost ~4 s more per 1M rows (measured)."""
    return F.array_position(F.array(*[rule.condition for rule in rules]), True).cast("int")


def _with_reason(df: DataFrame, rules: list[RowRule], first_failed: Column) -> DataFrame:
    codes = F.array(*[F.lit(rule.code) for rule in rules])
    reasons = F.array(*[F.lit(rule.reason) for rule in rules])
    failed = F.col("_first_failed") > 0
    return (
        df.withColumn("_first_failed", first_failed)
        .withColumn(REASON_CODE, F.when(failed, F.element_at(codes, F.col("_first_failed"))))
        .withColumn(REASON, F.when(failed, F.element_at(reasons, F.col("_first_failed"))))
        .drop("_first_failed")
    )


def with_verdict_detailed(df: DataFrame, config: JobConfig) -> DataFrame:
    """`with_verdict` without the fast path: every rule evaluated on every row (the reference the fast path
    is tested against)."""
    rules = _row_rules(config)
    return _with_reason(_with_typed_values(df, config), rules, _first_failed(rules))


def _passes(rules: list[RowRule], group: int = 4) -> Column:
    """True when no rule holds (a null condition counts as not holding, as in `array_position`).

    The rules are ORed in runs of `group`, each run one element of an array: Spark's code generator gives
    each element its own small method, which the JIT compiles. (One AND over all 26 rules was a single
    method too large to compile and made the fast path ~30 % slower than evaluating the ordered array.)"""
    runs = [
        F.coalesce(reduce(lambda a, b: a | b, [r.condition for r in rules[i : i + group]]), F.lit(False))
        for i in range(0, len(rules), group)
    ]
    return ~F.array_contains(F.array(*runs), True)


def with_verdict(df: DataFrame, config: JobConfig) -> DataFrame:
    """Reads the raw string columns and `_corrupt_record`; writes `reason_code` and `reason`
    (both null for a row that passes every row-level rule; uniqueness is `with_duplicate_verdict`)
    and `_typed_<column>` for each non-string column, cast once here and reused by `valid_rows`.

    Fast path: every row is cast once and checked with the rules ORed together in a few runs (no per-rule
    array, no codes); only a row that fails the check (normally a small fraction) evaluates the rules again,
    in order, to find its first failing rule, so the verdicts are those of `with_verdict_detailed`.
    """
    rules = _row_rules(config)
    first_failed = F.when(_passes(rules), F.lit(0)).otherwise(_first_failed(rules))
    return _with_reason(_with_typed_values(df, config), rules, first_failed)


def with_duplicate_verdict(df: DataFrame, column: str, broadcast_limit: int = 200_000) -> DataFrame:
    """Reads `column`, `_row_key`, `reason_code`; marks every row whose otherwise-valid `column` value
    already appeared in an earlier valid row (lower `_row_key`) as DUPLICATE_ID.

    Only repeated values are gathered (normally few), so the full rows are never shuffled; when there
    are more than `broadcast_limit` of them the join falls back to a shuffle join.
    """
    candidates = df.where(F.col(REASON_CODE).isNull() & _col(column).isNotNull())
    repeated = (
        candidates.groupBy(_col(column).alias("_dup_value"))
        .agg(F.count(F.lit(1)).alias("_dup_count"), F.min(ROW_KEY).alias("_dup_first"))
        .where(F.col("_dup_count") > 1)
        .select("_dup_value", "_dup_first")
        .localCheckpoint()  # computed once: counted here, then joined
    )
    repeated_count = repeated.count()
    if repeated_count == 0:
        return df
    lookup = F.broadcast(repeated) if repeated_count <= broadcast_limit else repeated
    joined = df.join(lookup, on=_col(column) == F.col("_dup_value"), how="left")
    is_repeat = F.col(REASON_CODE).isNull() & F.col("_dup_first").isNotNull() & (F.col(ROW_KEY) != F.col("_dup_first"))
    reason = f"{column} repeats a value seen earlier in this run"
    return (
        joined.withColumn(REASON, F.when(is_repeat, F.lit(reason)).otherwise(F.col(REASON)))
        .withColumn(REASON_CODE, F.when(is_repeat, F.lit("DUPLICATE_ID")).otherwise(F.col(REASON_CODE)))
        .drop("_dup_value", "_dup_first")
    )


def valid_rows(df: DataFrame, config: JobConfig) -> DataFrame:
    """Rows without a verdict, each declared column with its type (the `_typed_` values of `with_verdict`);
    keeps `source_file`."""
    return df.where(F.col(REASON_CODE).isNull()).select(*[_typed(rule).alias(rule.name) for rule in config.columns], F.col(SOURCE_FILE))


def quarantined_rows(df: DataFrame, config: JobConfig) -> DataFrame:
    """Rows with a verdict, as read (strings), with `raw_record` (the unparsed line, if any),
    `source_file`, `reason_code` and `reason`."""
    return df.where(F.col(REASON_CODE).isNotNull()).select(
        *[_col(name) for name in config.column_names],
        F.col(CORRUPT_RECORD).alias(RAW_RECORD),
        F.col(SOURCE_FILE),
        F.col(REASON_CODE),
        F.col(REASON),
    )


def with_duplicate_verdicts(df: DataFrame, config: JobConfig) -> DataFrame:
    """`with_duplicate_verdict` for every column declared unique."""
    unique = [rule.name for rule in config.columns if rule.unique]
    return reduce(lambda frame, column: with_duplicate_verdict(frame, column), unique, df)
