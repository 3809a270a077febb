"""The job config of one dataset profile: JSON checked against `schemas/job-config.schema.json`.

The schema `$ref`s the analytics sections' own schemas (binning, merchant, features, anomaly) by
relative URI; a `referencing.Registry` built from the package's schema folder resolves them, so the
job never fetches a schema over the network. Rules the schema cannot express (a tokenized column must
be a declared string column, and so on) are checked here, each with a message naming the field.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from sentinel_etl import storage

SCHEMA_BASE_URI = "https://schemas.sentinel.invalid/glue-jobs/"
JOB_CONFIG_SCHEMA = "job-config.schema.json"
PROFILES_DIR = Path(__file__).resolve().parents[1] / "config" / "profiles"

COLUMN_TYPES = {
    "string": "string",
    "integer": "bigint",
    "double": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}
TOKEN_METHODS = ("deterministic", "format_preserving", "deterministic_encrypt", "hash", "encrypt")
DIGITS = "0123456789"


class ConfigError(ValueError):
    """The job config is invalid; the message names every offending field."""


@dataclass(frozen=True)
class ColumnRule:
    """One declared input column and the validation rules applied to it."""

    name: str
    type: str
    required: bool = True
    nullable: bool = False
    unique: bool = False
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    allowed: tuple[str | int, ...] | None = None

    @property
    def spark_type(self) -> str:
        return COLUMN_TYPES[self.type]


@dataclass(frozen=True)
class TokenSpec:
    """How one PII column is tokenized."""

    column: str
    method: str
    keep_prefix: int = 0
    alphabet: str = DIGITS
    # format_preserving card numbers: tokens fail the Luhn check (see glue-jobs/jvm Ff1Token)
    fail_luhn: bool = False


@dataclass(frozen=True)
class SourceOptions:
    delimiter: str = ","
    quote: str = '"'
    escape: str = '"'


@dataclass(frozen=True)
class JobConfig:
    profile: str
    record_id_column: str
    columns: tuple[ColumnRule, ...]
    tokenization: tuple[TokenSpec, ...]
    source: SourceOptions
    binning: dict[str, Any]
    anomaly: dict[str, Any]
    merchant: dict[str, Any] | None
    features: dict[str, Any] | None
    raw: dict[str, Any]

    def column(self, name: str) -> ColumnRule:
        for rule in self.columns:
            if rule.name == name:
                return rule
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.columns)


def _schema_texts() -> dict[str, dict[str, Any]]:
    folder = resources.files("sentinel_etl").joinpath("schemas")
    return {entry.name: json.loads(entry.read_text("utf-8")) for entry in folder.iterdir() if entry.name.endswith(".schema.json")}


def schema_registry() -> Registry:
    """Every schema in the package, under the URI the job config's relative `$ref`s resolve to."""
    registry: Registry = Registry()
    for name, contents in _schema_texts().items():
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        registry = registry.with_resource(SCHEMA_BASE_URI + name, resource)
    return registry


def _schema_errors(document: Any) -> list[str]:
    schemas = _schema_texts()
    validator = Draft202012Validator(schemas[JOB_CONFIG_SCHEMA], registry=schema_registry())
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{error.json_path}: {error.message}" for error in errors]


