"""A/B of the validation's verdict projections: main's three (the first failing rule's index as a column of its
own, then its reason code and reason; main ca0cbec) against the job's two (the index written into the two reason
expressions, which Spark's subexpression elimination evaluates once per row; sentinel_etl.validation).

    .venv/bin/python glue-jobs/benchmarks/bench_validate_ab.py [--rows 1000000] [--repetitions 3] [--defect-rate 0.02]

Generates `--rows` card transactions (the generator `bench:etl` uses, seeded) with `--defect-rate` of them given
one quarantinable defect each, then in one Spark session (the job's session settings):
1. checks both paths give the same result: the same verdict counts per reason code, the same quarantined rows
   (every column, reason code and reason) and the same valid rows (count and an order-independent hash of all
   typed columns);
2. times, alternating A, B, A, B, ..., the validate step alone (the verdicts computed and checkpointed, the
   duplicate check and the verdict counts, as the job's validate stage does) and the whole job run with the
   fitted state reused (fitted once by a first run before the alternation), printing each run with its validate
   stage, the median per path and the load average around each run.
Exits 1 when the results differ.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from sentinel_etl import validation
from sentinel_etl.cli import folder_locations
from sentinel_etl.config import load_config, profile_path
from sentinel_etl.generator import generate, plant_defects, write_csv
from sentinel_etl.ingest import read_header
from sentinel_etl.job import JobArguments, run_job, tune_session
from sentinel_etl.keys import dev_keyring
from sentinel_etl.pipeline import CheckedInput, check_input, release_local_checkpoint
from sentinel_etl.spark_session import local_spark_session
from sentinel_etl.storage import list_objects

PROFILE = "card-transactions"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_validate_ab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=3, help="runs of each path, alternated")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--defect-rate", type=float, default=0.02, help="share of rows given one quarantinable defect")
    return parser.parse_args(argv)


def three_projection_reasons(df: DataFrame, rules: list[validation.RowRule], first_failed: Column) -> DataFrame:
    """A: main's `_with_reason` (ca0cbec): the index in a column of its own, then the reason code and reason read
    from it. Each of those is a projection that copies every column of every row."""
    codes = F.array(*[F.lit(rule.code) for rule in rules])
    reasons = F.array(*[F.lit(rule.reason) for rule in rules])
    failed = F.col("_first_failed") > 0
    return (
        df.withColumn("_first_failed", first_failed)
        .withColumn(validation.REASON_CODE, F.when(failed, F.element_at(codes, F.col("_first_failed"))))
        .withColumn(validation.REASON, F.when(failed, F.element_at(reasons, F.col("_first_failed"))))
        .drop("_first_failed")
    )


PATHS: dict[str, Callable[[DataFrame, list[validation.RowRule], Column], DataFrame]] = {
    "A": three_projection_reasons,
    "B": validation._with_reason,
}


@contextmanager
def verdicts_of(path: str) -> Iterator[None]:
    """`validation.with_verdict` (which the job calls) builds its reasons with `path`'s function meanwhile."""
    job_reasons = validation._with_reason
    validation._with_reason = PATHS[path]
    try:
        yield
    finally:
        validation._with_reason = job_reasons


def _write_input(rows: int, seed: int, rate: float, path: str) -> None:
    config = load_config(profile_path(PROFILE))
    write_csv(plant_defects(generate(PROFILE, rows, seed), config, rate=rate, seed=seed), path)


def generate_input(rows: int, seed: int, rate: float, folder: Path) -> Path:
    """The input CSV, written by a child process so the generator's pandas frames stay out of this one."""
    folder.mkdir(parents=True, exist_ok=True)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pool.apply(_write_input, (rows, seed, rate, str(folder / "cards.csv")))
    return folder


def checked_input(spark: SparkSession, csv: Path) -> CheckedInput:
    config = load_config(profile_path(PROFILE))
    return check_input(spark, [read_header(obj, config) for obj in list_objects(str(csv))], config)


def row_hash(frame: DataFrame) -> tuple[int, int]:
    """(rows, sum of each row's xxhash64 over every column): equal for equal multisets of rows, in any order."""
    row = frame.agg(F.count(F.lit(1)).alias("rows"), F.sum(F.xxhash64(*frame.columns).cast("decimal(38,0)")).alias("hash")).first()
    assert row is not None
    return int(row["rows"]), int(row["hash"] or 0)


def results(spark: SparkSession, csv: Path, path: str) -> dict:
    with verdicts_of(path):
        checked = checked_input(spark, csv)
    try:
        rows_in, reasons = checked.verdict_counts()
        quarantined = checked.quarantined().localCheckpoint(eager=True)
        return {
            "rows_in": rows_in,
            "reasons": reasons,
            "quarantined": quarantined,
            "quarantined_hash": row_hash(quarantined),
            "valid_hash": row_hash(checked.valid()),
        }
    finally:
        checked.release()


