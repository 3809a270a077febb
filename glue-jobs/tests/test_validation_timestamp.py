"""Validation's fast path for canonical UTC timestamps gives exactly what Spark's cast gives, for every text."""

from __future__ import annotations

import random

from pyspark.sql import functions as F

from sentinel_etl.config import ColumnRule
from sentinel_etl.validation import typed_value

EDGE_VALUES = [
    "2025-01-01T00:00:01Z",
    "1970-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2024-02-29T12:00:00Z",
    "2025-02-29T12:00:00Z",
    "2025-02-30T00:00:00Z",
    "2025-13-01T00:00:00Z",
    "2025-00-01T00:00:00Z",
    "2025-01-00T00:00:00Z",
    "2025-01-01T24:00:00Z",
    "2025-01-01T23:60:00Z",
    "2025-01-01T23:59:60Z",
    "2025-01-01T00:00:01",
    "2025-01-01 00:00:01Z",
    "2025-01-01T00:00:01+01:00",
    "2025-01-01T00:00:01.123456Z",
    " 2025-01-01T00:00:01Z",
    "2025-01-01T00:00:01Z ",
    "2025-01-01T00:00:01z",
    "2025-1-01T00:00:01Zx",
    "2025-01-01T0a:00:01Z",
    "+025-01-01T00:00:01Z",
    "2025-01-01T00:00:01Ö",
    "2025-01-01",
    "not a time",
    "",
    None,
]


def test_typed_timestamps_equal_sparks_cast_for_canonical_edge_and_other_texts(spark):
    rng = random.Random(18245)
    generated = [
        f"{rng.randrange(0, 10000):04d}-{rng.randrange(0, 14):02d}-{rng.randrange(0, 33):02d}T"
        f"{rng.randrange(0, 26):02d}:{rng.randrange(0, 62):02d}:{rng.randrange(0, 62):02d}Z"
        for _ in range(3000)
    ]
    values = EDGE_VALUES + generated
    for zone in ("UTC", "America/New_York"):
        spark.conf.set("spark.sql.session.timeZone", zone)
        try:
            frame = spark.createDataFrame([(i, v) for i, v in enumerate(values)], "i int, event_timestamp string")
            rule = ColumnRule(name="event_timestamp", type="timestamp")
            rows = frame.select(
                "event_timestamp",
                # as microseconds: Python's datetime has no year 0
                F.unix_micros(typed_value(rule)).alias("typed"),
                F.unix_micros(F.expr("try_cast(event_timestamp AS timestamp)")).alias("cast"),
            ).collect()
        finally:
            spark.conf.set("spark.sql.session.timeZone", "UTC")
        differing = [(r["event_timestamp"], r["typed"], r["cast"]) for r in rows if r["typed"] != r["cast"]]
        assert differing == [], zone
        assert sum(r["typed"] is not None for r in rows) > 100, "the generated values must include valid timestamps"
