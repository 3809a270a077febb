"""Small-object storage by URI: a local path or ``s3://bucket/key``.

Used for job config, fitted state (bin edges, category codes, models), run metrics and wrapped keys:
things read or written whole on the driver, never row data (Spark reads and writes that).
S3 access goes through boto3, which Glue 5.0 provides; ``AWS_ENDPOINT_URL`` (honoured by boto3)
points it at the local emulator in tests and in the local pipeline.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse


def _split_s3(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    if parsed.scheme not in ("s3", "s3a") or not parsed.netloc:
        raise ValueError(f"not an S3 URI: {uri!r}")
    return parsed.netloc, parsed.path.lstrip("/")


def _s3_client():  # pragma: no cover - thin boto3 factory
    import boto3

    return boto3.client("s3")


def is_s3(uri: str) -> bool:
    return uri.startswith(("s3://", "s3a://"))


def join(base: str, *parts: str) -> str:
    """Joins path segments onto a local path or S3 URI with exactly one '/' between them."""
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts)])


def read_bytes(uri: str) -> bytes | None:
    """The object's bytes, or None when it does not exist."""
    if is_s3(uri):
        bucket, key = _split_s3(uri)
        client = _s3_client()
        try:
            return client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except client.exceptions.NoSuchKey:
            return None
    path = Path(uri)
    return path.read_bytes() if path.exists() else None


def write_bytes(uri: str, data: bytes, content_type: str = "application/octet-stream") -> None:
    if is_s3(uri):
        bucket, key = _split_s3(uri)
        _s3_client().put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
        return
    path = Path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def read_json(uri: str) -> Any | None:
    data = read_bytes(uri)
    return None if data is None else json.loads(data.decode("utf-8"))


def load_json(uri: str, what: str, error: Callable[[str], Exception], *, echo_decoder_error: bool = True) -> Any:
    """The JSON document at `uri`, for a document the caller cannot do without: `error` (the caller's exception
    type) names `what` and the URI when nothing is there or it is not UTF-8 JSON. echo_decoder_error=False leaves
    the decoder's message out of the error, for files whose text must not reach a log (key material)."""
    data = read_bytes(uri)
    if data is None:
        raise error(f"{what} not found: {uri}")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        detail = f": {exc}" if echo_decoder_error else ""
        raise error(f"{what} {uri} is not valid UTF-8 JSON{detail}") from exc


def write_json(uri: str, obj: Any) -> None:
    write_bytes(uri, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode("utf-8"), "application/json")


@dataclass(frozen=True)
class StoredObject:
    """A listed file: its URI, size and a fingerprint that changes when its content is replaced."""

    uri: str
    bytes: int
    fingerprint: str


def _is_hidden(name: str) -> bool:
    # Spark's convention: files and folders starting with '_' or '.' are metadata, not data.
    return name.startswith(("_", "."))


def list_objects(uri: str) -> list[StoredObject]:
    """Data files at a URI: the file itself, or every non-hidden file below a folder/prefix, sorted.

    The fingerprint is the S3 ETag, or the local modification time in nanoseconds.
    """
    if is_s3(uri):
        bucket, key = _split_s3(uri)
        client = _s3_client()
        head = None
        if key and not key.endswith("/"):
            try:
                head = client.head_object(Bucket=bucket, Key=key)
            except client.exceptions.ClientError:
                head = None
        if head is not None:
            return [StoredObject(uri, int(head["ContentLength"]), head["ETag"].strip('"'))]
        prefix = key.rstrip("/") + "/" if key else ""
        found = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                relative = obj["Key"][len(prefix) :]
                if obj["Key"].endswith("/") or any(_is_hidden(part) for part in relative.split("/")):
                    continue
                found.append(StoredObject(f"s3://{bucket}/{obj['Key']}", int(obj["Size"]), obj["ETag"].strip('"')))
        return sorted(found, key=lambda o: o.uri)
    path = Path(uri)
    if path.is_file():
        stat = path.stat()
        return [StoredObject(str(path.resolve()), stat.st_size, str(stat.st_mtime_ns))]
    if not path.is_dir():
        return []
    found = []
    for child in sorted(path.rglob("*")):
        relative = child.relative_to(path).parts
        if child.is_file() and not any(_is_hidden(part) for part in relative):
            stat = child.stat()
            found.append(StoredObject(str(child.resolve()), stat.st_size, str(stat.st_mtime_ns)))
    return found


def read_head(uri: str, size: int) -> bytes:
    """The first `size` bytes of an object (fewer if it is shorter). Raises FileNotFoundError if absent."""
    if is_s3(uri):
        bucket, key = _split_s3(uri)
        client = _s3_client()
        try:
            return client.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{size - 1}")["Body"].read()
        except client.exceptions.NoSuchKey as exc:
            raise FileNotFoundError(uri) from exc
    with open(uri, "rb") as handle:
        return handle.read(size)


def delete_tree(uri: str) -> None:
    """Removes a local folder or every object under an S3 prefix; absent is fine."""
    if is_s3(uri):
        bucket, key = _split_s3(uri)
        client = _s3_client()
        prefix = key.rstrip("/") + "/"
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
            if keys:
                client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
        return
    shutil.rmtree(uri, ignore_errors=True)
