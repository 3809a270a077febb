"""One ETL run, end to end: the same code behind the Glue entry point and the local `etl` CLI.

    discover pending input (bookmark) -> check headers (fail fast) -> validate -> fit/load state
    -> transform -> write both tiers to run-scoped staging -> verify rows_in = rows_out + rows_quarantined
    -> publish -> record the bookmark -> write run-metrics.json

Nothing is published and the bookmark is not advanced unless every step succeeded; a failed run
still writes run metrics with status FAILED and the error, for the lineage record.

Trust boundaries, checked before a row is read (docs/security-model.md, "Runtime trust boundaries"):
every location argument must be where `location_policy` derives it from the non-overridable
`--environment` and account and the run's `--profile` (a refused run writes nothing anywhere but, when
the metrics location itself is allowed, its FAILED metrics); the config and mapping bytes the job parses
must have the SHA-256 the deployment recorded (`--artifact_digests`); fitted state and the bookmark are
sealed with the KMS HMAC key `--state_mac_key_arn`; the wrapped key is unwrapped only with
`--tokenization_key_arn` and the context {profile, key_version}.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from sentinel_etl import column_lineage, fitted_state, pipeline_metrics, storage
from sentinel_etl.bookmarks import ENABLE, InputBookmark
from sentinel_etl.config import ConfigError, JobConfig, parse_config
from sentinel_etl.ingest import InputFile, read_header
from sentinel_etl.keys import DEFAULT_DEV_KEY_PATH, Keyring, WrappingKey, dev_keyring, load_keyring
from sentinel_etl.location_policy import LocationRefusedError, RunScope
from sentinel_etl.output import StagedTier
from sentinel_etl.pipeline import AnalyticsSpecs, CheckedInput, check_input, process, with_run_columns

log = logging.getLogger("sentinel_etl.job")

METRICS_FILE = "run-metrics.json"
GLUE_JOBS_DIR = Path(__file__).resolve().parents[1]
_RUN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ConservationError(RuntimeError):
    """Rows were lost or invented between input and output; nothing is published."""


class ArtifactDigestError(RuntimeError):
    """An artifact the job parses is not the one the deployment recorded (or is not recorded at all)."""


@dataclass(frozen=True)
class JobArguments:
    """The job's parameters; on Glue they arrive as `--name value` job arguments (no secrets)."""

    job_name: str
    run_date: str
    input_prefix: str
    profile: str
    config_location: str
    output_location: str
    quarantine_location: str
    metrics_location: str
    state_location: str
    mapping_location: str | None = None
    key_location: str | None = None
    refit: bool = False
    bookmark_option: str = ENABLE
    run_id: str | None = None
    #: Environment dimension of the published CloudWatch metrics, and with the account the root of the
    #: location policy; None (local CLI, benchmarks, tests on local paths) publishes and enforces nothing.
    environment: str | None = None
    #: The account the buckets belong to (non-overridable `--account_id`; STS GetCallerIdentity when absent).
    account_id: str | None = None
    #: URI -> SHA-256 of the deployed artifacts (non-overridable `--artifact_digests`).
    artifact_digests: dict[str, str] | None = None
    #: KMS HMAC key sealing fitted state (non-overridable `--state_mac_key_arn`).
    state_mac_key_arn: str | None = None
    #: KMS key the wrapped tokenization key is unwrapped with (non-overridable `--tokenization_key_arn`).
    tokenization_key_arn: str | None = None

    def locations(self) -> dict[str, str | None]:
        """Every location argument by its job-argument name (location_policy.LOCATION_RULES)."""
        return {
            "input_prefix": self.input_prefix,
            "config_location": self.config_location,
            "output_location": self.output_location,
            "quarantine_location": self.quarantine_location,
            "metrics_location": self.metrics_location,
            "state_location": self.state_location,
            "mapping_location": self.mapping_location,
            "key_location": self.key_location,
        }

    def __post_init__(self) -> None:
        if not _RUN_DATE.match(self.run_date):
            raise ValueError(f"--run_date must be YYYY-MM-DD, got {self.run_date!r}")
        date.fromisoformat(self.run_date)


@dataclass
class Stopwatch:
    timings: dict[str, float] = field(default_factory=dict)
    _start: float = field(default_factory=time.perf_counter)
    _lap: float = field(default_factory=time.perf_counter)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._lap, 3)
        self._lap = now

    def total(self) -> dict[str, float]:
        return {**self.timings, "total": round(time.perf_counter() - self._start, 3)}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_run_id(job_name: str) -> str:
    return f"{job_name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def resolve_local(uri: str) -> str:
    """A relative local path in a config (e.g. the mapping file) is relative to the glue-jobs folder."""
    if storage.is_s3(uri) or Path(uri).is_absolute():
        return uri
    return str(GLUE_JOBS_DIR / uri)


