"""The locations a run may use, derived from environment, account and profile (location_policy)."""

from __future__ import annotations

import pytest

from sentinel_etl.location_policy import LOCATION_RULES, LocationRefusedError, RunScope, bucket_name

SCOPE = RunScope("prod", "123456789012", "card-transactions", "2025-01-31")
RAW, PROCESSED, ARTIFACTS, LINEAGE = (bucket_name("prod", t, "123456789012") for t in ("raw", "processed", "artifacts", "lineage-audit"))

ALLOWED = {
    "input_prefix": f"s3://{RAW}/landing/card-transactions/run_date=2025-01-31/",
    "quarantine_location": f"s3://{RAW}/quarantine/card-transactions/",
    "output_location": f"s3://{PROCESSED}/processed/card-transactions/",
    "config_location": f"s3://{ARTIFACTS}/config/profiles/card-transactions.json",
    "state_location": f"s3://{ARTIFACTS}/state/card-transactions/",
    "key_location": f"s3://{ARTIFACTS}/keys/card-transactions/data-key.json",
    "mapping_location": f"s3://{ARTIFACTS}/reference/mcc-mapping.csv",
    "metrics_location": f"s3://{LINEAGE}/run-metrics/card-transactions/2025-01-31/run-1/",
}


def test_the_deployed_locations_are_allowed():
    assert set(ALLOWED) == set(LOCATION_RULES)
    SCOPE.check_all(ALLOWED)


@pytest.mark.parametrize(
    "argument, attack",
    [
        # raw rows published where data scientists read
        ("quarantine_location", f"s3://{PROCESSED}/processed/card-transactions/"),
        # another profile's output, another environment's bucket, another account's bucket
        ("output_location", f"s3://{PROCESSED}/processed/other-profile/"),
        ("output_location", "s3://sentinel-dev-processed-123456789012/processed/card-transactions/"),
        ("output_location", "s3://sentinel-prod-processed-999999999999/processed/card-transactions/"),
        # a config or key someone else wrote
        ("config_location", f"s3://{ARTIFACTS}/glue/temp/config.json"),
        ("key_location", f"s3://{ARTIFACTS}/keys/other-profile/data-key.json"),
        ("state_location", f"s3://{ARTIFACTS}/state/card-transactions/../other/"),
        ("input_prefix", f"s3://{RAW}/quarantine/card-transactions/"),
        ("input_prefix", f"s3://{RAW}/landing/card-transactions/../../quarantine/"),
        ("metrics_location", f"s3://{LINEAGE}/lineage/card-transactions/2025-01-31/run-1/"),
        ("metrics_location", f"s3://{LINEAGE}/run-metrics/card-transactions/2024-12-31/run-1/"),
        ("mapping_location", "/tmp/mcc-mapping.csv"),
        ("output_location", f"s3://{PROCESSED}/processed/card-transactions%2F..%2Fx/"),
    ],
)
def test_a_location_outside_the_derived_prefix_is_refused_naming_the_argument(argument, attack):
    with pytest.raises(LocationRefusedError) as refused:
        SCOPE.check_all({**ALLOWED, argument: attack})
    assert refused.value.argument == argument
    assert f"--{argument}" in str(refused.value) and SCOPE.allowed(argument) in str(refused.value)


def test_s3a_and_a_missing_trailing_slash_are_the_same_location():
    SCOPE.check("output_location", f"s3a://{PROCESSED}/processed/card-transactions")


@pytest.mark.parametrize("field, value", [("environment", "Prod!"), ("account_id", "12345"), ("profile", "../x"), ("run_date", "2025-1-1")])
def test_the_scope_itself_is_validated(field, value):
    values = {"environment": "prod", "account_id": "123456789012", "profile": "card-transactions", "run_date": "2025-01-31", field: value}
    with pytest.raises(ValueError, match="is not valid"):
        RunScope(**values)
