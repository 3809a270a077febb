"""Runs the guides' SQL examples in DuckDB over the records and Parquet of a local run, through the same
table declarations Athena reads (the Glue Catalog's run_events columns and the processed Parquet).

DuckDB stands in for Athena: the lineage records are read with the declared column types, struct field
names matched case-insensitively as the OpenX JSON SerDe does (`case.insensitive`), a JSON object in a
column declared `string` kept as its JSON text, and the partition columns `lineage_namespace` and
`job_name` taken from each record's key. One Athena function behaves differently in DuckDB and is
defined with Athena's meaning: `element_at(map, key)` returns the value (DuckDB's returns a list);
`cardinality(array)` counts elements (DuckDB's takes maps only); one Athena function DuckDB lacks is
defined: `from_iso8601_timestamp`.

stdin: {"lineage_dir", "processed_dir", "record_fields", "queries": [sql, ...]}
stdout: [{"columns": [...], "rows": [[...], ...]} | {"error": "..."}, ...]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb


def duckdb_type(declared: Any) -> str:
    if isinstance(declared, str):
        return {"string": "VARCHAR", "bigint": "BIGINT", "double": "DOUBLE", "boolean": "BOOLEAN"}[declared]
    if "array" in declared:
        return f"{duckdb_type(declared['array'])}[]"
    if "map" in declared:
        return f"MAP(VARCHAR, {duckdb_type(declared['map'])})"
    fields = ", ".join(f'"{name}" {duckdb_type(field)}' for name, field in declared["struct"].items())
    return f"STRUCT({fields})"


def as_declared(value: Any, declared: Any) -> Any:
    """The value as the SerDe hands it to Athena: struct keys matched in lower case, undeclared ones dropped."""
    if value is None:
        return None
    if isinstance(declared, str):
        return json.dumps(value) if declared == "string" and isinstance(value, (dict, list)) else value
    if "array" in declared:
        return [as_declared(item, declared["array"]) for item in value]
    if "map" in declared:
        return {key: as_declared(item, declared["map"]) for key, item in value.items()}
    lowered = {key.lower(): item for key, item in value.items()}
    return {name: as_declared(lowered.get(name), field) for name, field in declared["struct"].items()}


def main() -> None:
    request = json.load(sys.stdin)
    fields = request["record_fields"]
    lineage = Path(request["lineage_dir"])
    with tempfile.TemporaryDirectory() as scratch:
        rows = Path(scratch) / "run_events.ndjson"
        with rows.open("w", encoding="utf-8") as out:
            for record in sorted(lineage.rglob("*.json")):
                namespace, job = record.relative_to(lineage).parts[:2]
                row = as_declared(json.loads(record.read_text("utf-8")), {"struct": fields})
                out.write(json.dumps({**row, "lineage_namespace": namespace, "job_name": job}) + "\n")
        columns = {name: duckdb_type(declared) for name, declared in fields.items()}
        columns.update(lineage_namespace="VARCHAR", job_name="VARCHAR")
        db = duckdb.connect()
        db.execute("CREATE MACRO element_at(m, k) AS m[k][1]")
        db.execute("CREATE MACRO cardinality(items) AS len(items)")
        db.execute("CREATE MACRO from_iso8601_timestamp(text) AS CAST(text AS TIMESTAMPTZ)")
        db.execute("CREATE SCHEMA sentinel_local_lineage")
        column_types = ", ".join(f"'{name}': '{declared}'" for name, declared in columns.items())
        db.execute(
            f"CREATE VIEW sentinel_local_lineage.run_events AS SELECT * FROM read_json('{rows}', format = 'newline_delimited', columns = {{{column_types}}})"
        )
        db.execute("CREATE SCHEMA sentinel_local_processed")
        db.execute(
            "CREATE VIEW sentinel_local_processed.card_transactions AS SELECT * FROM read_parquet("
            f"'{request['processed_dir']}/*/*.parquet', hive_partitioning = true, hive_types = {{'ingestion_date': 'DATE'}})"
        )
        results = []
        for sql in request["queries"]:
            try:
                cursor = db.execute(sql)
                results.append(
                    {
                        "columns": [column[0] for column in cursor.description],
                        "rows": [[cell(value) for value in row] for row in cursor.fetchall()],
                    }
                )
            except duckdb.Error as error:
                results.append({"error": str(error)})
        json.dump(results, sys.stdout)


def cell(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [cell(item) for item in value]
    if isinstance(value, float):
        return round(value, 6)
    return str(value)


if __name__ == "__main__":
    main()
