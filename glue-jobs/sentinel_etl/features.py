"""Per-customer velocity features computed with window functions (no UDFs, no self-joins).

Defined behaviour (also in docs/data-consumer-guide.md):

* `seconds_since_prev_txn`: seconds (double, microsecond precision) since the customer's previous transaction
  in (timestamp, transaction id) order; null for the customer's first transaction. Transactions at the same
  instant are ordered by transaction id, so the later ones get 0.0.
* `txn_count_<W>`: the customer's transactions with timestamp in [t - W, t], both ends included, counting the
  current one (so never below 1). Transactions at the same instant all count each other, whatever their ids.
* A row with a null customer or timestamp gets null features and does not count towards anyone's windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import TimestampNTZType, TimestampType

from sentinel_etl.spec_schema import parse_section

MICROS_PER_SECOND = 1_000_000


def window_column_name(seconds: int) -> str:
    """txn_count_1h for 3600, txn_count_24h for 86400, txn_count_15m for 900, txn_count_90s for 90."""
    for unit_seconds, unit in ((3600, "h"), (60, "m")):
        if seconds % unit_seconds == 0:
            return f"txn_count_{seconds // unit_seconds}{unit}"
    return f"txn_count_{seconds}s"


@dataclass(frozen=True)
class FeatureSpec:
    customer_column: str
    timestamp_column: str
    transaction_id_column: str
    windows_seconds: tuple[int, ...]

    @classmethod
    def from_dict(cls, d: Any) -> FeatureSpec:
        s = parse_section("features", d)
        return cls(
            customer_column=s["customer_column"],
            timestamp_column=s["timestamp_column"],
            transaction_id_column=s["transaction_id_column"],
            windows_seconds=tuple(s["windows_seconds"]),
        )

    def output_columns(self) -> list[str]:
        return ["seconds_since_prev_txn", *(window_column_name(w) for w in self.windows_seconds)]


def _check_input(df: DataFrame, spec: FeatureSpec) -> None:
    needed = [spec.customer_column, spec.timestamp_column, spec.transaction_id_column]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(f"velocity features need columns {missing}, which the data does not have")
    ts_type = df.schema[spec.timestamp_column].dataType
    if not isinstance(ts_type, (TimestampType, TimestampNTZType)):
        raise TypeError(f"velocity features: {spec.timestamp_column!r} must be a timestamp, got {ts_type.simpleString()}")


def with_velocity_features(df: DataFrame, spec: FeatureSpec) -> DataFrame:
    """Reads the customer, timestamp and transaction id columns; writes `seconds_since_prev_txn` (double)
    and one `txn_count_<W>` (int) per configured window (see the module docstring for exact semantics).
    """
    _check_input(df, spec)
    customer = F.col(spec.customer_column)
    has_key = customer.isNotNull() & F.col(spec.timestamp_column).isNotNull()
    # Keyless rows get their own partitions so they neither get features nor shift a customer's lag.
    per_customer = Window.partitionBy(customer, F.col("_has_key"))
    # Ties on the timestamp are broken by transaction id, so the order (and the lag) is deterministic.
    by_time = per_customer.orderBy(F.col("_ts_micros"), F.col(spec.transaction_id_column))
    gap = F.col("_ts_micros") - F.lag("_ts_micros").over(by_time)
    staged = df.withColumn("_has_key", has_key).withColumn("_ts_micros", F.unix_micros(F.col(spec.timestamp_column).cast("timestamp")))
    features = staged.withColumn("seconds_since_prev_txn", F.when(F.col("_has_key"), gap / MICROS_PER_SECOND).cast("double"))
    for seconds in spec.windows_seconds:
        trailing = per_customer.orderBy(F.col("_ts_micros")).rangeBetween(-seconds * MICROS_PER_SECOND, 0)
        count = F.count(F.lit(1)).over(trailing)
        features = features.withColumn(window_column_name(seconds), F.when(F.col("_has_key"), count).cast("int"))
    return features.drop("_has_key", "_ts_micros")
