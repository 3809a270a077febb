"""Shared pytest fixtures: one local Spark session (the Glue 5.0 engine: Spark 3.5.4, Java 17) per test run."""
from __future__ import annotations

import os
import sys

import pytest

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def spark():
    from sentinel_etl.spark_session import local_spark_session

    session = local_spark_session("sentinel-tests", shuffle_partitions=4)
    yield session
    session.stop()
