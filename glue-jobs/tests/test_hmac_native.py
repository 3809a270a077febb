"""Native-Spark HMAC-SHA256 against RFC 4231 and Python's hmac module."""
from __future__ import annotations

import hashlib
import hmac
import random

import pytest
from pyspark.sql import functions as F

from sentinel_etl.tokenization.hmac_sha256 import hmac_pads, hmac_sha256_hex

# RFC 4231 section 4: (test case, key, data, HMAC-SHA-256). Case 5 publishes the output truncated
# to 128 bits; cases 6 and 7 use a 131-byte key, longer than the block, which must be hashed first.
RFC_4231 = [
    (1, b"\x0b" * 20, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (2, b"Jefe", b"what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    (3, b"\xaa" * 20, b"\xdd" * 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    (4, bytes(range(1, 26)), b"\xcd" * 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    (5, b"\x0c" * 20, b"Test With Truncation", "a3b6167473100ee06e0c796c2955552b"),
    (
        6,
        b"\xaa" * 131,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ),
    (
        7,
        b"\xaa" * 131,
        b"This is a test using a larger than block-size key and a larger than block-size data. "
        b"The key needs to be hashed before being used by the HMAC algorithm.",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    ),
]


def native_hmac(spark, pairs: list[tuple[bytes, bytes | None]]) -> list[str | None]:
    """HMACs of (key, message) pairs computed in one Spark job, each row with its own key pads."""
    rows = []
    for i, (key, message) in enumerate(pairs):
        inner, outer = hmac_pads(key)
        rows.append((i, None if message is None else bytearray(message), bytearray(inner), bytearray(outer)))
    frame = spark.createDataFrame(rows, "i int, message binary, inner binary, outer binary")
    result = frame.select("i", hmac_sha256_hex(F.col("message"), F.col("inner"), F.col("outer")).alias("mac")).collect()
    return [row["mac"] for row in sorted(result, key=lambda r: r["i"])]


@pytest.fixture(scope="module")
def rfc_macs(spark):
    return native_hmac(spark, [(key, data) for _, key, data, _ in RFC_4231])


@pytest.mark.parametrize("index", range(len(RFC_4231)), ids=[f"rfc4231-case-{c[0]}" for c in RFC_4231])
def test_native_hmac_matches_rfc_4231_vectors(rfc_macs, index):
    _, key, data, expected = RFC_4231[index]
    assert rfc_macs[index].startswith(expected)
    assert rfc_macs[index] == hmac.new(key, data, hashlib.sha256).hexdigest()


def test_long_keys_are_hashed_before_padding():
    long_key = b"\xaa" * 131
    assert hmac_pads(long_key) == hmac_pads(hashlib.sha256(long_key).digest())


def test_null_message_gives_null(spark):
    assert native_hmac(spark, [(b"k" * 32, None)]) == [None]


def test_native_hmac_is_bit_identical_to_python_hmac_for_random_keys_and_utf8_text(spark):
    rng = random.Random(4231)
    alphabet = "abcXYZ019 @.-_éüß€中文🙂\t"
    pairs = [
        (
            rng.randbytes(rng.choice([1, 16, 32, 63, 64, 65, 131, 200])),
            "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 120))).encode("utf-8"),
        )
        for _ in range(300)
    ]
    assert native_hmac(spark, pairs) == [hmac.new(k, m, hashlib.sha256).hexdigest() for k, m in pairs]
