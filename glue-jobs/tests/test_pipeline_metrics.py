"""The Sentinel/Pipeline CloudWatch metrics: values from the run metrics, and a real run publishing them
through boto3 to the moto server (real HTTP on a loopback port), read back with GetMetricStatistics."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer
from test_job_failures import arguments

from sentinel_etl import job as job_module
from sentinel_etl import pipeline_metrics
from sentinel_etl.generator import generate, write_csv
from sentinel_etl.job import run_job

REGION = "eu-central-2"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
RUN = {
    "run_id": "r-1",
    "profile": "card-transactions",
    "rows_in": 1000,
    "rows_out": 960,
    "rows_quarantined": 40,
    "anomalies_flagged": 48,
    "timings_seconds": {"validate": 3.0, "total": 61.5},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cloudwatch_endpoint(monkeypatch):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    yield endpoint
    server.stop()


def statistic(client, name: str, profile: str, environment: str) -> list[float]:
    points = client.get_metric_statistics(
        Namespace="Sentinel/Pipeline",
        MetricName=name,
        Dimensions=[{"Name": "Environment", "Value": environment}, {"Name": "Profile", "Value": profile}],
        StartTime=datetime.now(UTC) - timedelta(hours=1),
        EndTime=datetime.now(UTC) + timedelta(hours=1),
        Period=3600,
        Statistics=["Sum"],
    )["Datapoints"]
    return [p["Sum"] for p in points]


def test_values_ratios_and_units_follow_the_contract():
    values = pipeline_metrics.metric_values(RUN)
    assert values == {
        "RowsIn": 1000.0,
        "RowsOut": 960.0,
        "RowsQuarantined": 40.0,
        "QuarantineRatio": 0.04,
        "AnomaliesFlagged": 48.0,
        "AnomalyRate": 0.05,
        "RunDurationSeconds": 61.5,
    }
    data = pipeline_metrics.metric_data(RUN, "prod", NOW)
    assert [(d["MetricName"], d["Unit"]) for d in data] == list(pipeline_metrics.METRIC_UNITS.items())
    assert all(
        d["Dimensions"] == [{"Name": "Environment", "Value": "prod"}, {"Name": "Profile", "Value": "card-transactions"}] for d in data
    )
    assert all(d["Timestamp"] == NOW for d in data)


def test_an_empty_run_has_zero_ratios_not_a_division_error():
    empty = {**RUN, "rows_in": 0, "rows_out": 0, "rows_quarantined": 0, "anomalies_flagged": 0}
    values = pipeline_metrics.metric_values(empty)
    assert values["QuarantineRatio"] == 0.0 and values["AnomalyRate"] == 0.0


def test_the_environment_dimension_is_required():
    with pytest.raises(ValueError, match="Environment dimension"):
        pipeline_metrics.metric_data(RUN, "", NOW)


def test_publish_sends_every_datapoint_to_cloudwatch(cloudwatch_endpoint):
    record = pipeline_metrics.publish(RUN, "staging", datetime.now(UTC))
    assert record == {
        "namespace": "Sentinel/Pipeline",
        "environment": "staging",
        "metrics": list(pipeline_metrics.METRIC_UNITS),
        "published": True,
    }
    client = boto3.client("cloudwatch", region_name=REGION, endpoint_url=cloudwatch_endpoint)
    assert statistic(client, "RowsQuarantined", "card-transactions", "staging") == [40.0]
    assert statistic(client, "AnomalyRate", "card-transactions", "staging") == [0.05]
    assert statistic(client, "RowsIn", "card-transactions", "prod") == []


def test_a_publishing_failure_is_recorded_and_does_not_raise(caplog):
    unreachable = boto3.client(
        "cloudwatch",
        region_name=REGION,
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(connect_timeout=1, retries={"max_attempts": 1}),
    )
    record = pipeline_metrics.publish(RUN, "dev", NOW, client=unreachable)
    assert record["published"] is False and "EndpointConnectionError" in record["error"]
    assert "could not publish the Sentinel/Pipeline metrics for run r-1" in caplog.text


def test_a_run_with_an_environment_publishes_its_counts(spark, tmp_path, cloudwatch_endpoint, monkeypatch):
    # --environment also fixes the S3 locations a run may use (location_policy, tested in test_location_policy
    # and test/security); this run reads and writes local folders, so only the metrics side is exercised here
    monkeypatch.setattr(job_module, "run_scope", lambda _args: None)
    generated = generate("card-transactions", rows=200, seed=5)
    write_csv(generated, str(tmp_path / "raw" / "batch.csv"))
    with (tmp_path / "raw" / "batch.csv").open("a") as handle:
        handle.write("tx-broken,2025-01-05T10:00:00Z,cust-9\n")
    metrics = run_job(spark, arguments(tmp_path, environment="local"), allow_dev_key=True)
    assert metrics["rows_in"] == 201 and metrics["rows_quarantined"] == 1
    assert metrics["cloudwatch"]["published"] is True
    written = json.loads((tmp_path / "out" / "run-metrics.json").read_text())
    assert written["cloudwatch"] == metrics["cloudwatch"]

    client = boto3.client("cloudwatch", region_name=REGION, endpoint_url=cloudwatch_endpoint)
    assert statistic(client, "RowsIn", "card-transactions", "local") == [201.0]
    assert statistic(client, "RowsOut", "card-transactions", "local") == [200.0]
    assert statistic(client, "RowsQuarantined", "card-transactions", "local") == [1.0]
    assert statistic(client, "AnomaliesFlagged", "card-transactions", "local") == [float(metrics["anomalies_flagged"])]
    assert statistic(client, "RunDurationSeconds", "card-transactions", "local") == [metrics["timings_seconds"]["total"]]


def test_a_run_without_an_environment_publishes_nothing(spark, tmp_path):
    write_csv(generate("card-transactions", rows=50, seed=6), str(tmp_path / "raw" / "batch.csv"))
    metrics = run_job(spark, arguments(tmp_path), allow_dev_key=True)
    assert metrics["status"] == "SUCCEEDED" and "cloudwatch" not in metrics
