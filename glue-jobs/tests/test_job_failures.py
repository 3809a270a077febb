"""Failed runs publish nothing, keep the bookmark, and still write run metrics with the error."""

from __future__ import annotations

import json

import pytest

from sentinel_etl import job as job_module
from sentinel_etl.config import profile_path
from sentinel_etl.generator import generate, write_csv
from sentinel_etl.generator.baf import BAF_COLUMNS
from sentinel_etl.ingest import InputError
from sentinel_etl.job import ConservationError, JobArguments, run_job
from sentinel_etl.keys import dev_keyring
from sentinel_etl.output import StagedTier


def arguments(root, profile="card-transactions", **overrides) -> JobArguments:
    key = root / "dev-key.json"
    if not key.exists():
        dev_keyring(key)
    values = {
        "job_name": f"test-{profile}",
        "run_date": "2025-03-01",
        "input_prefix": str(root / "raw"),
        "profile": profile,
        "config_location": profile_path(profile),
        "output_location": str(root / "out" / "processed"),
        "quarantine_location": str(root / "out" / "quarantine"),
        "metrics_location": str(root / "out"),
        "state_location": str(root / "state"),
        "key_location": str(key),
    }
    return JobArguments(**{**values, **overrides})


def published(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "out").rglob("*.parquet")) if (root / "out").exists() else []


def test_missing_required_column_fails_before_reading_and_names_it(spark, tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "day.csv").write_text("transaction_id,event_timestamp,customer_id\ntx-1,2025-01-01T00:00:00Z,c-1\n")
    with pytest.raises(InputError, match=r"day\.csv is missing required columns account_number, email, .*amount"):
        run_job(spark, arguments(tmp_path), allow_dev_key=True)
    metrics = json.loads((tmp_path / "out" / "run-metrics.json").read_text())
    assert metrics["status"] == "FAILED" and metrics["error"]["type"] == "InputError"
    assert "account_number" in metrics["error"]["message"]
    assert published(tmp_path) == []


def test_conservation_failure_publishes_nothing_and_keeps_the_bookmark(spark, tmp_path, monkeypatch):
    write_csv(generate("card-transactions", rows=30, seed=5), str(tmp_path / "raw" / "day.csv"))
    real_staged_rows = StagedTier.staged_rows

    def one_row_lost(tier):
        rows = real_staged_rows(tier)
        return rows - 1 if tier.location.endswith("processed") else rows

    monkeypatch.setattr(job_module.StagedTier, "staged_rows", one_row_lost)
    with pytest.raises(ConservationError, match=r"rows_in 30 != rows_out 29 \+ rows_quarantined 0"):
        run_job(spark, arguments(tmp_path), allow_dev_key=True)
    assert published(tmp_path) == []
    assert not list(tmp_path.rglob("_staging"))
    assert not (tmp_path / "state" / "bookmarks").exists()
    assert json.loads((tmp_path / "out" / "run-metrics.json").read_text())["status"] == "FAILED"


def test_dev_key_is_refused_when_a_kms_key_is_required(spark, tmp_path):
    write_csv(generate("card-transactions", rows=5, seed=5), str(tmp_path / "raw" / "day.csv"))
    with pytest.raises(Exception, match="development key file"):
        run_job(spark, arguments(tmp_path), allow_dev_key=False)
    with pytest.raises(ValueError, match="--key_location is required"):
        run_job(spark, arguments(tmp_path, key_location=None), allow_dev_key=False)


def test_profile_argument_must_match_the_config(spark, tmp_path):
    (tmp_path / "raw").mkdir()
    with pytest.raises(ValueError, match="does not match the config's profile 'baf'"):
        run_job(spark, arguments(tmp_path, config_location=profile_path("baf")), allow_dev_key=True)


def test_run_date_must_be_a_date():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        JobArguments("j", "01/02/2025", "in", "card-transactions", profile_path("card-transactions"), "o", "q", "m", "s")


def test_baf_profile_runs_end_to_end_without_tokenization(spark, tmp_path):
    write_csv(generate("baf", rows=400, seed=3), str(tmp_path / "raw" / "Base.csv"))
    metrics = run_job(spark, arguments(tmp_path, profile="baf"), allow_dev_key=True)
    assert metrics["status"] == "SUCCEEDED" and metrics["rows_out"] == 400 and metrics["rows_quarantined"] == 0
    assert metrics["tokenized_columns"] == {} and metrics["merchant_mapping"] is None
    assert metrics["bin_edges"]["column"] == "proposed_credit_limit"
    names = [c["name"] for c in metrics["processed_schema"]]
    assert names[:33] == ["application_id", *BAF_COLUMNS]
    assert {"amount_bin", "anomaly_score", "is_anomaly"} <= set(names)
