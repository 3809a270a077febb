"""The plain local SparkSession used outside Glue (tests, benchmarks, the local pipeline)."""

from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession

from sentinel_etl.tokenization.jvm import DEFAULT_JAR


def local_spark_session(app_name: str, shuffle_partitions: int = 8, cores: str = "*") -> SparkSession:
    """A local-mode session configured like the Glue 5.0 job: UTC, Arrow on, ANSI off (Spark 3.5 default),
    and the JVM tokenization library on the classpath as Glue's --extra-jars puts it there."""
    # Python UDF workers must run this interpreter (the project's .venv), not whatever python3 is on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
    )
    # From the source tree, the jar the set-up built. A deployed package (the local Glue runner) has no
    # build folder next to it: the runner passes the shipped jar itself, as Glue does with --extra-jars.
    if DEFAULT_JAR.is_file():
        builder = builder.config("spark.jars", str(DEFAULT_JAR))
    return builder.getOrCreate()
