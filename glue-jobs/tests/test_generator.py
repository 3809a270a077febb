"""Synthetic data: seeded, valid for its profile, realistic enough, with the planted fraud patterns."""

from __future__ import annotations

import pandas as pd
import pytest
from pyspark.sql import functions as F

from sentinel_etl import cli
from sentinel_etl.config import load_config, profile_path
from sentinel_etl.generator import generate, plant_defects
from sentinel_etl.generator.baf import BAF_COLUMNS
from sentinel_etl.generator.card_transactions import COLUMNS as CARD_COLUMNS
from sentinel_etl.ingest import CORRUPT_RECORD, ROW_KEY, SOURCE_FILE
from sentinel_etl.validation import REASON_CODE, with_duplicate_verdicts, with_verdict


@pytest.fixture(scope="module")
def cards():
    return generate("card-transactions", rows=20_000, seed=42)


@pytest.fixture(scope="module")
def applications():
    return generate("baf", rows=20_000, seed=42)


def test_same_seed_same_data_other_seed_other_data():
    assert generate("card-transactions", 500, 1).equals(generate("card-transactions", 500, 1))
    assert not generate("card-transactions", 500, 1).equals(generate("card-transactions", 500, 2))
    assert generate("baf", 500, 1).equals(generate("baf", 500, 1))


def test_card_rows_match_the_profile_rules(cards):
    config = load_config(profile_path("card-transactions"))
    assert list(cards.columns) == CARD_COLUMNS == list(config.column_names)
    assert cards.transaction_id.is_unique and len(cards) == 20_000
    for rule in config.columns:
        values = cards[rule.name].dropna().astype(str)
        if rule.pattern:
            assert values.str.fullmatch(rule.pattern).all(), rule.name
        if rule.allowed:
            assert set(values) <= {str(a) for a in rule.allowed}, rule.name
    assert cards.amount.between(0, 1_000_000).all()
    assert pd.to_datetime(cards.event_timestamp).is_monotonic_increasing


def test_card_numbers_pass_the_luhn_check(cards):
    def luhn_ok(pan: str) -> bool:
        digits = [int(d) for d in pan][::-1]
        return sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)) % 10 == 0

    assert cards.account_number.drop_duplicates().map(luhn_ok).all()


def test_card_distributions_are_realistic(cards):
    assert 0.005 <= cards.is_fraud.mean() <= 0.012
    assert cards.mcc.value_counts().index[0] == "5411"  # groceries are the most common purchase
    legit = cards[cards.is_fraud == 0]
    assert 15 < legit.amount.median() < 60
    per_customer = legit.customer_id.value_counts()
    assert per_customer.max() > 5 * per_customer.median()  # heavy-tailed activity
    hours = pd.to_datetime(legit.event_timestamp).dt.hour
    assert (hours.between(11, 19)).mean() > 2 * (hours.between(0, 5)).mean() * (9 / 6)


def test_fraud_is_planted_as_bursts_of_unusual_transactions(cards):
    fraud = cards[cards.is_fraud == 1].assign(ts=lambda f: pd.to_datetime(f.event_timestamp))
    legit = cards[cards.is_fraud == 0]
    assert fraud.amount.quantile(0.9) > 3 * legit.amount.quantile(0.9)
    assert not set(fraud.merchant_id) & set(legit.merchant_id)  # merchants new to the victims
    bursts = fraud.groupby("customer_id").ts.agg(lambda t: (t.max() - t.min()).total_seconds())
    assert (bursts < 3 * 3600).mean() > 0.5
    assert (fraud.groupby("customer_id").size() >= 3).mean() > 0.8
    tiny = fraud[fraud.amount <= 2.0]
    assert len(tiny) > 0  # card testing


def test_baf_rows_have_the_32_columns_and_match_the_profile_rules(applications):
    config = load_config(profile_path("baf"))
    assert list(applications.columns) == ["application_id", *BAF_COLUMNS] == list(config.column_names)
    for rule in config.columns:
        values = applications[rule.name]
        if rule.min is not None:
            assert (values >= rule.min).all() and (values <= rule.max).all(), rule.name
        if rule.allowed:
            assert set(values.astype(str)) <= {str(a) for a in rule.allowed}, rule.name
    assert applications.application_id.is_unique


def test_baf_fraud_rate_and_planted_signals(applications):
    fraud = applications[applications.fraud_bool == 1]
    legit = applications[applications.fraud_bool == 0]
    assert 0.008 <= applications.fraud_bool.mean() <= 0.015
    assert fraud.customer_age.mean() > legit.customer_age.mean() + 5
    assert fraud.name_email_similarity.mean() < legit.name_email_similarity.mean() - 0.1
    assert (fraud.device_os == "windows").mean() > (legit.device_os == "windows").mean() + 0.2
    assert (applications.prev_address_months_count == -1).mean() > 0.5  # -1 marks missing, as in BAF


def test_planted_defects_are_each_quarantined_with_their_reason(spark, cards):
    config = load_config(profile_path("card-transactions"))
    damaged = plant_defects(cards.head(1000), config, rate=0.01, seed=3)
    schema = ", ".join(f"{c} string" for c in damaged.columns)
    frame = spark.createDataFrame(damaged.astype(object).where(damaged.notna(), None), schema).select(
        *config.column_names,
        F.lit(None).cast("string").alias(CORRUPT_RECORD),
        F.lit("generated").alias(SOURCE_FILE),
        F.monotonically_increasing_id().alias(ROW_KEY),
    )
    checked = with_duplicate_verdicts(with_verdict(frame, config), config)
    counts = {r[REASON_CODE]: r["count"] for r in checked.groupBy(REASON_CODE).count().collect()}
    assert counts == {None: 990, "DUPLICATE_ID": 2, "MISSING_VALUE": 2, "INVALID_TYPE": 2, "OUT_OF_RANGE": 2, "INVALID_FORMAT": 2}


def test_generate_cli_writes_the_csv(tmp_path, capsys):
    target = tmp_path / "cards.csv"
    assert cli.main(["generate", "--profile", "card-transactions", "--rows", "250", "--seed", "9", "--output", str(target)]) == 0
    frame = pd.read_csv(target, dtype=str)
    assert len(frame) == 250 and list(frame.columns) == CARD_COLUMNS
    assert "wrote 250 card-transactions rows" in capsys.readouterr().out
