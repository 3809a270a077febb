"""The Glue entry point: argument names, Job.init/commit around a successful run only, local fallback."""

from __future__ import annotations

import sys
import types
from typing import ClassVar

import pytest

from sentinel_etl import glue_entry

GLUE_ARGS = [
    "script.py",
    "--JOB_NAME",
    "sentinel-etl-card-transactions",
    "--JOB_RUN_ID",
    "jr_0123",
    "--run_date",
    "2025-01-31",
    "--input_prefix",
    "s3://raw/card-transactions/",
    "--profile",
    "card-transactions",
    "--config_location",
    "s3://artifacts/config/card-transactions.json",
    "--output_location",
    "s3://processed/card-transactions/",
    "--quarantine_location",
    "s3://raw/quarantine/card-transactions/",
    "--metrics_location",
    "s3://artifacts/runs/jr_0123/",
    "--state_location",
    "s3://artifacts/state/card-transactions/",
    "--mapping_location",
    "s3://artifacts/reference/mcc-mapping.csv",
    "--key_location",
    "s3://artifacts/keys/tokenization-key.json",
    "--job-bookmark-option",
    "job-bookmark-enable",
    "--refit",
    "true",
]
# Non-overridable on Glue (modules/glue/etl-job.ts); getResolvedOptions requires them there.
TRUST_ARGS = [
    "--environment",
    "staging",
    "--artifact_digests",
    '{"s3://artifacts/config/card-transactions.json": "' + "0" * 64 + '"}',
    "--state_mac_key_arn",
    "arn:aws:kms:eu-central-2:123456789012:key/state",
]


@pytest.fixture(autouse=True)
def checked_locations(monkeypatch):
    """The location check needs the real buckets' scope; here it only records that it ran, and when."""
    calls = []
    monkeypatch.setattr(glue_entry, "check_locations", lambda args: calls.append(args))
    return calls


class FakeJob:
    events: ClassVar[list[str]] = []

    def __init__(self, glue_context):
        self.glue_context = glue_context

    def init(self, name, args):
        FakeJob.events.append(f"init:{name}")

    def commit(self):
        FakeJob.events.append("commit")