def _local_wrapping_key(args: JobArguments) -> WrappingKey | None:
    """Local runs only, until the local stack passes --tokenization_key_arn: the key the file names. Never
    on Glue, where the file must not choose its own key (glue_entry runs with allow_dev_key=False)."""
    document = storage.read_json(args.key_location) if args.key_location else None
    named = document.get("kms_key_arn") if isinstance(document, dict) else None
    if not isinstance(named, str):
        return None
    log.warning(
        "local run without --tokenization_key_arn: unwrapping %s with the key it names (%s); Glue runs refuse this",
        args.key_location,
        named,
    )
    return WrappingKey(named, args.profile)


def _keyring(args: JobArguments, allow_dev_key: bool) -> Keyring:
    if args.key_location is not None:
        if args.tokenization_key_arn is not None:
            wrapping: WrappingKey | None = WrappingKey(args.tokenization_key_arn, args.profile)
        else:
            wrapping = _local_wrapping_key(args) if allow_dev_key else None
        return load_keyring(args.key_location, allow_dev_key=allow_dev_key, wrapping=wrapping)
    if not allow_dev_key:
        raise ValueError("--key_location is required: this run needs the KMS-wrapped tokenization key")
    return dev_keyring(DEFAULT_DEV_KEY_PATH)


def _caller_account() -> str:
    import boto3

    return str(boto3.client("sts").get_caller_identity()["Account"])


def run_scope(args: JobArguments) -> RunScope | None:
    """What the run's locations are checked against; None when no environment is given (local paths)."""
    if args.environment is None:
        return None
    return RunScope(args.environment, args.account_id or _caller_account(), args.profile, args.run_date)


def verified_bytes(args: JobArguments, argument: str, uri: str) -> bytes:
    """The object's bytes, checked against the deployment's digest when the run has digests."""
    data = storage.read_bytes(uri)
    if data is None:
        raise FileNotFoundError(f"--{argument} {uri} does not exist")
    if args.artifact_digests is None:
        return data
    expected = args.artifact_digests.get(uri)
    if expected is None:
        raise ArtifactDigestError(f"--{argument} {uri} is not one of the deployed artifacts in --artifact_digests: refusing to use it")
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ArtifactDigestError(
            f"--{argument} {uri} has SHA-256 {actual}, but the deployment recorded {expected}: it was replaced after deployment"
        )
    return data


def _state_authenticator(args: JobArguments, keyring: Keyring, allow_dev_key: bool) -> fitted_state.StateAuthenticator:
    if args.state_mac_key_arn is not None:
        return fitted_state.KmsStateMac(args.state_mac_key_arn)
    if not allow_dev_key:
        raise ValueError("--state_mac_key_arn is required: fitted state is authenticated with the KMS HMAC key")
    return fitted_state.LocalStateMac(keyring.subkey("fitted-state/mac"), key_id=f"local:{keyring.key_version}")


def _refuse_locations(args: JobArguments, scope: RunScope, metrics: dict[str, Any], watch: Stopwatch) -> None:
    """Raises LocationRefusedError before anything is read or written. The FAILED metrics go to the metrics
    location only when that location itself is allowed; otherwise nothing at all is written."""
    try:
        scope.check_all(args.locations())
    except LocationRefusedError as refused:
        log.error("security: refused location %s=%s (allowed: %s)", refused.argument, refused.given, refused.allowed)
        try:
            scope.check("metrics_location", args.metrics_location)
        except LocationRefusedError:
            raise refused from None
        metrics.update(status="FAILED", completed_at=_now(), timings_seconds=watch.total())
        metrics["error"] = {
            "type": type(refused).__name__,
            "message": str(refused),
            "reason": "location_refused",
            "argument": f"--{refused.argument}",
        }
        storage.write_json(storage.join(args.metrics_location, METRICS_FILE), metrics)
        raise


def check_locations(
    args: JobArguments, run_id: str | None = None, metrics: dict[str, Any] | None = None, watch: Stopwatch | None = None
) -> None:
    """Refuses the run (LocationRefusedError) when a location is outside what its scope allows; no-op
    without --environment. glue_entry calls it before the Spark session starts, run_job again (cheap)."""
    scope = run_scope(args)
    if scope is None:
        return
    run_id = run_id or args.run_id or new_run_id(args.job_name)
    watch = watch or Stopwatch()
    _refuse_locations(args, scope, metrics if metrics is not None else _base_metrics(args, run_id, _now()), watch)


