"""Prints the real output schemas of the ETL job, per dataset profile, as JSON on stdout.

Runs the job itself (sentinel_etl.job.run_job on local Spark) on a small seeded sample with planted
defects, so both tiers get rows, then reports the processed tier's schema from run-metrics.json and
the quarantine tier's from its Parquet files. The Glue Catalog tables are declared from this output
(contracts/job-output-schemas.json), so a change to the job's columns shows up as a difference.

    .venv/bin/python tools/glue/describe_job_output.py [profile ...]
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from pathlib import Path

from sentinel_etl.cli import folder_locations
from sentinel_etl.config import PROFILES_DIR, load_config, profile_path
from sentinel_etl.generator import generate, plant_defects, write_csv
from sentinel_etl.job import JobArguments, run_job
from sentinel_etl.spark_session import local_spark_session

ROWS = 120
SEED = 20250131
DEFECT_RATE = 0.1
RUN_DATE = "2025-01-31"


def describe(spark, profile: str, work: Path) -> dict[str, list[dict[str, str]]]:
    raw = work / profile / "input" / "part-0.csv"
    raw.parent.mkdir(parents=True)
    frame = plant_defects(generate(profile, ROWS, SEED), load_config(profile_path(profile)), DEFECT_RATE, SEED)
    write_csv(frame, str(raw))
    out = work / profile / "out"
    metrics = run_job(
        spark,
        JobArguments(
            job_name=f"describe-{profile}",
            run_date=RUN_DATE,
            input_prefix=str(raw.parent),
            profile=profile,
            config_location=profile_path(profile),
            **folder_locations(out),
        ),
        allow_dev_key=True,
    )
    if metrics["rows_quarantined"] == 0:
        raise RuntimeError(f"{profile}: the sample produced no quarantined rows; cannot describe that tier")
    quarantine = spark.read.parquet(str(out / "quarantine")).schema
    return {
        "processed": metrics["processed_schema"],
        "quarantine": [{"name": f.name, "type": f.dataType.simpleString()} for f in quarantine.fields],
    }


def main(profiles: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING)
    names = profiles or sorted(path.stem for path in PROFILES_DIR.glob("*.json"))
    spark = local_spark_session("describe-job-output", shuffle_partitions=1)
    spark.sparkContext.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory(prefix="sentinel-describe-") as work:
        described = {name: describe(spark, name, Path(work)) for name in names}
    spark.stop()
    json.dump(described, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
