"""Column lineage from the job's plan: the profile config and the pipeline's stages decide it, and a run
that writes columns its plan does not describe fails (see also the e2e docs test, which reads the plan
of a real local run through the lineage records)."""

from __future__ import annotations

import copy
import json

import pytest

from sentinel_etl import column_lineage
from sentinel_etl.config import load_config, parse_config, profile_path

KEY_VERSION = "v7"


def card_document() -> dict:
    with open(profile_path("card-transactions"), encoding="utf-8") as handle:
        return json.load(handle)


def processed(document: dict) -> dict:
    return column_lineage.plan(parse_config(document), KEY_VERSION)["outputs"]["processed"]


def inputs_of(fields: dict, output: str) -> dict[str, list[dict]]:
    return {entry["field"]: entry["transformations"] for entry in fields[output]}


def test_tokenized_columns_are_masked_with_method_and_key_version():
    fields = processed(card_document())["fields"]
    email = inputs_of(fields, "email")
    assert list(email) == ["email"]
    assert email["email"] == [
        {"type": "DIRECT", "subtype": "TRANSFORMATION", "description": "tokenized: encrypt, key version v7", "masking": True}
    ]
    assert inputs_of(fields, "device_id")["device_id"][0]["description"] == "tokenized: hash (unkeyed)"
    untouched = inputs_of(fields, "currency")["currency"]
    assert untouched == [{"type": "DIRECT", "subtype": "IDENTITY", "description": "validated, as received", "masking": False}]


def test_velocity_features_and_anomaly_score_derive_from_the_raw_customer_id():
    fields = processed(card_document())["fields"]
    for output in ("seconds_since_prev_txn", "txn_count_1h", "txn_count_24h", "anomaly_score", "is_anomaly"):
        customer = inputs_of(fields, output)["customer_id"]
        assert {k: customer[0][k] for k in ("type", "subtype")} == {"type": "INDIRECT", "subtype": "WINDOW"}, output
        assert not any(t["masking"] for t in customer), output
    assert set(inputs_of(fields, "anomaly_score")) == {"amount", "customer_id", "event_timestamp", "transaction_id", "mcc"}
    assert set(inputs_of(fields, "merchant_category_code")) == {"mcc"}
    assert inputs_of(fields, "run_id") == {}


def test_changing_a_profile_changes_the_lineage():
    document = card_document()
    document["tokenization"] = [t if t["column"] != "email" else {"column": "email", "method": "hash"} for t in document["tokenization"]]
    document["features"]["windows_seconds"] = [900]
    document["anomaly"]["features"] = ["amount", "seconds_since_prev_txn", "txn_count_15m", "merchant_category_code"]
    fields = processed(document)["fields"]
    assert inputs_of(fields, "email")["email"][0]["description"] == "tokenized: hash (unkeyed)"
    assert "txn_count_15m" in fields and "txn_count_1h" not in fields

    untokenized = copy.deepcopy(card_document())
    untokenized["tokenization"] = [t for t in untokenized["tokenization"] if t["column"] != "first_name"]
    first_name = inputs_of(processed(untokenized)["fields"], "first_name")["first_name"]
    assert first_name[0]["masking"] is False


def test_every_output_lists_the_validation_filter_and_the_quarantine_is_unmasked():
    plan = column_lineage.plan(load_config(profile_path("card-transactions")), KEY_VERSION)
    assert [entry["field"] for entry in plan["outputs"]["processed"]["dataset"]] == [c["name"] for c in plan["input_fields"]]
    quarantine = plan["outputs"]["quarantine"]["fields"]
    assert set(quarantine) == {
        *(c["name"] for c in plan["input_fields"]),
        "raw_record",
        "source_file",
        "reason_code",
        "reason",
        "run_id",
        "ingestion_date",
    }
    assert not any(t["masking"] for entries in quarantine.values() for entry in entries for t in entry["transformations"])


def test_profiles_without_merchants_or_features_plan_only_their_stages():
    plan = column_lineage.plan(load_config(profile_path("baf")), None)["outputs"]["processed"]["fields"]
    assert "merchant_category" not in plan and "txn_count_1h" not in plan
    assert set(inputs_of(plan, "amount_bin")) == {"proposed_credit_limit"}


def test_a_written_column_without_lineage_fails_the_check():
    plan = column_lineage.plan(load_config(profile_path("card-transactions")), KEY_VERSION)
    written = list(plan["outputs"]["processed"]["fields"])
    column_lineage.check_written(plan, "processed", written)
    with pytest.raises(column_lineage.ColumnLineageDriftError, match=r"written without lineage \['surprise'\]"):
        column_lineage.check_written(plan, "processed", [*written, "surprise"])
    with pytest.raises(column_lineage.ColumnLineageDriftError, match=r"planned but not written \['email'\]"):
        column_lineage.check_written(plan, "processed", [c for c in written if c != "email"])


def test_an_anomaly_feature_no_stage_makes_is_refused():
    document = card_document()
    document["anomaly"]["features"] = ["amount", "txn_count_7d"]
    with pytest.raises(column_lineage.ColumnLineageDriftError, match="txn_count_7d"):
        processed(document)
