"""The ETL job end to end on local Spark, through the `etl` CLI: outputs, counts, bad input, bookmarks."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from key_material import key_material

from sentinel_etl import cli
from sentinel_etl.generator import generate, write_csv
from sentinel_etl.keys import Keyring, dev_keyring

RUN_DATE = "2025-02-01"
COLUMNS = "transaction_id,event_timestamp,customer_id,account_number,email,first_name,last_name,device_id,amount,currency,merchant_id,mcc,merchant_country,channel,is_fraud"


def good_line(tx: str, **changes: str) -> str:
    values = {
        "transaction_id": tx,
        "event_timestamp": "2025-01-05T10:00:00Z",
        "customer_id": "cust-bad-input",
        "account_number": "4000123412341234",
        "email": "bo@example.com",
        "first_name": "Bo",
        "last_name": "Berg",
        "device_id": "",
        "amount": "25.00",
        "currency": "EUR",
        "merchant_id": "m-000001",
        "mcc": "5411",
        "merchant_country": "DE",
        "channel": "card_present",
        "is_fraud": "0",
        **changes,
    }
    return ",".join(values[c] for c in COLUMNS.split(","))


# Appended to a generated file: (line bytes, expected reason code or None if the row is valid)
BAD_INPUT = [
    (b"tx-malformed-1,2025-01-05T10:00:00Z,cust-9", "MALFORMED_RECORD"),
    (b'"tx-unterminated,2025-01-05T10:00:00Z,cust-9,4000123412341234', "MALFORMED_RECORD"),
    (good_line("tx-latin1", last_name="M\xfcller").encode("latin-1"), "INVALID_ENCODING"),
    (good_line("tx-not-a-number", amount="abc").encode(), "INVALID_TYPE"),
    (good_line("tx-negative", amount="-3.50").encode(), "OUT_OF_RANGE"),
    (good_line("tx-huge", amount="99999999").encode(), "OUT_OF_RANGE"),
    (good_line("tx-bad-mcc", mcc="54a1").encode(), "INVALID_FORMAT"),
    (good_line("tx-null-customer", customer_id="").encode(), "MISSING_VALUE"),
    (good_line("tx-unknown-mcc", mcc="3301").encode(), None),
    (good_line("tx-null-email", email="").encode(), None),
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("etl")
    inputs = root / "raw"
    generated = generate("card-transactions", rows=300, seed=11)
    write_csv(generated, str(inputs / "batch-1.csv"))
    duplicate = good_line(generated["transaction_id"].iloc[0]).encode()
    with (inputs / "batch-1.csv").open("ab") as handle:
        for line, _ in [*BAD_INPUT, (duplicate, "DUPLICATE_ID")]:
            handle.write(line + b"\n")
    reordered = "is_fraud,amount,mcc,transaction_id,event_timestamp,customer_id,account_number,email,first_name,last_name,currency,merchant_id,merchant_country,channel,ssn"
    (inputs / "batch-2.csv").write_text(
        reordered
        + "\n0,10.00,5812,tx-extra-1,2025-01-06T09:00:00Z,cust-x,5500000000000004,x@example.com,X,Y,EUR,m-000002,FR,ecommerce,123-45-6789\n"
        + "0,11.00,5812,tx-extra-2,2025-01-06T09:05:00Z,cust-x,5500000000000004,x@example.com,X,Y,EUR,m-000002,FR,ecommerce,123-45-6789\n"
    )
    (inputs / "header-only.csv").write_text(COLUMNS + "\n")
    key_path = root / "dev-key.json"
    dev_keyring(key_path)
    return {"root": root, "inputs": inputs, "out": root / "out", "key": key_path, "generated": generated}


def run_etl(ws, *extra: str) -> dict:
    argv = ["etl", "--profile", "card-transactions", "--input", str(ws["inputs"]), "--output", str(ws["out"])]
    argv += ["--run-date", RUN_DATE, "--key-location", str(ws["key"]), *extra]
    assert cli.main(argv) == 0
    return json.loads((ws["out"] / "run-metrics.json").read_text())


@pytest.fixture(scope="module")
def first_run(workspace):
    return run_etl(workspace)


@pytest.fixture(scope="module")
def processed(spark, first_run, workspace):
    return spark.read.parquet(str(workspace["out"] / "processed")).toPandas()


@pytest.fixture(scope="module")
def quarantine(spark, first_run, workspace):
    return spark.read.parquet(str(workspace["out"] / "quarantine")).toPandas()


def test_every_row_is_accounted_for(first_run):
    expected_reasons = {}
    for _, code in [*BAD_INPUT, (None, "DUPLICATE_ID")]:
        if code:
            expected_reasons[code] = expected_reasons.get(code, 0) + 1
    assert first_run["status"] == "SUCCEEDED"
    assert first_run["rows_in"] == 300 + len(BAD_INPUT) + 1 + 2
    assert first_run["rows_in"] == first_run["rows_out"] + first_run["rows_quarantined"]
    assert first_run["quarantine_reasons"] == expected_reasons


def test_quarantine_rows_carry_reason_code_reason_and_raw_line(quarantine):
    by_id = {row.transaction_id: row for row in quarantine.itertuples()}
    assert by_id["tx-negative"].reason_code == "OUT_OF_RANGE" and by_id["tx-negative"].reason == "amount is outside [0, 1e+06]"
    malformed = quarantine[quarantine.reason_code == "MALFORMED_RECORD"]
    assert sorted(malformed.raw_record.str[:14]) == ['"tx-unterminat', "tx-malformed-1"]
    assert set(quarantine.run_id) == {quarantine.run_id.iloc[0]}


def test_processed_output_is_partitioned_and_holds_no_raw_pii(processed, first_run, workspace):
    assert (workspace["out"] / "processed" / f"ingestion_date={RUN_DATE}").is_dir()
    assert len(processed) == first_run["rows_out"]
    generated = workspace["generated"]
    for column in ("customer_id", "account_number", "email", "first_name", "last_name"):
        assert not set(processed[column].dropna()) & set(generated[column].dropna()), column
    version = first_run["key_version"]
    assert processed.customer_id.str.startswith(f"{version}:").all()
    assert processed.account_number.str.fullmatch(r"[0-9]{16}").all()
    assert "ssn" not in processed.columns


def test_processed_schema_is_the_declared_columns_then_derived_ones(processed, first_run):
    names = [c["name"] for c in first_run["processed_schema"]]
    assert names[:15] == COLUMNS.split(",")
    for derived in (
        "amount_bin",
        "amount_bin_label",
        "merchant_category",
        "merchant_category_code",
        "seconds_since_prev_txn",
        "txn_count_1h",
        "txn_count_24h",
        "anomaly_score",
        "is_anomaly",
        "source_file",
        "run_id",
        "ingestion_date",
    ):
        assert derived in names
    assert set(processed.columns) == set(names)


def test_unknown_mcc_gets_the_fallback_category_and_optional_columns_may_be_absent(processed):
    unknown = processed[processed.transaction_id == "tx-unknown-mcc"].iloc[0]
    assert unknown.merchant_category == "unknown" and unknown.merchant_risk_level == "unknown"
    extra = processed[processed.transaction_id == "tx-extra-1"].iloc[0]
    assert extra.device_id is None and extra.is_fraud == 0


def test_metrics_record_inputs_state_versions_and_timings(first_run):
    assert sorted(Path(f["path"]).name for f in first_run["input"]["files"]) == ["batch-1.csv", "batch-2.csv", "header-only.csv"]
    assert all(f["bytes"] > 0 for f in first_run["input"]["files"])
    assert list(first_run["input"]["ignored_columns"].values()) == [["ssn"]]
    assert first_run["bin_edges"]["version"].startswith("sha256:") and first_run["bin_edges"]["column"] == "amount"
    assert first_run["merchant_mapping"]["version"] == "1.0.0"
    assert first_run["model"]["hash"].startswith("sha256:")
    assert first_run["tokenized_columns"]["account_number"] == "format_preserving"
    assert first_run["output"]["partitions"] == [f"ingestion_date={RUN_DATE}"]
    assert first_run["anomalies_flagged"] >= 1
    assert {"discover", "validate", "fit_state", "transform_and_write", "verify", "publish", "total"} <= set(first_run["timings_seconds"])


def test_no_staging_left_and_no_key_material_in_any_output(first_run, workspace):
    out = workspace["out"]
    assert not list(out.rglob("_staging"))
    key = base64.b64decode(json.loads(workspace["key"].read_text())["dev_key"])
    secrets = [
        form for secret in key_material(key, Keyring("scan", key)) for form in (secret, secret.hex().encode(), base64.b64encode(secret))
    ]
    for path in out.rglob("*"):
        if path.is_file() and "state" not in path.parts:
            data = path.read_bytes()
            assert not any(secret in data for secret in secrets), path


def test_second_run_over_the_same_input_processes_nothing(first_run, workspace):
    published = sorted(p.name for p in (workspace["out"] / "processed").rglob("*.parquet"))
    second = run_etl(workspace)
    assert second["status"] == "SUCCEEDED" and second["rows_in"] == 0 and second["rows_out"] == 0
    assert second["input"]["files_skipped_by_bookmark"] == 3 and second["input"]["files"] == []
    assert sorted(p.name for p in (workspace["out"] / "processed").rglob("*.parquet")) == published


def test_new_file_is_processed_alone_with_the_same_fitted_state(first_run, workspace):
    write_csv(generate("card-transactions", rows=40, seed=12), str(workspace["inputs"] / "batch-3.csv"))
    third = run_etl(workspace)
    assert [Path(f["path"]).name for f in third["input"]["files"]] == ["batch-3.csv"]
    assert third["rows_in"] == 40 and third["rows_out"] == 40
    assert third["bin_edges"]["version"] == first_run["bin_edges"]["version"]
    assert third["merchant_mapping"]["codes_version"] == first_run["merchant_mapping"]["codes_version"]
    assert third["model"]["hash"] == first_run["model"]["hash"]
