"""An outside consumer of the lineage records: the official OpenLineage Python client and the published
JSON Schemas, nothing of Sentinel's own code.

For every record under a folder: its size (managed consumers such as Amazon DataZone take at most
300,000 bytes per event), a parse into the client's own model (`openlineage.client.event_v2.RunEvent`,
every standard facet into its generated facet class, Sentinel's custom facets into the client's base
facet classes) and back with the client's `Serde`, which must give the record again (custom facets'
own fields aside); and each facet validated against its published schema (standard facets: the spec
folder given; custom facets: their schemas in handlers/lineage/facets).

argv: <records folder> <OpenLineage spec folder> <custom facet schema folder>
stdout: {"records": N, "problems": [...], "facets": {key: count}, "largest_bytes": N}
"""

from __future__ import annotations

import enum
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

import attr
from jsonschema import Draft202012Validator
from openlineage.client import event_v2
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    data_quality_metrics_input_dataset,
    dataset_version_dataset,
    error_message_run,
    job_type_job,
    nominal_time_run,
    output_statistics_output_dataset,
    parent_run,
    processing_engine_run,
    schema_dataset,
    source_code_location_job,
)
from openlineage.client.generated import base
from openlineage.client.serde import Serde
from referencing import Registry, Resource

MAX_EVENT_BYTES = 300_000

STANDARD_FACETS: dict[str, type] = {
    "parent": parent_run.ParentRunFacet,
    "nominalTime": nominal_time_run.NominalTimeRunFacet,
    "processing_engine": processing_engine_run.ProcessingEngineRunFacet,
    "errorMessage": error_message_run.ErrorMessageRunFacet,
    "jobType": job_type_job.JobTypeJobFacet,
    "sourceCodeLocation": source_code_location_job.SourceCodeLocationJobFacet,
    "schema": schema_dataset.SchemaDatasetFacet,
    "version": dataset_version_dataset.DatasetVersionDatasetFacet,
    "columnLineage": column_lineage_dataset.ColumnLineageDatasetFacet,
    "dataQualityMetrics": data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet,
    "outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet,
}