def same_results(a: dict, b: dict) -> bool:
    same_rows = a["quarantined"].exceptAll(b["quarantined"]).isEmpty() and b["quarantined"].exceptAll(a["quarantined"]).isEmpty()
    checks = {
        "verdict counts": a["rows_in"] == b["rows_in"] and a["reasons"] == b["reasons"],
        "quarantined rows (every column, reason code and reason)": same_rows and a["quarantined_hash"] == b["quarantined_hash"],
        "valid rows (count and hash of every typed column)": a["valid_hash"] == b["valid_hash"],
    }
    for name, same in checks.items():
        print(f"  {name}: {'identical' if same else 'DIFFERENT'}")
    valid_rows = a["valid_hash"][0]
    print(f"  {a['rows_in']:,} rows in = {valid_rows:,} valid + {a['quarantined_hash'][0]:,} quarantined; reasons {a['reasons']}")
    return all(checks.values()) and a["rows_in"] == valid_rows + a["quarantined_hash"][0]


def validate_seconds(spark: SparkSession, csv: Path, path: str) -> float:
    """The job's validate stage without the file discovery: verdicts checkpointed, duplicates, counts."""
    started = time.perf_counter()
    with verdicts_of(path):
        checked = checked_input(spark, csv)
    checked.verdict_counts()
    seconds = time.perf_counter() - started
    checked.release()
    return seconds


def job_run(spark: SparkSession, csv: Path, work: Path, key: Path, name: str, path: str) -> dict:
    locations = folder_locations(work / name)
    locations["state_location"] = str(work / "state")  # the state the first run fitted
    args = JobArguments(
        job_name="bench-validate",
        run_date="2025-02-01",
        input_prefix=str(csv),
        profile=PROFILE,
        config_location=profile_path(PROFILE),
        **locations,
        key_location=str(key),
        bookmark_option="job-bookmark-disable",
    )
    with verdicts_of(path):
        return run_job(spark, args, allow_dev_key=True)


def timed_with_load(action: Callable[[], object]) -> tuple[float, float, float, object]:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    outcome = action()
    return time.perf_counter() - started, load_before, os.getloadavg()[0], outcome


def main(argv: list[str]) -> int:
    options = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="sentinel-bench-validate-"))
    try:
        csv = generate_input(options.rows, options.seed, options.defect_rate, work / "raw")
        key = work / "bench-key.json"
        dev_keyring(key)
        spark = local_spark_session("sentinel-bench-validate-ab")
        spark.sparkContext.setLogLevel("ERROR")
        tune_session(spark)

        print(f"{options.rows:,} card transactions, defect rate {options.defect_rate}; A = three projections (main), B = two")
        a, b = results(spark, csv, "A"), results(spark, csv, "B")
        same = same_results(a, b)
        for result in (a, b):
            release_local_checkpoint(result["quarantined"])
        print(f"results identical (A = B): {same}", flush=True)

        job_run(spark, csv, work, key, "first", "B")  # fits the state the timed runs reuse; warms up both sides' code
        validate_seconds(spark, csv, "A")
        timings: dict[str, dict[str, list[float]]] = {path: {"validate": [], "run": [], "run_validate": []} for path in PATHS}
        for rep in range(1, options.repetitions + 1):
            for path in PATHS:
                seconds, before, after, _ = timed_with_load(functools.partial(validate_seconds, spark, csv, path))
                timings[path]["validate"].append(seconds)
                print(f"run {rep} {path} validate alone {seconds:.2f} s (load {before:.1f} -> {after:.1f})", flush=True)
            for path in PATHS:
                seconds, before, after, metrics = timed_with_load(functools.partial(job_run, spark, csv, work, key, f"{path}-{rep}", path))
                stage = metrics["timings_seconds"]["validate"]  # type: ignore[index]
                timings[path]["run"].append(seconds)
                timings[path]["run_validate"].append(stage)
                print(
                    f"run {rep} {path} state reused {seconds:.2f} s, validate stage {stage:.2f} s (load {before:.1f} -> {after:.1f})",
                    flush=True,
                )
        spark.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    for measure, label in (("validate", "validate alone"), ("run_validate", "validate stage of the run"), ("run", "state-reused run")):
        median_a, median_b = statistics.median(timings["A"][measure]), statistics.median(timings["B"][measure])
        print(f"{label}: median A {median_a:.2f} s, B {median_b:.2f} s, B is {median_a / median_b:.2f}x as fast as A")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
