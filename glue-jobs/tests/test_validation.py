"""Row verdicts: each rule gives its reason code; the first failing rule wins; the first duplicate is kept."""

from __future__ import annotations

import json
import random

import pytest
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sentinel_etl.config import parse_config, profile_path
from sentinel_etl.ingest import CORRUPT_RECORD, ROW_KEY, SOURCE_FILE
from sentinel_etl.validation import (
    REASON,
    REASON_CODE,
    _passes_luhn,
    quarantined_rows,
    valid_rows,
    with_duplicate_verdicts,
    with_verdict,
)

GOOD = {
    "transaction_id": "tx-0001",
    "event_timestamp": "2025-01-01T10:00:00Z",
    "customer_id": "cust-1",
    "account_number": "4000123412341234",
    "email": "ann@example.com",
    "first_name": "Ann",
    "last_name": "Lee",
    "device_id": None,
    "amount": "12.50",
    "currency": "EUR",
    "merchant_id": "m-1",
    "mcc": "5411",
    "merchant_country": "DE",
    "channel": "contactless",
    "is_fraud": "0",
}

# case name -> (changes to the good row, expected reason code or None when valid)
CASES = {
    "valid": ({}, None),
    "valid_optional_nulls": ({"email": None, "first_name": None, "is_fraud": None}, None),
    "valid_unknown_but_well_formed_mcc": ({"mcc": "3301"}, None),
    "malformed_line": ({CORRUPT_RECORD: "tx-0003,2025-01-01", "amount": None}, "MALFORMED_RECORD"),
    "not_utf8": ({"last_name": "M\ufffdller"}, "INVALID_ENCODING"),
    "null_customer_id": ({"customer_id": None}, "MISSING_VALUE"),
    "blank_account_number": ({"account_number": "   "}, "MISSING_VALUE"),
    "non_numeric_amount": ({"amount": "twelve"}, "INVALID_TYPE"),
    "nan_amount": ({"amount": "NaN"}, "INVALID_TYPE"),
    "infinite_amount": ({"amount": "1e999"}, "INVALID_TYPE"),
    "fractional_integer": ({"is_fraud": "1.5"}, "INVALID_TYPE"),
    "bad_timestamp": ({"event_timestamp": "yesterday"}, "INVALID_TYPE"),
    "negative_amount": ({"amount": "-5.00"}, "OUT_OF_RANGE"),
    "huge_amount": ({"amount": "1000000000"}, "OUT_OF_RANGE"),
    "malformed_mcc": ({"mcc": "54a1"}, "INVALID_FORMAT"),
    "unknown_channel": ({"channel": "carrier_pigeon"}, "INVALID_FORMAT"),
    "label_not_0_or_1": ({"is_fraud": "2"}, "INVALID_FORMAT"),
    "account_too_short_for_ff1": ({"account_number": "4000123455"}, "INVALID_FORMAT"),
    "account_fails_luhn": ({"account_number": "4000123412341235"}, "INVALID_FORMAT"),
    "shortest_luhn_valid_account": ({"account_number": "40001234562"}, None),
    "missing_beats_type": ({"customer_id": None, "amount": "x"}, "MISSING_VALUE"),
}
DUPLICATES = ["dup_first", "dup_second", "dup_third"]


@pytest.fixture(scope="module")
def config():
    """The card profile without the account_number pattern, so the rules derived from FF1's domain and
    the Luhn-failing tokens show."""
    with open(profile_path("card-transactions"), encoding="utf-8") as handle:
        document = json.load(handle)
    for column in document["columns"]:
        if column["name"] == "account_number":
            del column["pattern"]
    return parse_config(document)


