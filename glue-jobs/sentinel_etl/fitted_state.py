"""Versioned fitted state: bin edges, category codes and models that later runs reuse.

Layout under a state URI, one folder per kind of state::

    <state_uri>/<kind>/<sha256 hex><suffix>   immutable, content-addressed payloads
    <state_uri>/<kind>/current.json           pointer: {"version": "sha256:<hex>", "object": ..., <meta>}

A payload's version is the SHA-256 of its bytes, so the same fit always has the same version and an
altered payload is detected on load (the pointer's hash no longer matches). The pointer also records
what the state was fitted for (``meta["fitted_for"]``); a run whose config asks for something else
fails instead of silently reusing it, because refitting is an explicit action.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sentinel_etl import storage

POINTER = "current.json"


class FittedStateError(RuntimeError):
    """Stored state is missing, altered, or was fitted for a different configuration."""


@dataclass(frozen=True)
class StoredState:
    version: str
    payload: bytes
    pointer: dict[str, Any]


def content_version(payload: bytes) -> str:
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def canonical_json(obj: Any) -> bytes:
    """One byte sequence per value, so equal state always hashes to the same version."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def save(state_uri: str, kind: str, payload: bytes, suffix: str, meta: dict[str, Any]) -> str:
    """Writes the payload at its content address, then points `current.json` at it; returns the version."""
    version = content_version(payload)
    object_name = version.removeprefix("sha256:") + suffix
    storage.write_bytes(storage.join(state_uri, kind, object_name), payload)
    storage.write_json(storage.join(state_uri, kind, POINTER), {**meta, "version": version, "object": object_name})
    return version


def load_current(state_uri: str, kind: str) -> StoredState | None:
    """The current state of this kind, hash-verified; None when nothing has been fitted yet."""
    pointer_uri = storage.join(state_uri, kind, POINTER)
    pointer = storage.read_json(pointer_uri)
    if pointer is None:
        return None
    object_uri = storage.join(state_uri, kind, pointer["object"])
    payload = storage.read_bytes(object_uri)
    if payload is None:
        raise FittedStateError(f"{pointer_uri} names {object_uri}, which does not exist")
    actual = content_version(payload)
    if actual != pointer["version"]:
        raise FittedStateError(
            f"{object_uri} has hash {actual} but {pointer_uri} records {pointer['version']}: "
            "the stored state was altered or corrupted; refit to replace it"
        )
    return StoredState(version=actual, payload=payload, pointer=pointer)


def require_fitted_for(kind: str, stored: StoredState, wanted: dict[str, Any]) -> None:
    """Fails, naming each differing setting, when stored state was fitted for another configuration."""
    recorded = stored.pointer.get("fitted_for", {})
    differences = [
        f"{key}: stored {recorded.get(key)!r}, config {wanted.get(key)!r}"
        for key in sorted(set(recorded) | set(wanted))
        if recorded.get(key) != wanted.get(key)
    ]
    if differences:
        raise FittedStateError(
            f"{kind} {stored.version} was fitted with different settings ({'; '.join(differences)}); "
            "run with refit to replace it"
        )
