"""The custom CloudWatch metrics a run publishes: namespace ``Sentinel/Pipeline``, one datapoint per metric.

This is the job's side of the contract whose other side is ``contracts/pipeline-metrics.ts``
(alarms on QuarantineRatio and AnomalyRate, the dashboard); ``test/modules/pipeline-metrics-contract.test.ts``
checks that both sides name the same namespace, metrics, units and dimensions.

Every datapoint carries the dimensions ``Environment`` (from the job's non-overridable
``--environment`` argument) and ``Profile``. Datapoints are built from the run's ``run-metrics.json``
dictionary by a pure function, and sent with boto3 (provided by Glue 5.0; it reaches CloudWatch through
the VPC's ``monitoring`` interface endpoint, and ``AWS_ENDPOINT_URL`` points it at the local emulator).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

log = logging.getLogger("sentinel_etl.pipeline_metrics")

NAMESPACE = "Sentinel/Pipeline"
DIMENSIONS = ("Environment", "Profile")

#: metric name -> CloudWatch unit, in the order they are published.
METRIC_UNITS: dict[str, str] = {
    "RowsIn": "Count",
    "RowsOut": "Count",
    "RowsQuarantined": "Count",
    "QuarantineRatio": "None",
    "AnomaliesFlagged": "Count",
    "AnomalyRate": "None",
    "RunDurationSeconds": "Seconds",
}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole > 0 else 0.0


def metric_values(run: Mapping[str, Any]) -> dict[str, float]:
    """The value of each pipeline metric for one finished run (its ``run-metrics.json`` dictionary)."""
    rows_in = int(run["rows_in"])
    rows_out = int(run["rows_out"])
    rows_quarantined = int(run["rows_quarantined"])
    anomalies = int(run.get("anomalies_flagged") or 0)
    return {
        "RowsIn": float(rows_in),
        "RowsOut": float(rows_out),
        "RowsQuarantined": float(rows_quarantined),
        "QuarantineRatio": _ratio(rows_quarantined, rows_in),
        "AnomaliesFlagged": float(anomalies),
        "AnomalyRate": _ratio(anomalies, rows_out),
        "RunDurationSeconds": float(run.get("timings_seconds", {}).get("total", 0.0)),
    }


def metric_data(run: Mapping[str, Any], environment: str, timestamp: datetime) -> list[dict[str, Any]]:
    """The ``MetricData`` of one ``PutMetricData`` call for the run (seven datapoints, well under the API's 1,000)."""
    if not environment:
        raise ValueError("the Environment dimension of the pipeline metrics is empty (--environment)")
    dimensions = [{"Name": "Environment", "Value": environment}, {"Name": "Profile", "Value": str(run["profile"])}]
    values = metric_values(run)
    return [
        {"MetricName": name, "Dimensions": dimensions, "Timestamp": timestamp, "Value": values[name], "Unit": unit}
        for name, unit in METRIC_UNITS.items()
    ]


def publish(run: Mapping[str, Any], environment: str, timestamp: datetime, client: Any = None) -> dict[str, Any]:
    """Sends the run's datapoints; returns what to record in the run metrics under ``cloudwatch``.

    A publishing failure does not fail the run (its output is already published and its bookmark
    recorded): it is logged as an error and recorded with ``published: false`` and the error, which the
    lineage record carries, and the alarms' missing-data handling covers the gap.
    """
    data = metric_data(run, environment, timestamp)
    record: dict[str, Any] = {"namespace": NAMESPACE, "environment": environment, "metrics": [d["MetricName"] for d in data]}
    try:
        if client is None:
            import boto3

            client = boto3.client("cloudwatch")
        client.put_metric_data(Namespace=NAMESPACE, MetricData=data)
    except Exception as failure:  # noqa: BLE001 - recorded and logged, see the docstring
        log.error("could not publish the %s metrics for run %s: %s", NAMESPACE, run.get("run_id"), failure)
        return {**record, "published": False, "error": f"{type(failure).__name__}: {failure}"}
    log.info("published %d %s metrics (Environment=%s, Profile=%s)", len(data), NAMESPACE, environment, run["profile"])
    return {**record, "published": True}
