"""Reading raw CSV input with an explicit schema: never inferred, every line accounted for.

Each file's header is read on the driver first, so a missing required column or an unreadable file
fails the job at once with a message naming the file (and column). Files are then read by Spark in
PERMISSIVE mode with every column as a string and the corrupt-record column captured: typing is the
validation stage's job, where a failed cast becomes a quarantine reason rather than a silent null.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sentinel_etl import storage
from sentinel_etl.config import JobConfig
from sentinel_etl.storage import StoredObject

CORRUPT_RECORD = "_corrupt_record"
SOURCE_FILE = "source_file"
ROW_KEY = "_row_key"
HEADER_PROBE_BYTES = 64 * 1024


class InputError(RuntimeError):
    """The input cannot be processed; the message names the file and, where it applies, the column."""


@dataclass(frozen=True)
class InputFile:
    """One input file with its header as read on the driver."""

    uri: str
    bytes: int
    fingerprint: str
    header: tuple[str, ...]
    extra_columns: tuple[str, ...] = ()


@dataclass
class RawInput:
    """The raw rows (all strings) plus what was learned about the files they came from."""

    frame: DataFrame
    files: list[InputFile] = field(default_factory=list)


def _split_header_line(line: str, config: JobConfig) -> list[str]:
    source = config.source
    return next(csv.reader([line], delimiter=source.delimiter, quotechar=source.quote))


def read_header(obj: StoredObject, config: JobConfig) -> InputFile:
    """Reads and checks one file's header; raises InputError naming the file and what is wrong."""
    expected = ", ".join(config.column_names)
    try:
        head = storage.read_head(obj.uri, HEADER_PROBE_BYTES)
    except OSError as exc:
        raise InputError(f"input file {obj.uri} cannot be read: {exc}") from exc
    if not head.strip():
        raise InputError(f"input file {obj.uri} is empty: expected a header line naming the columns ({expected})")
    newline = head.find(b"\n")
    if newline < 0 and len(head) == HEADER_PROBE_BYTES:
        raise InputError(f"input file {obj.uri}: no end of the header line in the first {HEADER_PROBE_BYTES} bytes")
    raw_line = head if newline < 0 else head[:newline]
    try:
        line = raw_line.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise InputError(f"input file {obj.uri}: header line is not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    header = tuple(name.strip() for name in _split_header_line(line, config))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InputError(f"input file {obj.uri}: header names columns more than once: {repeated}")
    missing = [rule.name for rule in config.columns if rule.required and rule.name not in header]
    if missing:
        raise InputError(
            f"input file {obj.uri} is missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (header: {', '.join(header)})"
        )
    declared = set(config.column_names)
    extra = tuple(name for name in header if name not in declared)
    return InputFile(obj.uri, obj.bytes, obj.fingerprint, header, extra)


def discover_inputs(input_uri: str, config: JobConfig) -> list[InputFile]:
    """Every data file under the input URI with its checked header; fails if there is none."""
    objects = storage.list_objects(input_uri)
    if not objects:
        raise InputError(f"no input files found at {input_uri}")
    return [read_header(obj, config) for obj in objects]


def _read_group(spark: SparkSession, uris: list[str], header: tuple[str, ...], config: JobConfig) -> DataFrame:
    schema = T.StructType(
        [T.StructField(name, T.StringType(), True) for name in header] + [T.StructField(CORRUPT_RECORD, T.StringType(), True)]
    )
    source = config.source
    return (
        spark.read.schema(schema)
        .option("header", True)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
        .option("encoding", "UTF-8")
        .option("sep", source.delimiter)
        .option("quote", source.quote)
        .option("escape", source.escape)
        .option("multiLine", False)
        .csv(uris)
    )


def read_raw(spark: SparkSession, files: list[InputFile], config: JobConfig) -> DataFrame:
    """Reads the files as strings with an explicit schema (one per distinct header layout).

    Writes the profile's columns (string; a declared column absent from a file is null),
    `_corrupt_record` (the raw line when it did not parse), `source_file` and `_row_key`
    (increasing within a file, used to keep the first of duplicate ids). Extra columns are dropped.
    """
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for f in files:
        groups[f.header].append(f.uri)
    frames = []
    for header, uris in groups.items():
        group = _read_group(spark, uris, header, config)
        columns = [F.col(name) if name in header else F.lit(None).cast("string").alias(name) for name in config.column_names]
        frames.append(group.select(*columns, F.col(CORRUPT_RECORD), F.input_file_name().alias(SOURCE_FILE)))
    raw = frames[0]
    for frame in frames[1:]:
        raw = raw.unionByName(frame)
    return raw.withColumn(ROW_KEY, F.monotonically_increasing_id())
