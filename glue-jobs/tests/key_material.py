"""The key material a data key stands for, for the tests that check none of it leaks into output, plans or logs."""

from __future__ import annotations

from sentinel_etl.keys import Keyring

# The HKDF labels (under `sentinel/`) of every subkey the tokenizer derives; see sentinel_etl/tokenization/tokenize.py.
SUBKEY_LABELS = (
    "deterministic/hmac-sha256",
    "format_preserving/ff1",
    "deterministic_encrypt/aes-siv/s2v",
    "deterministic_encrypt/aes-siv/ctr",
    "encrypt/aes-256-gcm",
)


def key_material(data_key: bytes, keyring: Keyring) -> list[bytes]:
    """The data key followed by every subkey `keyring` (built on `data_key`) derives for tokenization."""
    return [data_key, *(keyring.subkey(label) for label in SUBKEY_LABELS)]