@pytest.fixture
def fake_awsglue(monkeypatch):
    """Stands in for the awsglue package, which exists only on Glue."""

    def get_resolved_options(argv, names):
        return {name: argv[argv.index(f"--{name}") + 1] for name in names}

    context = types.ModuleType("awsglue.context")
    context.GlueContext = lambda sc: types.SimpleNamespace(spark_session="glue-spark-session")
    job = types.ModuleType("awsglue.job")
    job.Job = FakeJob
    utils = types.ModuleType("awsglue.utils")
    utils.getResolvedOptions = get_resolved_options
    for name, module in {
        "awsglue": types.ModuleType("awsglue"),
        "awsglue.context": context,
        "awsglue.job": job,
        "awsglue.utils": utils,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr("pyspark.context.SparkContext.getOrCreate", staticmethod(lambda: "spark-context"))
    FakeJob.events = []
    return FakeJob


def test_glue_run_maps_arguments_and_commits_after_success(fake_awsglue, monkeypatch):
    seen = {}

    def fake_run_job(spark, args, allow_dev_key):
        seen.update(spark=spark, args=args, allow_dev_key=allow_dev_key)
        fake_awsglue.events.append("run")

    monkeypatch.setattr(glue_entry, "run_job", fake_run_job)
    glue_entry.main([*GLUE_ARGS, *TRUST_ARGS])
    args = seen["args"]
    assert args.artifact_digests == {"s3://artifacts/config/card-transactions.json": "0" * 64}
    assert args.state_mac_key_arn.endswith("key/state") and args.environment == "staging"
    assert fake_awsglue.events == ["init:sentinel-etl-card-transactions", "run", "commit"]
    assert seen["spark"] == "glue-spark-session" and seen["allow_dev_key"] is False
    assert args.run_id == "jr_0123" and args.refit is True and args.bookmark_option == "job-bookmark-enable"
    assert args.key_location == "s3://artifacts/keys/tokenization-key.json"
    assert args.state_location == "s3://artifacts/state/card-transactions/"


def test_glue_run_does_not_commit_when_the_run_fails(fake_awsglue, monkeypatch):
    def failing_run_job(spark, args, allow_dev_key):
        raise RuntimeError("boom")

    monkeypatch.setattr(glue_entry, "run_job", failing_run_job)
    with pytest.raises(RuntimeError, match="boom"):
        glue_entry.main([*GLUE_ARGS, *TRUST_ARGS])
    assert fake_awsglue.events == ["init:sentinel-etl-card-transactions"]


def test_refit_defaults_to_false_and_bookmarks_to_enabled(fake_awsglue, monkeypatch):
    seen = {}
    monkeypatch.setattr(glue_entry, "run_job", lambda spark, args, allow_dev_key: seen.update(args=args))
    argv = GLUE_ARGS[: GLUE_ARGS.index("--job-bookmark-option")]
    glue_entry.main([*argv, *TRUST_ARGS])
    assert seen["args"].refit is False and seen["args"].bookmark_option == "job-bookmark-enable"


def test_without_awsglue_the_same_arguments_run_on_local_spark(monkeypatch):
    monkeypatch.setitem(sys.modules, "awsglue", None)  # import fails as it does off Glue
    seen = {}
    monkeypatch.setattr(glue_entry, "run_job", lambda spark, args, allow_dev_key: seen.update(args=args, dev=allow_dev_key))
    glue_entry.main(GLUE_ARGS)
    assert seen["dev"] is True and seen["args"].profile == "card-transactions" and seen["args"].run_id == "jr_0123"


def test_the_environment_argument_names_the_metrics_dimension(fake_awsglue, monkeypatch):
    seen = {}
    monkeypatch.setattr(glue_entry, "run_job", lambda spark, args, allow_dev_key: seen.update(args=args))
    glue_entry.main([*GLUE_ARGS, *TRUST_ARGS])
    assert seen["args"].environment == "staging"
    monkeypatch.setitem(sys.modules, "awsglue", None)  # locally it is optional
    glue_entry.main(GLUE_ARGS)
    assert seen["args"].environment is None


def test_locations_are_checked_before_the_spark_session_starts(fake_awsglue, monkeypatch):
    order = []
    monkeypatch.setattr(glue_entry, "check_locations", lambda args: order.append("check"))
    monkeypatch.setattr("pyspark.context.SparkContext.getOrCreate", staticmethod(lambda: order.append("spark") or "spark-context"))
    monkeypatch.setattr(glue_entry, "run_job", lambda spark, args, allow_dev_key: order.append("run"))
    glue_entry.main([*GLUE_ARGS, *TRUST_ARGS])
    assert order == ["check", "spark", "run"]


def test_on_glue_the_trust_arguments_are_required(fake_awsglue, monkeypatch):
    monkeypatch.setattr(glue_entry, "run_job", lambda spark, args, allow_dev_key: None)
    for name in glue_entry.REQUIRED_ON_GLUE:
        i = TRUST_ARGS.index(f"--{name}")
        with pytest.raises(ValueError, match=f"--{name}"):
            glue_entry.main([*GLUE_ARGS, *TRUST_ARGS[:i], *TRUST_ARGS[i + 2 :]])


def test_locally_parameters_the_script_does_not_read_are_ignored_like_on_glue(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "awsglue", None)
    seen = {}
    monkeypatch.setattr(glue_entry, "run_job", lambda spark, args, allow_dev_key: seen.update(args=args))
    glue_entry.main([*GLUE_ARGS, "--environment", "local", "--enable-metrics", "true", "--new-glue-parameter", "x"])
    assert seen["args"].environment == "local" and seen["args"].profile == "card-transactions"
    assert "ignoring job parameters the script does not read: --enable-metrics --new-glue-parameter" in caplog.text