def _base_metrics(args: JobArguments, run_id: str, started_at: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "job_name": args.job_name,
        "profile": args.profile,
        "run_date": args.run_date,
        "status": "RUNNING",
        "started_at": started_at,
        "completed_at": None,
        "refit": args.refit,
        "config": {"location": args.config_location},
        "input": {"paths": [args.input_prefix], "files": []},
        "rows_in": 0,
        "rows_out": 0,
        "rows_quarantined": 0,
        "quarantine_reasons": {},
        "anomalies_flagged": 0,
        "tokenized_columns": {},
        "key_version": None,
        "bin_edges": None,
        "merchant_mapping": None,
        "model": None,
        "output": {
            "processed_path": args.output_location,
            "quarantine_path": args.quarantine_location,
            "partitions": [],
            "quarantine_partitions": [],
        },
        "processed_schema": [],
        "timings_seconds": {},
    }


def _input_metrics(files: list[InputFile], skipped: int, bookmark: InputBookmark) -> dict[str, Any]:
    return {
        "files": [{"path": f.uri, "bytes": f.bytes} for f in files],
        "files_skipped_by_bookmark": skipped,
        "ignored_columns": {f.uri: list(f.extra_columns) for f in files if f.extra_columns},
        "bookmark": {"option": bookmark.option, "uri": bookmark.uri},
    }


def _run(
    spark: SparkSession,
    args: JobArguments,
    config: JobConfig,
    keyring: Keyring,
    metrics: dict[str, Any],
    watch: Stopwatch,
    tiers: tuple[StagedTier, StagedTier],
) -> None:
    processed_tier, quarantine_tier = tiers
    bookmark = InputBookmark(args.state_location, args.job_name, args.bookmark_option)
    listed = storage.list_objects(args.input_prefix)
    if not listed:
        raise FileNotFoundError(f"no input files found at {args.input_prefix}")
    pending = bookmark.pending(listed)
    files = [read_header(obj, config) for obj in pending]
    metrics["input"].update(_input_metrics(files, len(listed) - len(pending), bookmark))
    for f in files:
        if f.extra_columns:
            log.warning("%s: ignoring columns not in the %s profile: %s", f.uri, config.profile, ", ".join(f.extra_columns))
    watch.lap("discover")
    if not files:
        log.info("no new input under %s since the last run (bookmark %s)", args.input_prefix, bookmark.uri)
        return

    specs = AnalyticsSpecs.from_config(
        config, args.mapping_location or (resolve_local(config.merchant["mapping_uri"]) if config.merchant else None)
    )
    checked: CheckedInput = check_input(spark, files, config)
    try:
        rows_in, reasons = checked.verdict_counts()
        rows_valid = rows_in - sum(reasons.values())
        watch.lap("validate")
        if rows_valid > 0:
            processed, state = process(
                checked, specs, args.state_location, args.refit, keyring, metrics["run_id"], args.run_date, rows_valid
            )
            metrics.update(state.to_metrics())
            parsed = (metrics.get("merchant_mapping") or {}).get("mapping", {}).get("sha256")
            if parsed is not None and parsed != metrics.get("merchant_mapping_sha256"):
                mapping_uri = specs.merchant.mapping_uri if specs.merchant is not None else args.mapping_location
                raise ArtifactDigestError(
                    f"merchant mapping {mapping_uri} changed while the run read it "
                    f"(checked {metrics.get('merchant_mapping_sha256')}, parsed {parsed}); nothing was published"
                )
            watch.lap("fit_state")
            processed_tier.write(processed)
        if reasons:
            quarantine_tier.write(checked.quarantined().transform(with_run_columns, metrics["run_id"], args.run_date))
        watch.lap("transform_and_write")
    finally:
        checked.release()

    rows_out = processed_tier.staged_rows()
    rows_quarantined = quarantine_tier.staged_rows()
    if rows_in != rows_out + rows_quarantined or sum(reasons.values()) != rows_quarantined:
        raise ConservationError(
            f"rows_in {rows_in} != rows_out {rows_out} + rows_quarantined {rows_quarantined} "
            f"(quarantine reasons count {sum(reasons.values())}); nothing was published"
        )
    staged = processed_tier.staged_frame()
    if staged is not None:
        metrics["processed_schema"] = [{"name": f.name, "type": f.dataType.simpleString()} for f in staged.schema.fields]
        column_lineage.check_written(metrics["column_lineage"], "processed", staged.columns)
        metrics["anomalies_flagged"] = staged.where(F.col("is_anomaly")).count()
    if (quarantined := quarantine_tier.staged_frame()) is not None:
        column_lineage.check_written(metrics["column_lineage"], "quarantine", quarantined.columns)
    metrics.update(rows_in=rows_in, rows_out=rows_out, rows_quarantined=rows_quarantined, quarantine_reasons=reasons)
    watch.lap("verify")

    metrics["output"]["partitions"] = processed_tier.publish()
    metrics["output"]["quarantine_partitions"] = quarantine_tier.publish()
    bookmark.record(pending, metrics["run_id"])
    watch.lap("publish")


