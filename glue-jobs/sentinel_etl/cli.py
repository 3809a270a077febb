"""Local command line: `python -m sentinel_etl.cli <command>` (npm scripts `generate` and `etl`).

    generate   --profile <p> --rows <n> --seed <s> --output <file.csv> [--defect-rate <r>]
    etl        --profile <p> --input <csv or dir> --output <dir> [--state <dir>] [--run-date YYYY-MM-DD]
               [--key-location <key.json>] [--mapping <csv>] [--refit] [--job-bookmark-option ...]
    load       --dataset baf|kaggle-card-fraud --source <real file> --output <file.csv>
    reidentify --profile <p> --input <processed dir> --columns <c1,c2> --output <file.csv> [--key-location ...]

`etl` writes <dir>/processed/ (Parquet by ingestion_date), <dir>/quarantine/ and <dir>/run-metrics.json;
fitted state and the bookmark default to <dir>/state/, so a second run over the same input processes
no rows. Without --key-location the local development key (.sentinel/dev-key.json) is used.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from sentinel_etl.bookmarks import ENABLE, OPTIONS


class FolderLocations(TypedDict):
    """The location arguments of a run that keeps everything under one folder."""

    output_location: str
    quarantine_location: str
    metrics_location: str
    state_location: str


def folder_locations(folder: Path) -> FolderLocations:
    """Where `etl --output <folder>` puts a run: processed/, quarantine/, run-metrics.json and state/. The
    benchmarks and the tools that run the job locally lay their runs out the same way."""
    return {
        "output_location": str(folder / "processed"),
        "quarantine_location": str(folder / "quarantine"),
        "metrics_location": str(folder),
        "state_location": str(folder / "state"),
    }


class CliError(RuntimeError):
    """A user-facing failure: printed without a traceback, exit status 1."""


def _known_errors() -> tuple[type[BaseException], ...]:
    from sentinel_etl.config import ConfigError
    from sentinel_etl.fitted_state import FittedStateError
    from sentinel_etl.ingest import InputError
    from sentinel_etl.job import ConservationError
    from sentinel_etl.keys import KeyMaterialError
    from sentinel_etl.loaders import LoaderError

    # ValueError covers bad arguments and the analytics modules' spec errors (SpecError, MappingError).
    return (
        CliError,
        ConfigError,
        InputError,
        ConservationError,
        KeyMaterialError,
        LoaderError,
        FittedStateError,
        FileNotFoundError,
        ValueError,
    )


def cmd_generate(a: argparse.Namespace) -> None:
    from sentinel_etl.config import load_config, profile_path
    from sentinel_etl.generator import generate, plant_defects, write_csv

    frame = generate(a.profile, a.rows, a.seed)
    if a.defect_rate:
        frame = plant_defects(frame, load_config(profile_path(a.profile)), a.defect_rate, a.seed)
    write_csv(frame, a.output)
    print(f"wrote {len(frame)} {a.profile} rows (seed {a.seed}) to {a.output}")


def _spark(name: str):
    from sentinel_etl.spark_session import local_spark_session

    spark = local_spark_session(name)
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def cmd_etl(a: argparse.Namespace) -> None:
    from sentinel_etl.config import profile_path
    from sentinel_etl.job import JobArguments, run_job

    if not Path(a.input).exists():
        raise CliError(f"input not found: {a.input}")
    out = Path(a.output).resolve()
    locations = folder_locations(out)
    if a.state:
        locations["state_location"] = str(Path(a.state).resolve())
    args = JobArguments(
        job_name=f"sentinel-etl-{a.profile}",
        run_date=a.run_date,
        input_prefix=str(Path(a.input).resolve()),
        profile=a.profile,
        config_location=a.config or profile_path(a.profile),
        **locations,
        mapping_location=a.mapping,
        key_location=a.key_location,
        refit=a.refit,
        bookmark_option=a.job_bookmark_option,
    )
    metrics = run_job(_spark(args.job_name), args, allow_dev_key=True)
    summary = {k: metrics[k] for k in ("run_id", "status", "rows_in", "rows_out", "rows_quarantined", "quarantine_reasons")}
    print(json.dumps(summary, indent=2))
    print(f"run metrics: {out / 'run-metrics.json'}")


def cmd_load(a: argparse.Namespace) -> None:
    from sentinel_etl.loaders import LOADERS

    rows = LOADERS[a.dataset](Path(a.source), Path(a.output))
    print(f"wrote {rows} rows from {a.source} to {a.output}")


def cmd_reidentify(a: argparse.Namespace) -> None:
    from sentinel_etl.config import load_config, profile_path
    from sentinel_etl.keys import dev_keyring, load_keyring
    from sentinel_etl.tokenization.tokenize import reidentify

    config = load_config(a.config or profile_path(a.profile))
    wanted = [c.strip() for c in a.columns.split(",") if c.strip()]
    specs = tuple(t for t in config.tokenization if t.column in wanted)
    unknown = sorted(set(wanted) - {t.column for t in specs})
    if unknown:
        raise CliError(f"columns {unknown} are not tokenized in the {a.profile} profile")
    keyring = load_keyring(a.key_location, allow_dev_key=True) if a.key_location else dev_keyring()
    spark = _spark("sentinel-reidentify")
    frame = spark.read.parquet(a.input)
    plain = reidentify(frame.select(config.record_id_column, *wanted), specs, keyring)
    plain.toPandas().to_csv(a.output, index=False)  # type: ignore[attr-defined]  # pyspark types toPandas() as a protocol without pandas stubs
    logging.getLogger("sentinel_etl.reidentify").warning(
        "re-identified %s of %s into %s: this file holds PII", ", ".join(wanted), a.input, a.output
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="sentinel_etl.cli", description="Sentinel ETL: synthetic data and local runs")
    commands = root.add_subparsers(dest="command", required=True)

    g = commands.add_parser("generate", help="write seeded synthetic raw CSV for a profile")
    g.add_argument("--profile", required=True, choices=["card-transactions", "baf"])
    g.add_argument("--rows", required=True, type=int)
    g.add_argument("--seed", required=True, type=int)
    g.add_argument("--output", required=True)
    g.add_argument("--defect-rate", type=float, default=0.0, help="share of rows given one quarantinable defect")
    g.set_defaults(run=cmd_generate)

    e = commands.add_parser("etl", help="run the ETL job on local Spark")
    e.add_argument("--profile", required=True)
    e.add_argument("--input", required=True, help="a CSV file or a folder of them")
    e.add_argument("--output", required=True, help="folder for processed/, quarantine/ and run-metrics.json")
    e.add_argument("--state", help="fitted state and bookmark folder (default <output>/state)")
    e.add_argument("--run-date", default=datetime.now(UTC).date().isoformat(), help="ingestion date, YYYY-MM-DD")
    e.add_argument("--config", help="job config file (default: the shipped profile)")
    e.add_argument("--mapping", help="merchant mapping CSV (default: the profile's mapping_uri)")
    e.add_argument("--key-location", help="wrapped or development key file (default: .sentinel/dev-key.json)")
    e.add_argument("--refit", action="store_true", help="refit bin edges, category codes and the model")
    e.add_argument("--job-bookmark-option", choices=OPTIONS, default=ENABLE)
    e.set_defaults(run=cmd_etl)

    ld = commands.add_parser("load", help="convert a real BAF or Kaggle card-fraud file to a profile's raw CSV")
    ld.add_argument("--dataset", required=True, choices=["baf", "kaggle-card-fraud"])
    ld.add_argument("--source", required=True)
    ld.add_argument("--output", required=True)
    ld.set_defaults(run=cmd_load)

    r = commands.add_parser("reidentify", help="authorised re-identification of encrypt/format_preserving columns")
    r.add_argument("--profile", required=True)
    r.add_argument("--input", required=True, help="processed Parquet folder or file")
    r.add_argument("--columns", required=True, help="comma-separated tokenized columns to reverse")
    r.add_argument("--output", required=True)
    r.add_argument("--config")
    r.add_argument("--key-location")
    r.set_defaults(run=cmd_reidentify)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except _known_errors() as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
