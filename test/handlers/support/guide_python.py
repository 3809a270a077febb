"""Runs the data consumer guide's Python examples on the output of a local run, each in a fresh namespace,
and returns what each printed (or its traceback).

What each example reaches, as a reader of a deployed environment would:
- S3 (pyarrow, pandas): the emulator, through the standard ``AWS_ENDPOINT_URL`` variable and the emulator's
  dummy credentials, so ``fs.S3FileSystem(region=...)`` in the example is used as written;
- the local copy (``.sentinel/local/s3/<tier>/<key>``, what ``npm start`` keeps): the working directory holds
  ``.sentinel/local/s3/processed`` as a link to the run's mirror of the processed bucket;
- Spark: a local session (``spark``, as a notebook or Glue provides it); local Spark has no S3 connector, so
  ``s3://<bucket>/`` in the example is read from the run's local mirror of that bucket (``<mirror>/<bucket>/``).
  That mapping is the one change made to an example's text.

stdin: {"snippets": [code, ...], "endpoint", "mirror", "processed_bucket", "region"}
stdout: [{"output": "..."} | {"error": "..."}, ...]
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any


def spark_session() -> Any:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[1]")
        .appName("guide-examples")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )


def main() -> None:
    request = json.load(sys.stdin)
    os.environ.update(
        AWS_ENDPOINT_URL=request["endpoint"],
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=request["region"],
        AWS_EC2_METADATA_DISABLED="true",
    )
    mirror = Path(request["mirror"])
    spark = None
    results: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as workdir:
        local_copy = Path(workdir, ".sentinel", "local", "s3")
        local_copy.mkdir(parents=True)
        (local_copy / "processed").symlink_to(mirror / request["processed_bucket"], target_is_directory=True)
        os.chdir(workdir)
        for code in request["snippets"]:
            namespace: dict[str, Any] = {"__name__": "__guide__"}
            if "spark." in code:
                spark = spark or spark_session()
                namespace["spark"] = spark
                code = code.replace("s3://", f"file://{mirror}/")
            printed = io.StringIO()
            try:
                with contextlib.redirect_stdout(printed):
                    # running the guide's own example is the point of this script
                    exec(compile(code, "<guide example>", "exec"), namespace)
                results.append({"output": printed.getvalue()})
            except Exception:  # noqa: BLE001 - the example's own failure is the result
                results.append({"error": printed.getvalue() + traceback.format_exc()})
    if spark is not None:
        spark.stop()
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
