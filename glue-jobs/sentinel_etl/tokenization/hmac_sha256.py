"""HMAC-SHA256 (RFC 2104) from native Spark SQL functions, bit-identical to Python's `hmac`.

    HMAC(K, m) = SHA256((K' xor opad) || SHA256((K' xor ipad) || m))

where K' is the key hashed with SHA-256 if longer than the 64-byte block, then zero-padded to 64
bytes. The key schedule (K' and the two pads) depends only on the key, so it is computed once on the
driver; the per-row work (two `sha2` over `concat`, one `unhex`) runs natively in the JVM with no
Python round trip. The pads reach the executors as columns of a one-row broadcast frame, never as
literals, so they do not appear in query plans, the Spark UI or event logs.
"""
from __future__ import annotations

import hashlib

from pyspark.sql import Column
from pyspark.sql import functions as F

BLOCK_BYTES = 64
INNER_PAD_BYTE = 0x36
OUTER_PAD_BYTE = 0x5C


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """(K' xor ipad, K' xor opad) for an HMAC-SHA256 key of any length."""
    if len(key) > BLOCK_BYTES:
        key = hashlib.sha256(key).digest()
    block = key.ljust(BLOCK_BYTES, b"\x00")
    return bytes(b ^ INNER_PAD_BYTE for b in block), bytes(b ^ OUTER_PAD_BYTE for b in block)


def hmac_sha256_hex(message: Column, inner_pad: Column, outer_pad: Column) -> Column:
    """Lower-case hex HMAC-SHA256 of a binary `message` column, given the two pad columns (binary).
    Null message -> null."""
    inner_digest_hex = F.sha2(F.concat(inner_pad, message), 256)
    return F.sha2(F.concat(outer_pad, F.unhex(inner_digest_hex)), 256)