def _with_defaults(schema_props: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    return {**{k: p["default"] for k, p in schema_props.items() if "default" in p}, **value}


def _semantic_errors(config: JobConfig) -> list[str]:
    errors: list[str] = []
    by_name = {rule.name: rule for rule in config.columns}
    repeated = sorted(name for name, n in Counter(r.name for r in config.columns).items() if n > 1)
    if repeated:
        errors.append(f"$.columns: column names declared more than once: {repeated}")
    record_id = by_name.get(config.record_id_column)
    if record_id is None:
        errors.append(f"$.record_id_column: {config.record_id_column!r} is not a declared column")
    elif not record_id.unique or record_id.nullable:
        errors.append(f"$.record_id_column: {record_id.name!r} must be declared unique: true and nullable: false")
    for i, rule in enumerate(config.columns):
        where = f"$.columns[{i}] ({rule.name})"
        numeric = rule.type in ("integer", "double")
        if (rule.min is not None or rule.max is not None) and not numeric:
            errors.append(f"{where}: min/max only apply to integer and double columns")
        if rule.min is not None and rule.max is not None and rule.min > rule.max:
            errors.append(f"{where}: min {rule.min} is greater than max {rule.max}")
        if rule.pattern is not None:
            if rule.type != "string":
                errors.append(f"{where}: pattern only applies to string columns")
            try:
                re.compile(rule.pattern)
            except re.error as exc:
                errors.append(f"{where}: pattern is not a valid regular expression ({exc})")
        if rule.allowed is not None and rule.type not in ("string", "integer"):
            errors.append(f"{where}: allowed only applies to string and integer columns")
    tokenized: set[str] = set()
    for i, token in enumerate(config.tokenization):
        where = f"$.tokenization[{i}] ({token.column})"
        declared = by_name.get(token.column)
        if declared is None:
            errors.append(f"{where}: not a declared column")
        elif declared.type != "string":
            errors.append(f"{where}: only string columns can be tokenized, this one is {declared.type}")
        if token.column in tokenized:
            errors.append(f"{where}: column tokenized twice")
        tokenized.add(token.column)
        if len(set(token.alphabet)) != len(token.alphabet):
            errors.append(f"{where}: alphabet has repeated characters")
    for section, key in (("binning", "column"), ("merchant", "column")):
        body = getattr(config, section)
        if body is not None and body.get(key) is not None and body[key] not in by_name:
            errors.append(f"$.{section}.{key}: {body[key]!r} is not a declared column")
    if config.features is not None:
        for key in ("customer_column", "timestamp_column"):
            name = config.features.get(key)
            if name is not None and name not in by_name:
                errors.append(f"$.features.{key}: {name!r} is not a declared column")
    return errors


def _parse(document: dict[str, Any]) -> JobConfig:
    schema = _schema_texts()[JOB_CONFIG_SCHEMA]
    column_props = schema["$defs"]["column"]["properties"]
    token_props = schema["$defs"]["tokenizedColumn"]["properties"]
    source_props = schema["properties"]["source"]["properties"]
    columns = []
    for raw_column in document["columns"]:
        c = _with_defaults(column_props, raw_column)
        columns.append(
            ColumnRule(
                name=c["name"],
                type=c["type"],
                required=c["required"],
                nullable=c["nullable"],
                unique=c["unique"],
                min=c.get("min"),
                max=c.get("max"),
                pattern=c.get("pattern"),
                allowed=tuple(c["allowed"]) if "allowed" in c else None,
            )
        )
    tokens = []
    for raw_token in document["tokenization"]:
        t = _with_defaults(token_props, raw_token)
        alphabet = DIGITS if t["alphabet"] == "digits" else t["alphabet"]
        tokens.append(
            TokenSpec(column=t["column"], method=t["method"], keep_prefix=t["keep_prefix"], alphabet=alphabet, fail_luhn=t["fail_luhn"])
        )
    source = _with_defaults(source_props, document.get("source", {}))
    return JobConfig(
        profile=document["profile"],
        record_id_column=document["record_id_column"],
        columns=tuple(columns),
        tokenization=tuple(tokens),
        source=SourceOptions(delimiter=source["delimiter"], quote=source["quote"], escape=source["escape"]),
        binning=document["binning"],
        anomaly=document["anomaly"],
        merchant=document.get("merchant"),
        features=document.get("features"),
        raw=document,
    )


def parse_config(document: Any, origin: str = "job config") -> JobConfig:
    """Validates a config document (schema, then cross-field rules) and returns it typed."""
    errors = _schema_errors(document)
    if errors:
        raise ConfigError(f"{origin} is invalid:\n  " + "\n  ".join(errors))
    config = _parse(document)
    errors = _semantic_errors(config)
    if errors:
        raise ConfigError(f"{origin} is invalid:\n  " + "\n  ".join(errors))
    return config


def load_config(uri: str) -> JobConfig:
    """Reads and validates the config at a local path or S3 URI."""
    return parse_config(storage.load_json(uri, "job config", ConfigError), origin=uri)


def profile_path(profile: str) -> str:
    """The shipped config file of a named profile (card-transactions, baf)."""
    path = PROFILES_DIR / f"{profile}.json"
    if not path.exists():
        known = sorted(p.stem for p in PROFILES_DIR.glob("*.json"))
        raise ConfigError(f"unknown profile {profile!r}; known profiles: {known}")
    return str(path)