def structure(hint: Any, data: Any) -> Any:
    """`data` (parsed JSON) as an instance of the client's type `hint`."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return None if data is None else structure(options[0], data)
    if origin is list:
        return [structure(typing.get_args(hint)[0], item) for item in data]
    if origin is dict:
        return {key: structure(typing.get_args(hint)[1], value) for key, value in data.items()}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if attr.has(hint):
        hints = typing.get_type_hints(hint)
        values = {a.alias: structure(hints[a.name], data[a.name]) for a in attr.fields(hint) if a.init and a.name in data}
        return hint(**values)
    return data


def facets_of(kind: type, facets: dict[str, Any] | None) -> dict[str, Any] | None:
    if facets is None:
        return None
    return {key: structure(STANDARD_FACETS.get(key, kind), value) for key, value in facets.items()}


def parse(record: dict[str, Any]) -> event_v2.RunEvent:
    def dataset(cls: type, data: dict[str, Any], side_facets: str, side_kind: type) -> Any:
        extra = {side_facets: facets_of(side_kind, data.get(side_facets))} if side_facets in data else {}
        return cls(namespace=data["namespace"], name=data["name"], facets=facets_of(base.DatasetFacet, data.get("facets")), **extra)

    return event_v2.RunEvent(
        eventType=base.EventType(record["eventType"]),
        eventTime=record["eventTime"],
        producer=record["producer"],
        run=event_v2.Run(runId=record["run"]["runId"], facets=facets_of(base.RunFacet, record["run"].get("facets"))),
        job=event_v2.Job(
            namespace=record["job"]["namespace"], name=record["job"]["name"], facets=facets_of(base.JobFacet, record["job"].get("facets"))
        ),
        inputs=[dataset(event_v2.InputDataset, d, "inputFacets", base.InputDatasetFacet) for d in record["inputs"]],
        outputs=[dataset(event_v2.OutputDataset, d, "outputFacets", base.OutputDatasetFacet) for d in record["outputs"]],
    )


def comparable(record: Any) -> Any:
    """What the client's model can hold of a record: custom facets reduced to their `_producer` (a base
    facet class names its own `_schemaURL`), and no empty objects or lists (the model defaults absent
    facets to {} and absent nested schema fields to [])."""
    if isinstance(record, dict):
        out = {}
        for key, value in record.items():
            if key.startswith("sentinel_") and isinstance(value, dict):
                value = {"_producer": value.get("_producer")}
            value = comparable(value)
            if value not in ({}, []):
                out[key] = value
        return out
    if isinstance(record, list):
        return [comparable(item) for item in record]
    return record


def registry(spec: Path, custom: Path) -> tuple[Registry, dict[str, dict[str, Any]]]:
    documents = [
        json.loads(path.read_text("utf-8"))
        for path in [spec / "OpenLineage.json", *sorted((spec / "facets").glob("*.json")), *sorted(custom.glob("*.json"))]
    ]
    reg: Registry = Registry().with_resources((doc["$id"], Resource.from_contents(doc)) for doc in documents)
    by_facet = {key: doc for doc in documents if "$defs" in doc and "properties" in doc for key in doc["properties"]}
    return reg, by_facet


def facet_problems(record: dict[str, Any], reg: Registry, by_facet: dict[str, dict[str, Any]], where: str) -> list[str]:
    containers = [("run", record["run"].get("facets", {})), ("job", record["job"].get("facets", {}))]
    for side in ("inputs", "outputs"):
        for i, ds in enumerate(record[side]):
            containers += [
                (f"{side}[{i}]", ds.get("facets", {})),
                (f"{side}[{i}]", ds.get("inputFacets" if side == "inputs" else "outputFacets", {})),
            ]
    problems: list[str] = []
    for path, facets in containers:
        for key, facet in facets.items():
            schema = by_facet.get(key)
            if schema is None:
                problems.append(f"{where} {path}.{key}: no published schema")
                continue
            validator = Draft202012Validator(schema, registry=reg)
            problems += [f"{where} {path}.{key}: {error.message}" for error in validator.iter_errors({key: facet})]
    return problems


def main() -> None:
    folder, spec, custom = (Path(arg) for arg in sys.argv[1:4])
    reg, by_facet = registry(spec, custom)
    core = Draft202012Validator(json.loads((spec / "OpenLineage.json").read_text("utf-8")), registry=reg)
    problems: list[str] = []
    counts: dict[str, int] = {}
    largest = 0
    files = sorted(folder.rglob("*.json"))
    for file in files:
        where = str(file.relative_to(folder))
        raw = file.read_bytes()
        largest = max(largest, len(raw))
        if len(raw) > MAX_EVENT_BYTES:
            problems.append(f"{where}: {len(raw)} bytes, over {MAX_EVENT_BYTES}")
        record = json.loads(raw)
        problems += [f"{where}: {error.message}" for error in core.iter_errors(record)]
        problems += facet_problems(record, reg, by_facet, where)
        try:
            round_trip = Serde.to_dict(parse(record))
        except Exception as error:  # noqa: BLE001 - any failure of the client to hold the record is the finding
            problems.append(f"{where}: the client cannot parse it: {type(error).__name__}: {error}")
            continue
        round_trip, expected = comparable(round_trip), comparable(record)
        if round_trip != expected:
            differing = sorted(key for key in {*round_trip, *expected} if round_trip.get(key) != expected.get(key))
            problems.append(f"{where}: the client's model does not give the record back (differs in {differing})")
        for container in [record["run"].get("facets", {}), record["job"].get("facets", {})] + [
            ds.get(k, {}) for side in ("inputs", "outputs") for ds in record[side] for k in ("facets", "inputFacets", "outputFacets")
        ]:
            for key in container:
                counts[key] = counts.get(key, 0) + 1
    json.dump({"records": len(files), "problems": problems, "facets": dict(sorted(counts.items())), "largest_bytes": largest}, sys.stdout)


if __name__ == "__main__":
    main()
