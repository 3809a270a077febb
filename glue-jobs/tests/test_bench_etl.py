"""`npm run bench:etl` end to end at a tiny scale: every stage, the copy, the ratios and the driver's memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GLUE_JOBS = Path(__file__).resolve().parents[1]
STAGES = ("discover", "validate", "fit_state", "transform_and_write", "verify", "publish", "total")


def test_bench_etl_reports_every_stage_ratios_and_driver_memory(tmp_path):
    out = tmp_path / "bench.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(GLUE_JOBS), *filter(None, [os.environ.get("PYTHONPATH")])])}
    finished = subprocess.run(
        [sys.executable, str(GLUE_JOBS / "benchmarks" / "bench_etl.py"), "--rows", "1500", "--hmac-rows", "500", "--json", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert finished.returncode == 0, finished.stderr[-4000:]
    results = json.loads(out.read_text())
    pipeline = results["pipeline"]
    assert pipeline["rows"] == 1500 == pipeline["rows_out"] + pipeline["rows_quarantined"]
    for run in ("first_run", "later_run", "untokenized"):
        assert set(STAGES) <= set(pipeline["stage_seconds"][run]), run
        memory = pipeline["driver_memory"][run]
        assert memory["jvm_peak_rss_mib"] > 0 and memory["python_peak_rss_mib"] > 0 and memory["jvm_heap_limit_mib"] > 0
    # The ratio is computed from the unrounded times; the seconds in the report are rounded to 0.01 s.
    assert pipeline["later_run_ratio"] == pytest.approx(pipeline["pipeline_later_run_seconds"] / pipeline["plain_copy_seconds"], rel=0.05)
    # Each run twice (the default), alternating; the fastest counts.
    assert pipeline["repetitions"] == 2
    for run, key in (
        ("plain_copy", "plain_copy_seconds"),
        ("later_run", "pipeline_later_run_seconds"),
        ("untokenized", "pipeline_untokenized_seconds"),
    ):
        assert len(pipeline["repetition_seconds"][run]) == 2, run
        assert pipeline[key] == min(pipeline["repetition_seconds"][run]), run
    assert results["hmac"]["rows"] == 500 and results["hmac"]["identical_outputs"]
    token_columns = results["token_columns"]["columns"]
    assert {column: cost["method"] for column, cost in token_columns.items()} == {
        "customer_id": "deterministic",
        "account_number": "format_preserving",
        "email": "encrypt",
        "first_name": "deterministic",
        "last_name": "deterministic",
        "device_id": "hash",
    }
    assert {"1m", "5m", "15m", "cores"} <= set(results["load_average_before"])
    report = finished.stdout
    for line in (
        "plain copy",
        "alternating repetitions",
        "pipeline, first run",
        "fitted state reused",
        "tokenizing the six columns",
        "load average",
        "driver peak memory",
        "tokenizing each column alone",
        "email (encrypt)",
        "all six together",
    ):
        assert line in report, line
    for stage in STAGES:
        assert f"  {stage} " in report, stage
