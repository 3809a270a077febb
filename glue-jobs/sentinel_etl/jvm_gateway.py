"""The Py4J gateway to the driver JVM, for the parts of the job that call Java directly: Hadoop's FileSystem
(the output commit; it has no Python API) and the tokenization library's Spark functions."""

from __future__ import annotations

from typing import Any

from pyspark.sql import SparkSession


def jvm_gateway(spark: SparkSession) -> Any:
    """The session's Py4J view of the driver JVM."""
    jvm = spark.sparkContext._jvm
    if jvm is None:
        raise RuntimeError("the Spark session has no JVM gateway: it was stopped")
    return jvm
