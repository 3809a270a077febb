"""Shared pytest fixtures: one local Spark session (the Glue 5.0 engine: Spark 3.5.4, Java 17) per test run,
and an in-process KMS (moto) for the key and state-authentication tests."""

from __future__ import annotations

import os
import sys

import boto3
import pytest
from moto import mock_aws

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def spark():
    from sentinel_etl.spark_session import local_spark_session

    session = local_spark_session("sentinel-tests", shuffle_partitions=4)
    yield session
    session.stop()


@pytest.fixture
def kms(monkeypatch):
    """A KMS client on moto's in-process mock, with dummy credentials and no endpoint override."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-2")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.client("kms", region_name="eu-central-2")