def tune_session(spark: SparkSession) -> None:
    """Session settings the job's plans need, on Glue and locally alike.

    `spark.sql.codegen.hugeMethodLimit` 8000: the validation stage compiles ~26 rules over ~17 columns
    into one generated method. Spark's default limit (65535 bytes) keeps whole-stage code generation for
    such a method, but HotSpot does not JIT-compile methods over 8000 bytes of bytecode, so the rules ran
    interpreted; at 8000 Spark splits the stage instead. Measured on 1M card rows: verdicts 14.2 s -> 8.5 s.
    """
    spark.conf.set("spark.sql.codegen.hugeMethodLimit", "8000")


def run_job(spark: SparkSession, args: JobArguments, allow_dev_key: bool) -> dict[str, Any]:
    """Runs the job and writes `<metrics_location>/run-metrics.json`; returns the metrics.

    Raises on any failure after writing the metrics with status FAILED (the error message never holds
    key material: key errors are raised by `keys`, which never formats key bytes).
    """
    run_id = args.run_id or new_run_id(args.job_name)
    tune_session(spark)
    metrics = _base_metrics(args, run_id, _now())
    watch = Stopwatch()
    # On Glue, glue_entry requires --environment and --artifact_digests (REQUIRED_ON_GLUE), so both checks run.
    check_locations(args, run_id, metrics, watch)
    tiers = (StagedTier(spark, args.output_location, run_id), StagedTier(spark, args.quarantine_location, run_id))
    metrics_uri = storage.join(args.metrics_location, METRICS_FILE)
    try:
        config_bytes = verified_bytes(args, "config_location", args.config_location)
        try:
            config = parse_config(json.loads(config_bytes.decode("utf-8")), origin=args.config_location)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"job config {args.config_location} is not valid UTF-8 JSON: {exc}") from exc
        if config.profile != args.profile:
            raise ValueError(f"--profile {args.profile!r} does not match the config's profile {config.profile!r}")
        metrics["config"]["sha256"] = hashlib.sha256(config_bytes).hexdigest()
        mapping_uri = args.mapping_location or (resolve_local(config.merchant["mapping_uri"]) if config.merchant else None)
        if mapping_uri is not None:
            # Checked here, before the mapping shapes any fitted state; merchant.load_mapping records the
            # digest of what it parsed, which _run compares with this one before publishing.
            metrics["merchant_mapping_sha256"] = hashlib.sha256(verified_bytes(args, "mapping_location", mapping_uri)).hexdigest()
        keyring = _keyring(args, allow_dev_key)
        metrics["key_version"] = keyring.key_version
        metrics["tokenized_columns"] = {t.column: t.method for t in config.tokenization}
        metrics["column_lineage"] = column_lineage.plan(config, keyring.key_version)
        authenticator = _state_authenticator(args, keyring, allow_dev_key)
        metrics["state_mac_key"] = authenticator.key_id
        with fitted_state.authenticated_by(authenticator):
            _run(spark, args, config, keyring, metrics, watch, tiers)
    except BaseException as failure:
        for tier in tiers:
            try:
                tier.discard()
            except Exception:  # the original failure matters more than cleanup trouble
                log.exception("could not discard staging under %s", tier.location)
        metrics.update(status="FAILED", completed_at=_now(), timings_seconds=watch.total())
        metrics["error"] = {"type": type(failure).__name__, "message": str(failure)}
        try:
            storage.write_json(metrics_uri, metrics)
        except Exception:
            log.exception("could not write failure metrics to %s", metrics_uri)
        raise
    metrics.update(status="SUCCEEDED", completed_at=_now(), timings_seconds=watch.total())
    if args.environment is not None:
        metrics["cloudwatch"] = pipeline_metrics.publish(metrics, args.environment, datetime.now(UTC))
    storage.write_json(metrics_uri, metrics)
    log.info(
        "run %s: rows_in=%d rows_out=%d rows_quarantined=%d", run_id, metrics["rows_in"], metrics["rows_out"], metrics["rows_quarantined"]
    )
    return metrics
