"""The ETL job's entry point: AWS Glue 5.0 when `awsglue` is importable, a local Spark session otherwise.

Arguments (the trigger handler sends them on Glue as `--name value`; the same names work locally):
`--JOB_NAME --run_date --input_prefix --profile --config_location --output_location
--quarantine_location --metrics_location --state_location --mapping_location --key_location`, and
optionally `--refit true`, `--job-bookmark-option` and `--environment` (the Environment dimension of the
`Sentinel/Pipeline` CloudWatch metrics, published only when it is given). Parameters the script does
not read are ignored, locally as on Glue. None of them is secret: the tokenization key
is named by location and unwrapped in memory.

On Glue the run is wrapped in `Job.init` / `job.commit()`, and `commit` is only reached when the run
succeeded (published, bookmark recorded, metrics written). Incremental processing uses the job's own
input manifest (see `bookmarks`) rather than Glue's source bookmarks, because those track only
DynamicFrame sources, and the DynamicFrame CSV reader lacks the explicit-schema, PERMISSIVE,
corrupt-record parsing the validation stage is built on; `--job-bookmark-option` keeps its meaning.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from sentinel_etl.bookmarks import ENABLE, OPTIONS
from sentinel_etl.job import JobArguments, check_locations, run_job

REQUIRED = (
    "JOB_NAME",
    "run_date",
    "input_prefix",
    "profile",
    "config_location",
    "output_location",
    "quarantine_location",
    "metrics_location",
    "state_location",
    "mapping_location",
    "key_location",
)
# Locations a run may go without (contracts/run-locations.ts `optional`; test/contracts compares both sides).
OPTIONAL_LOCATIONS = ("mapping_location", "key_location")
# Non-overridable arguments that fix what the run trusts (modules/glue/etl-job.ts sets them).
TRUST_ARGUMENTS = ("environment", "account_id", "artifact_digests", "state_mac_key_arn", "tokenization_key_arn")
# Required on Glue: without them a run could not check its locations, artifacts or state.
REQUIRED_ON_GLUE = ("environment", "artifact_digests", "state_mac_key_arn")


def _optional(argv: Sequence[str], name: str) -> str | None:
    flag = f"--{name}"
    for i, token in enumerate(argv):
        if token == flag and i + 1 < len(argv):
            return argv[i + 1]
        if token.startswith(flag + "="):
            return token.split("=", 1)[1]
    return None


def _is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "1", "yes")


def _digests(value: str | None) -> dict[str, str] | None:
    if value is None:
        return None
    try:
        digests = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--artifact_digests is not JSON: {exc}") from exc
    if not isinstance(digests, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in digests.items()):
        raise ValueError("--artifact_digests must be a JSON object of URI -> SHA-256 hex")
    return digests


def job_arguments(resolved: dict[str, str], argv: Sequence[str]) -> JobArguments:
    """JobArguments from the resolved required options plus the optional ones found in argv."""
    return JobArguments(
        job_name=resolved["JOB_NAME"],
        run_date=resolved["run_date"],
        input_prefix=resolved["input_prefix"],
        profile=resolved["profile"],
        config_location=resolved["config_location"],
        output_location=resolved["output_location"],
        quarantine_location=resolved["quarantine_location"],
        metrics_location=resolved["metrics_location"],
        state_location=resolved["state_location"],
        mapping_location=resolved["mapping_location"] or None,
        key_location=resolved["key_location"] or None,
        refit=_is_true(_optional(argv, "refit")),
        bookmark_option=_optional(argv, "job-bookmark-option") or ENABLE,
        run_id=_optional(argv, "JOB_RUN_ID"),
        environment=_optional(argv, "environment"),
        account_id=_optional(argv, "account_id"),
        artifact_digests=_digests(_optional(argv, "artifact_digests")),
        state_mac_key_arn=_optional(argv, "state_mac_key_arn"),
        tokenization_key_arn=_optional(argv, "tokenization_key_arn"),
    )


def glue_main(argv: Sequence[str]) -> None:
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
    from pyspark.context import SparkContext

    resolved = getResolvedOptions(list(argv), [*REQUIRED, *REQUIRED_ON_GLUE])
    args = job_arguments(resolved, argv)
    check_locations(args)  # before Spark starts: a refused run costs seconds, not a cluster start
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(args.job_name, resolved)
    run_job(glue_context.spark_session, args, allow_dev_key=False)
    job.commit()


def local_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Sentinel ETL job (local Spark, Glue argument names)")
    for name in REQUIRED:
        parser.add_argument(f"--{name}", required=name not in OPTIONAL_LOCATIONS)
    parser.add_argument("--refit", default="false")
    parser.add_argument("--job-bookmark-option", dest="bookmark_option", choices=OPTIONS, default=ENABLE)
    parser.add_argument("--JOB_RUN_ID")
    parser.add_argument("--environment", help="Environment dimension of the Sentinel/Pipeline metrics and root of the location policy")
    parser.add_argument("--account_id", help="account of the buckets (default: STS GetCallerIdentity)")
    parser.add_argument("--artifact_digests", help="JSON object: artifact URI -> SHA-256 the job checks")
    parser.add_argument("--state_mac_key_arn", help="KMS HMAC key sealing fitted state (default locally: a subkey of the dev key)")
    parser.add_argument("--tokenization_key_arn", help="KMS key the wrapped tokenization key is unwrapped with")
    return parser


def local_main(argv: Sequence[str]) -> None:
    from sentinel_etl.spark_session import local_spark_session

    # Like Glue's getResolvedOptions, ignore parameters the script does not read (Glue passes its own, too).
    parsed, ignored = local_parser().parse_known_args(list(argv[1:]))
    if ignored:
        logging.getLogger("sentinel_etl.glue_entry").warning(
            "ignoring job parameters the script does not read: %s", " ".join(a for a in ignored if a.startswith("--"))
        )
    resolved = {name: getattr(parsed, name) for name in REQUIRED}
    args = job_arguments(resolved, argv)
    check_locations(args)
    spark = local_spark_session(args.job_name)
    spark.sparkContext.setLogLevel("WARN")
    run_job(spark, args, allow_dev_key=True)


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        import awsglue  # noqa: F401  (only present on Glue)
    except ImportError:
        local_main(argv)
        return
    glue_main(argv)
