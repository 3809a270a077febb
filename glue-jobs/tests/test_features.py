import random
from datetime import UTC, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator
from pyspark.sql.types import DoubleType, StringType, StructField, StructType, TimestampType

from sentinel_etl.features import FeatureSpec, window_column_name, with_velocity_features
from sentinel_etl.spec_schema import SpecError, section_schema

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
SCHEMA = StructType(
    [
        StructField("transaction_id", StringType(), True),
        StructField("customer_id", StringType(), True),
        StructField("event_timestamp", TimestampType(), True),
        StructField("amount", DoubleType(), True),
    ]
)
SPEC = FeatureSpec.from_dict({})


def at(**delta):
    return T0 + timedelta(**delta)


def features_by_id(df, spec=SPEC):
    out = with_velocity_features(df, spec)
    return {r["transaction_id"]: tuple(r[c] for c in spec.output_columns()) for r in out.collect()}


def test_defaults_come_from_the_schema_and_name_the_outputs():
    Draft202012Validator.check_schema(section_schema("features"))
    props = section_schema("features")["properties"]
    assert SPEC.windows_seconds == tuple(props["windows_seconds"]["default"]) == (3600, 86400)
    assert (SPEC.customer_column, SPEC.timestamp_column, SPEC.transaction_id_column) == (
        "customer_id",
        "event_timestamp",
        "transaction_id",
    )
    assert SPEC.output_columns() == ["seconds_since_prev_txn", "txn_count_1h", "txn_count_24h"]
    assert [window_column_name(s) for s in (900, 90, 7200, 604800)] == [
        "txn_count_15m",
        "txn_count_90s",
        "txn_count_2h",
        "txn_count_168h",
    ]


@pytest.mark.parametrize(
    "section, field",
    [
        ({"windows_seconds": []}, "features.windows_seconds"),
        ({"windows_seconds": [3600, 3600]}, "features.windows_seconds"),
        ({"windows_seconds": [0]}, "features.windows_seconds.0"),
        ({"customer_column": ""}, "features.customer_column"),
        ({"window": [60]}, "'window' was unexpected"),
    ],
)
def test_bad_config_names_the_field(section, field):
    with pytest.raises(SpecError, match="invalid features config") as err:
        FeatureSpec.from_dict(section)
    assert field in str(err.value)


def test_first_transactions_ties_and_trailing_windows(spark):
    rows = [
        ("a1", "alice", at(), 10.0),
        ("a3", "alice", at(minutes=30), 11.0),  # tied with a2: ordered by id, so a2 comes first
        ("a2", "alice", at(minutes=30), 12.0),
        ("a4", "alice", at(minutes=90), 13.0),  # exactly 1 h after a2/a3: they are inside its 1 h window
        ("a5", "alice", at(hours=25), 14.0),
        ("b1", "bob", at(minutes=30), 15.0),
        ("n1", None, at(), 16.0),
        ("n2", None, at(seconds=1), 17.0),
        ("x1", "alice", None, 18.0),
    ]
    df = spark.createDataFrame(rows, SCHEMA)
    assert features_by_id(df) == {
        "a1": (None, 1, 1),
        "a2": (1800.0, 3, 3),
        "a3": (0.0, 3, 3),
        "a4": (3600.0, 3, 4),
        "a5": (84600.0, 1, 2),
        "b1": (None, 1, 1),
        "n1": (None, None, None),
        "n2": (None, None, None),
        "x1": (None, None, None),
    }


def test_window_edges_are_inclusive_to_the_microsecond(spark):
    rows = [
        ("e1", "carol", at(), 1.0),
        ("e2", "carol", at(microseconds=1), 1.0),
        ("e3", "carol", at(hours=1), 1.0),
        ("e4", "carol", at(hours=1, microseconds=2), 1.0),
    ]
    got = features_by_id(spark.createDataFrame(rows, SCHEMA))
    assert got["e2"] == (0.000001, 2, 2)
    assert got["e3"][1] == 3  # e1 is exactly 3600 s earlier: included
    assert got["e4"] == (0.000002, 2, 4)  # e1 is 3600.000002 s earlier: outside the 1 h window


def test_input_columns_and_row_count_are_kept(spark):
    rows = [("a1", "alice", at(), 10.0), ("a2", "alice", at(minutes=1), None)]
    out = with_velocity_features(spark.createDataFrame(rows, SCHEMA), SPEC)
    assert out.columns == [*SCHEMA.names, *SPEC.output_columns()]
    assert dict(out.dtypes)["seconds_since_prev_txn"] == "double" and dict(out.dtypes)["txn_count_1h"] == "int"
    assert out.count() == 2


def brute_force(rows, windows):
    """The documented semantics, row by row in Python."""
    micros = {r[0]: int((r[2] - T0) / timedelta(microseconds=1)) for r in rows}
    expected = {}
    for txn, customer, _ts, _ in rows:
        mine = sorted((micros[o[0]], o[0]) for o in rows if o[1] == customer)
        position = mine.index((micros[txn], txn))
        gap = None if position == 0 else (micros[txn] - mine[position - 1][0]) / 1e6
        counts = [sum(1 for m, _ in mine if micros[txn] - w * 1_000_000 <= m <= micros[txn]) for w in windows]
        expected[txn] = (gap, *counts)
    return expected


def test_matches_a_brute_force_reference_whatever_the_partitioning(spark):
    rng = random.Random(7)
    rows = []
    for i in range(300):
        # Minute granularity over two days: plenty of ties and window-boundary hits.
        rows.append((f"t{i:04d}", f"c{rng.randrange(6)}", at(minutes=rng.randrange(0, 2880)), 1.0))
    spec = FeatureSpec.from_dict({"windows_seconds": [60, 3600, 86400]})
    expected = brute_force(rows, spec.windows_seconds)
    df = spark.createDataFrame(rows, SCHEMA)
    assert features_by_id(df.repartition(5), spec) == expected
    assert features_by_id(df.coalesce(1), spec) == expected


def test_bad_input_columns_fail_clearly(spark):
    df = spark.createDataFrame([("a1", "alice", at(), 1.0)], SCHEMA)
    with pytest.raises(ValueError, match=r"need columns \['customer_id'\]"):
        with_velocity_features(df.drop("customer_id"), SPEC)
    as_text = df.withColumn("event_timestamp", df["event_timestamp"].cast("string"))
    with pytest.raises(TypeError, match="'event_timestamp' must be a timestamp, got string"):
        with_velocity_features(as_text, SPEC)
