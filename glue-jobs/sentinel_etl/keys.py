"""The tokenization key: a KMS-wrapped data key unwrapped in memory, or a local development key.

Wrapped key file (written by the platform from KMS GenerateDataKeyWithoutPlaintext, never holding
plaintext)::

    {
        "key_version": "2025-11",
        "kms_key_arn": "arn:aws:kms:...",
        "ciphertext_blob": "<base64>",
        "encryption_context": {"profile": "...", "key_version": "2025-11"},
    }  # both optional, checked

The file is not trusted to say how it is unwrapped: the KMS key comes from the job's non-overridable
`--tokenization_key_arn` and the encryption context is always `{profile, key_version}` with the profile
of the run (`WrappingKey`). A file naming another key, or another context, is refused before any KMS
call, so a planted file cannot make the job unwrap (and tokenize with) a key someone else controls.

Development key file (local runs only; created on first use, git-ignored, mode 0600)::

    {"key_version": "dev-1a2b3c4d", "dev_key": "<base64 of 32 random bytes>"}

One data key serves every method through separate subkeys (HKDF-Expand, RFC 5869, with a label per
purpose), so a leak of one derived key does not expose the others. The key bytes are never logged,
never put in a job argument, a Spark plan literal, an output or a metric; `Keyring` hides them from
`repr`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentinel_etl import storage

DATA_KEY_BYTES = 32
KEY_VERSION_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
DEFAULT_DEV_KEY_PATH = Path(__file__).resolve().parents[2] / ".sentinel" / "dev-key.json"


class KeyMaterialError(RuntimeError):
    """The key file is missing, malformed or cannot be unwrapped. Messages never contain key bytes."""


class Keyring:
    """A data key and its version. Derives per-purpose subkeys; never reveals the data key itself."""

    __slots__ = ("_data_key", "key_version")

    def __init__(self, key_version: str, data_key: bytes) -> None:
        if not KEY_VERSION_PATTERN.match(key_version):
            raise KeyMaterialError(f"key_version {key_version!r} must match {KEY_VERSION_PATTERN.pattern}")
        if len(data_key) != DATA_KEY_BYTES:
            raise KeyMaterialError(f"data key must be {DATA_KEY_BYTES} bytes (AES-256), got {len(data_key)}")
        self.key_version = key_version
        self._data_key = data_key

    def subkey(self, purpose: str, length: int = 32) -> bytes:
        """HKDF-Expand(PRK=data key, info='sentinel/<purpose>', L=length). The data key is uniformly
        random (KMS or secrets.token_bytes), so RFC 5869 allows skipping the Extract step."""
        if not 0 < length <= hashlib.sha256().digest_size:
            raise ValueError("subkeys are at most one SHA-256 block long")
        info = f"sentinel/{purpose}".encode()
        return hmac.new(self._data_key, info + b"\x01", hashlib.sha256).digest()[:length]

    def __repr__(self) -> str:
        return f"Keyring(key_version={self.key_version!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Keyring is never serialised: pass derived key material as data, not the keyring")


def _decode_base64(value: Any, field: str, origin: str) -> bytes:
    if not isinstance(value, str):
        raise KeyMaterialError(f"{origin}: {field} must be a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyMaterialError(f"{origin}: {field} is not valid base64") from exc


@dataclass(frozen=True)
class WrappingKey:
    """How this run unwraps its data key, from its own trusted arguments (never from the key file)."""

    #: The dedicated tokenization key (`--tokenization_key_arn`, non-overridable).
    kms_key_arn: str
    #: The run's profile: part of the encryption context the key policy requires.
    profile: str

    def encryption_context(self, key_version: str) -> dict[str, str]:
        return {"profile": self.profile, "key_version": key_version}


def unwrap_with_kms(document: dict[str, Any], origin: str, wrapping: WrappingKey, kms_client: Any = None) -> Keyring:
    """KMS Decrypt of the wrapped data key with the run's key and context (boto3 honours AWS_ENDPOINT_URL
    for the local emulator). Refuses a file that names another key or another encryption context."""
    for field in ("key_version", "ciphertext_blob"):
        if field not in document:
            raise KeyMaterialError(f"{origin}: wrapped key file has no {field!r}")
    key_version = str(document["key_version"])
    if not KEY_VERSION_PATTERN.match(key_version):
        raise KeyMaterialError(f"{origin}: key_version {key_version!r} must match {KEY_VERSION_PATTERN.pattern}")
    named = document.get("kms_key_arn")
    if named is not None and named != wrapping.kms_key_arn:
        raise KeyMaterialError(
            f"{origin} names KMS key {named}, but this job unwraps tokenization keys only with "
            f"{wrapping.kms_key_arn} (--tokenization_key_arn): refusing the key file"
        )
    context = wrapping.encryption_context(key_version)
    declared = document.get("encryption_context")
    if declared is not None and declared != context:
        raise KeyMaterialError(f"{origin} declares encryption context {declared}, this run requires {context}: refusing the key file")
    blob = _decode_base64(document["ciphertext_blob"], "ciphertext_blob", origin)
    if kms_client is None:
        import boto3

        kms_client = boto3.client("kms")
    request: dict[str, Any] = {"CiphertextBlob": blob, "KeyId": wrapping.kms_key_arn, "EncryptionContext": context}
    try:
        plaintext = kms_client.decrypt(**request)["Plaintext"]
    except Exception as exc:  # botocore errors carry no key material; name the key and the failure
        raise KeyMaterialError(
            f"{origin}: KMS could not unwrap the data key with {wrapping.kms_key_arn} and context {context}: {exc}"
        ) from exc
    return Keyring(key_version, plaintext)


def create_dev_key(path: Path) -> None:
    """Writes a fresh random development key readable only by the current user."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    document = {
        "key_version": f"dev-{secrets.token_hex(4)}",
        "dev_key": base64.b64encode(secrets.token_bytes(DATA_KEY_BYTES)).decode("ascii"),
        "note": "Local development tokenization key. Never used on AWS; delete it to rotate.",
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")


def load_keyring(uri: str, allow_dev_key: bool, kms_client: Any = None, wrapping: WrappingKey | None = None) -> Keyring:
    """The keyring from a wrapped key file (KMS, unwrapped only as `wrapping` says) or, when allowed, a
    development key file."""
    # The decoder's message can quote the file's text, here key material: it stays out of the error.
    document = storage.load_json(uri, "key file", KeyMaterialError, echo_decoder_error=False)
    if not isinstance(document, dict):
        raise KeyMaterialError(f"{uri}: key file must be a JSON object")
    if "ciphertext_blob" in document:
        if wrapping is None:
            raise KeyMaterialError(f"{uri} is KMS-wrapped: give the tokenization key ARN (--tokenization_key_arn) to unwrap it")
        return unwrap_with_kms(document, uri, wrapping, kms_client)
    if "dev_key" in document:
        if not allow_dev_key:
            raise KeyMaterialError(f"{uri} is a development key file; this run requires a KMS-wrapped key")
        return Keyring(str(document.get("key_version", "")), _decode_base64(document["dev_key"], "dev_key", uri))
    raise KeyMaterialError(f"{uri}: key file has neither 'ciphertext_blob' (KMS-wrapped) nor 'dev_key'")


def dev_keyring(path: Path = DEFAULT_DEV_KEY_PATH) -> Keyring:
    """The local development keyring, created on first use."""
    if not path.exists():
        # Another local run may have created it first; use that one.
        with contextlib.suppress(FileExistsError):
            create_dev_key(path)
    return load_keyring(str(path), allow_dev_key=True)
