"""The job on a multi-executor Spark writes exactly what it writes in local mode.

`local-cluster[2,1,1024]` starts a standalone master and two workers inside the driver JVM, and each worker
launches its own executor JVM (one core, 1 GiB): rows are shuffled between processes, broadcasts and
checkpoints cross process boundaries, and the Python UDFs run in two executors' Python workers. It needs
`SPARK_HOME` pointing at a Spark install; pip's pyspark is one (its package folder holds `bin/` and `jars/`).

The cluster run gets its own process (one SparkContext per JVM) and reads the state the local run fitted, at
its own location (state is sealed with its location, so a copy would be refused), so both apply the same bin edges, category codes and model; `encrypt` tokens carry a random IV, so those
columns are compared after decryption (the FF1 and HMAC tokens of the JVM library are compared as written).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pyspark
import pytest

from sentinel_etl.cli import folder_locations
from sentinel_etl.config import load_config, profile_path
from sentinel_etl.generator import generate, write_csv
from sentinel_etl.job import JobArguments, run_job
from sentinel_etl.keys import dev_keyring, load_keyring
from sentinel_etl.tokenization.tokenize import reidentify

pytestmark = pytest.mark.distributed

RUN_ID = "distributed-test-run"
MASTER = "local-cluster[2,1,1024]"

CLUSTER_RUN = """
import json, os, sys, time
from pyspark.sql import SparkSession
from sentinel_etl.job import JobArguments, run_job
from sentinel_etl.tokenization.jvm import DEFAULT_JAR

args = JobArguments(**json.loads(sys.argv[1]))
spark = (
    SparkSession.builder.master(sys.argv[2]).appName("sentinel-distributed-test")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    .config("spark.ui.enabled", "false")
    .config("spark.executorEnv.PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    # the JVM tokenization functions, shipped to both executors as Glue's --extra-jars ships them
    .config("spark.jars", str(DEFAULT_JAR))
    .getOrCreate()
)
try:
    tracker = spark.sparkContext._jsc.sc()
    deadline = time.monotonic() + 90
    while tracker.getExecutorMemoryStatus().size() < 3 and time.monotonic() < deadline:  # the driver + 2 executors
        time.sleep(0.5)
    executors = tracker.getExecutorMemoryStatus().size() - 1
    metrics = run_job(spark, args, allow_dev_key=True)
    pids = spark.sparkContext.parallelize(range(8), 8).map(lambda _: os.getpid()).distinct().count()
    print(json.dumps({"executors": executors, "python_worker_pids": pids, "status": metrics["status"]}))
finally:
    spark.stop()
"""


def job_arguments(root: Path, name: str, inputs: Path, key: Path) -> JobArguments:
    return JobArguments(
        job_name="distributed-test",
        run_date="2025-02-01",
        input_prefix=str(inputs),
        profile="card-transactions",
        config_location=profile_path("card-transactions"),
        **folder_locations(root / name),
        key_location=str(key),
        bookmark_option="job-bookmark-disable",
        run_id=RUN_ID,
    )


def cluster_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["SPARK_HOME"] = os.path.dirname(pyspark.__file__)
    env["PYSPARK_PYTHON"] = sys.executable
    env["PYSPARK_DRIVER_PYTHON"] = sys.executable
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), *filter(None, [env.get("PYTHONPATH")])])
    return env


def comparable_rows(spark, location: Path, keyring, encrypted) -> list:
    frame = spark.read.parquet(str(location))
    if encrypted:
        frame = reidentify(frame, encrypted, keyring)
    return sorted(frame.select(*sorted(frame.columns)).collect(), key=lambda row: tuple(repr(value) for value in row))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("distributed")
    raw = root / "raw"
    write_csv(generate("card-transactions", rows=400, seed=31), str(raw / "part-1.csv"))
    write_csv(generate("card-transactions", rows=200, seed=32), str(raw / "part-2.csv"))
    lines = [
        "tx-malformed,2025-01-05T10:00:00Z,cust-9",
        "tx-negative,2025-01-05T10:00:00Z,cust-9,4000123412341234,a@b.c,A,B,,-3.50,EUR,m-1,5411,DE,card_present,0",
        "tx-jpy,2025-01-05T10:00:00Z,cust-9,4000123412341234,a@b.c,A,B,,25.00,JPY,m-1,5411,JP,ecommerce,0",
    ]
    with open(raw / "part-1.csv", "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    key = root / "key.json"
    dev_keyring(key)
    return root, raw, key


def test_multi_executor_run_writes_exactly_the_local_output(spark, inputs):
    root, raw, key = inputs
    local_args = job_arguments(root, "local", raw, key)
    local = run_job(spark, local_args, allow_dev_key=True)
    assert local["status"] == "SUCCEEDED" and local["rows_quarantined"] >= 2

    # the same fitted state: state is sealed with its own location (fitted_state), so it is shared, not copied
    cluster_args = dataclasses.replace(job_arguments(root, "cluster", raw, key), state_location=local_args.state_location)
    finished = subprocess.run(
        [sys.executable, "-c", CLUSTER_RUN, json.dumps(dataclasses.asdict(cluster_args)), MASTER],
        env=cluster_environment(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert finished.returncode == 0, finished.stderr[-4000:]
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert report == {"executors": 2, "python_worker_pids": 2, "status": "SUCCEEDED"}
    cluster = json.loads((root / "cluster" / "run-metrics.json").read_text())

    for field in ("rows_in", "rows_out", "rows_quarantined", "quarantine_reasons", "anomalies_flagged", "processed_schema", "key_version"):
        assert cluster[field] == local[field], field
    assert cluster["bin_edges"] == local["bin_edges"] and cluster["model"] == local["model"]
    assert cluster["merchant_mapping"] == local["merchant_mapping"]

    config = load_config(profile_path("card-transactions"))
    keyring = load_keyring(str(key), allow_dev_key=True)
    encrypted = tuple(spec for spec in config.tokenization if spec.method == "encrypt")
    local_rows = comparable_rows(spark, Path(local_args.output_location), keyring, encrypted)
    cluster_rows = comparable_rows(spark, Path(cluster_args.output_location), keyring, encrypted)
    assert len(local_rows) == local["rows_out"] and local_rows == cluster_rows
    # Bins are per currency: every regular or overflow label names the row's currency (JPY has one row).
    assert all(row["amount_bin_label"].startswith(row["currency"] + " ") for row in local_rows if row["amount_bin"] >= 0)
    assert [row["amount_bin_label"] for row in local_rows if row["transaction_id"] == "tx-jpy"] == ["JPY [0, 25]"]

    local_quarantine = comparable_rows(spark, Path(local_args.quarantine_location), keyring, ())
    assert local_quarantine == comparable_rows(spark, Path(cluster_args.quarantine_location), keyring, ())
    assert {row["reason_code"] for row in local_quarantine} >= {"MALFORMED_RECORD", "OUT_OF_RANGE"}
