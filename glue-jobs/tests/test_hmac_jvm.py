"""JVM HMAC-SHA256 (sentinel.tokenization.HmacSha256Token) against RFC 4231 and Python's hmac module."""

from __future__ import annotations

import hashlib
import hmac
import random

import pytest
from pyspark.sql import functions as F

from sentinel_etl.tokenization import jvm

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
IDS = [f"rfc4231-case-{case[0]}" for case in RFC_4231]


def jvm_token_class(spark):
    return spark._jvm.sentinel.tokenization.HmacSha256Token


@pytest.mark.parametrize("case", RFC_4231, ids=IDS)
def test_python_hmac_matches_rfc_4231(case):
    _, key, data, expected = case
    assert hmac.new(key, data, hashlib.sha256).hexdigest().startswith(expected)


@pytest.mark.parametrize("case", RFC_4231, ids=IDS)
def test_jvm_hmac_matches_rfc_4231_and_python(spark, case):
    _, key, data, expected = case
    digest = bytes(jvm_token_class(spark)(bytearray(key), "v").digest(bytearray(data)))
    assert digest.hex().startswith(expected)
    assert digest == hmac.new(key, data, hashlib.sha256).digest()


def test_spark_function_gives_versioned_tokens_of_the_utf8_bytes_and_keeps_null_and_empty(spark):
    _, key, data, expected = RFC_4231[1]
    token = jvm.hmac_sha256(spark, key, "2025-11", "text")
    frame = spark.createDataFrame([(0, data.decode()), (1, None), (2, "")], "i int, text string")
    rows = {r["i"]: r["token"] for r in frame.select("i", token(F.col("text")).alias("token")).collect()}
    assert rows == {0: f"2025-11:{expected}", 1: None, 2: ""}


def test_spark_function_is_bit_identical_to_python_hmac_for_random_keys_and_utf8_text(spark):
    rng = random.Random(4231)
    alphabet = "abcXYZ019 @.-_éüß€中文🙂\t"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 120))) for _ in range(300)]
    keys = [rng.randbytes(length) for length in (1, 16, 32, 63, 64, 65, 131, 200)]
    frame = spark.createDataFrame(list(enumerate(texts)), "i int, text string")
    functions = [jvm.hmac_sha256(spark, key, "v", "text") for key in keys]
    rows = frame.select("i", *[f(F.col("text")).alias(f"k{n}") for n, f in enumerate(functions)]).collect()
    for row in rows:
        for n, key in enumerate(keys):
            assert row[f"k{n}"] == "v:" + hmac.new(key, texts[row["i"]].encode("utf-8"), hashlib.sha256).hexdigest()