@pytest.fixture(scope="module")
def verdicts(spark, config):
    rows = []
    for key, (name, (changes, _)) in enumerate(CASES.items()):
        rows.append({**GOOD, CORRUPT_RECORD: None, **changes, "transaction_id": f"tx-{name}", SOURCE_FILE: name, ROW_KEY: key})
    for offset, name in enumerate(DUPLICATES):
        rows.append({**GOOD, CORRUPT_RECORD: None, "transaction_id": "tx-repeated", SOURCE_FILE: name, ROW_KEY: 100 + offset})
    # A repeat of an id whose first occurrence was quarantined for another reason is kept.
    rows.append({**GOOD, CORRUPT_RECORD: None, "transaction_id": "tx-nan_amount", SOURCE_FILE: "after_invalid", ROW_KEY: 200})
    schema = T.StructType(
        [T.StructField(c, T.StringType()) for c in [*config.column_names, CORRUPT_RECORD, SOURCE_FILE]]
        + [T.StructField(ROW_KEY, T.LongType())]
    )
    frame = spark.createDataFrame([tuple(r[f.name] for f in schema.fields) for r in rows], schema)
    checked = with_duplicate_verdicts(with_verdict(frame, config), config).cache()
    result = {r[SOURCE_FILE]: r for r in checked.collect()}
    yield checked, result
    checked.unpersist()


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_gives_its_reason_code(verdicts, case):
    _, result = verdicts
    assert result[case][REASON_CODE] == CASES[case][1]
    assert (result[case][REASON] is None) == (CASES[case][1] is None)


def test_reasons_name_the_column(verdicts):
    _, result = verdicts
    assert result["negative_amount"][REASON] == "amount is outside [0, 1e+06]"
    assert result["malformed_mcc"][REASON] == "mcc does not match ^[0-9]{4}$"
    # 4 kept digits + FF1's 6 (10**6 values) + the check digit a Luhn-failing token sets aside
    assert result["account_too_short_for_ff1"][REASON] == "account_number needs at least 11 characters from its tokenization alphabet"
    assert result["account_fails_luhn"][REASON] == "account_number fails the Luhn check (its tokens are built from valid card numbers)"
    assert result["null_customer_id"][REASON] == "customer_id is required but null or blank"


def test_first_duplicate_is_kept_and_later_ones_quarantined(verdicts):
    _, result = verdicts
    assert [result[n][REASON_CODE] for n in DUPLICATES] == [None, "DUPLICATE_ID", "DUPLICATE_ID"]
    assert result["after_invalid"][REASON_CODE] is None


def test_valid_and_quarantined_rows_partition_the_input(verdicts, config):
    checked, result = verdicts
    valid = valid_rows(checked, config)
    quarantined = quarantined_rows(checked, config)
    assert valid.count() + quarantined.count() == len(result)
    assert dict(valid.dtypes)["amount"] == "double" and dict(valid.dtypes)["event_timestamp"] == "timestamp"
    assert dict(valid.dtypes)["is_fraud"] == "bigint"
    assert set(quarantined.columns) >= {REASON_CODE, REASON, "raw_record", SOURCE_FILE}
    raw = quarantined.where("source_file = 'malformed_line'").first()
    assert raw["raw_record"] == "tx-0003,2025-01-01"


def _luhn_valid(number: str) -> bool:
    """ISO/IEC 7812 Luhn check, written here independently of validation.py."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        total += digit if position % 2 == 0 else (digit * 2 - 9 if digit * 2 > 9 else digit * 2)
    return total % 10 == 0


def test_native_luhn_check_agrees_with_the_definition_at_every_length(spark):
    """The rule's native Luhn check agrees with the definition at every length from 1 to 40, for each
    body's one Luhn-valid check digit and all nine invalid ones."""
    rng = random.Random(7812)
    numbers = []
    for length in range(1, 41):
        for _ in range(5):
            body = "".join(rng.choice("0123456789") for _ in range(length - 1))
            numbers.extend(body + check for check in "0123456789")
    frame = spark.createDataFrame([(n,) for n in numbers], "value string")
    checked = dict(frame.select("value", _passes_luhn(F.col("value")).alias("passes")).collect())
    assert {n: checked[n] for n in numbers} == {n: _luhn_valid(n) for n in numbers}
    assert sum(checked.values()) == len(set(numbers)) // 10  # exactly one valid check digit per body
