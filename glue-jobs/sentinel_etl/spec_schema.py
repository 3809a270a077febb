"""Config sections checked against their JSON Schemas (draft 2020-12), with the schemas' defaults applied.

The schema files in `sentinel_etl/schemas/` are the single source of each section's shape and
defaults: the job config schema `$ref`s them, and the `Spec.from_dict` parsers call `parse_section`.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator


class SpecError(ValueError):
    """A config section does not match its schema; the message names each offending field."""


@functools.cache
def section_schema(section: str) -> dict[str, Any]:
    # importlib.resources also works when the package ships to Glue as a zip (--extra-py-files).
    text = resources.files("sentinel_etl").joinpath("schemas", f"{section}.schema.json").read_text("utf-8")
    return json.loads(text)


def _with_defaults(schema: dict[str, Any], value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    filled = dict(value)
    for name, prop in schema.get("properties", {}).items():
        if name not in filled and "default" in prop:
            filled[name] = copy.deepcopy(prop["default"])
        if name in filled:
            filled[name] = _with_defaults(prop, filled[name])
    return filled


def parse_section(section: str, value: Any) -> dict[str, Any]:
    """Validates `value` as the `section` part of a job config and returns it with defaults filled in."""
    schema = section_schema(section)
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        problems = "; ".join(f"{'.'.join([section, *map(str, error.absolute_path)])}: {error.message}" for error in errors)
        raise SpecError(f"invalid {section} config: {problems}")
    return _with_defaults(schema, value)
