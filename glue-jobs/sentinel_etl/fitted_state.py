"""Versioned fitted state: bin edges, category codes and models that later runs reuse.

Layout under a state URI, one folder per kind of state::

    <state_uri>/<kind>/<sha256 hex><suffix>   immutable, content-addressed payloads
    <state_uri>/<kind>/current.json           pointer: {"version": "sha256:<hex>", "object": ..., <meta>}

A payload's version is the SHA-256 of its bytes, so the same fit always has the same version and an
altered payload is detected on load (the pointer's hash no longer matches). The pointer also records
what the state was fitted for (``meta["fitted_for"]``); a run whose config asks for something else
fails instead of silently reusing it, because refitting is an explicit action.

Authentication: a content hash alone proves nothing to a job whose state prefix someone else can write
(they write payload and pointer together). While a run's `StateAuthenticator` is active
(`authenticated_by`, set by the job for the whole run), every pointer and bookmark carries a MAC over
its canonical JSON and its own URI, made with a KMS HMAC key only the job role may use
(`GenerateMac`/`VerifyMac`, key from the non-overridable `--state_mac_key_arn`; locally an HMAC subkey of
the development key). A pointer whose MAC is missing or does not verify is refused, naming the object; a
refit run does not read the stored state and replaces it. Without an active authenticator (unit tests of
the fitting modules) state is neither sealed nor checked; the job never runs that way.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from sentinel_etl import storage

POINTER = "current.json"
MAC_FIELD = "mac"
_MAC_DOMAIN = b"sentinel.fitted-state/1\n"


class FittedStateError(RuntimeError):
    """Stored state is missing, altered, or was fitted for a different configuration."""


class StateAuthenticator(Protocol):
    """Makes and checks the MAC of a state document (KMS HMAC on AWS, a local HMAC key locally)."""

    key_id: str

    def mac(self, message: bytes) -> bytes: ...

    def verify(self, message: bytes, mac: bytes) -> bool: ...


class KmsStateMac:
    """KMS GenerateMac/VerifyMac with an HMAC_256 key (HMAC_SHA_256); the key never leaves KMS."""

    ALGORITHM = "HMAC_SHA_256"

    def __init__(self, key_id: str, kms_client: Any = None) -> None:
        if kms_client is None:
            import boto3

            kms_client = boto3.client("kms")
        self.key_id = key_id
        self._kms = kms_client

    def mac(self, message: bytes) -> bytes:
        return self._kms.generate_mac(KeyId=self.key_id, Message=message, MacAlgorithm=self.ALGORITHM)["Mac"]

    def verify(self, message: bytes, mac: bytes) -> bool:
        try:
            return bool(self._kms.verify_mac(KeyId=self.key_id, Message=message, MacAlgorithm=self.ALGORITHM, Mac=mac)["MacValid"])
        except self._kms.exceptions.KMSInvalidMacException:
            return False


class LocalStateMac:
    """HMAC-SHA256 with a key held in memory: local runs, whose key is a subkey of the development key."""

    def __init__(self, key: bytes, key_id: str = "local-development-key") -> None:
        self.key_id = key_id
        self._key = key

    def mac(self, message: bytes) -> bytes:
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def verify(self, message: bytes, mac: bytes) -> bool:
        return hmac.compare_digest(self.mac(message), mac)

    def __repr__(self) -> str:
        return f"LocalStateMac(key_id={self.key_id!r})"


_active: StateAuthenticator | None = None


@contextlib.contextmanager
def authenticated_by(authenticator: StateAuthenticator) -> Iterator[None]:
    """Seals every state document written, and requires a valid seal on every one read, inside the block."""
    global _active
    previous, _active = _active, authenticator
    try:
        yield
    finally:
        _active = previous


def _mac_message(uri: str, document: dict[str, Any]) -> bytes:
    # The object's own URI is part of the message, so a sealed pointer copied to another kind or profile
    # does not verify there. Hashing the document keeps the message within KMS's 4 KiB limit.
    body = {k: v for k, v in document.items() if k != MAC_FIELD}
    return _MAC_DOMAIN + uri.encode("utf-8") + b"\n" + hashlib.sha256(canonical_json(body)).digest()


def write_sealed_json(uri: str, document: dict[str, Any]) -> None:
    """Writes a state document, with its MAC when a run authenticator is active."""
    body = {k: v for k, v in document.items() if k != MAC_FIELD}
    if _active is not None:
        mac = _active.mac(_mac_message(uri, body))
        body[MAC_FIELD] = {"key": _active.key_id, "value": base64.b64encode(mac).decode("ascii")}
    storage.write_json(uri, body)


def read_sealed_json(uri: str) -> dict[str, Any] | None:
    """A state document whose MAC verifies (when a run authenticator is active); None when absent."""
    document = storage.read_json(uri)
    if document is None:
        return None
    if not isinstance(document, dict):
        raise FittedStateError(f"{uri} is not a JSON object")
    if _active is None:
        return document
    seal = document.get(MAC_FIELD)
    refusal = (
        f"{uri} is not authenticated by the state MAC key {_active.key_id}: refusing it "
        "(state is written only by this job; a pointer written by anyone else, or with another key, is not trusted)"
    )
    if not isinstance(seal, dict) or not isinstance(seal.get("value"), str):
        raise FittedStateError(f"{refusal}; it has no MAC")
    try:
        mac = base64.b64decode(seal["value"], validate=True)
    except ValueError as exc:
        raise FittedStateError(f"{refusal}; its MAC is not base64") from exc
    if not _active.verify(_mac_message(uri, document), mac):
        raise FittedStateError(f"{refusal}; its MAC does not verify")
    return document


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
    write_sealed_json(storage.join(state_uri, kind, POINTER), {**meta, "version": version, "object": object_name})
    return version


def load_current(state_uri: str, kind: str) -> StoredState | None:
    """The current state of this kind, MAC- and hash-verified; None when nothing has been fitted yet."""
    pointer_uri = storage.join(state_uri, kind, POINTER)
    pointer = read_sealed_json(pointer_uri)
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
            f"{kind} {stored.version} was fitted with different settings ({'; '.join(differences)}); run with refit to replace it"
        )
