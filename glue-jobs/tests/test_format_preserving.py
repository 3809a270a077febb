"""FF1 format-preserving tokens (JVM, Bouncy Castle): NIST samples through Spark, the domain rule
shared with validation, and Luhn-failing card-number tokens."""

from __future__ import annotations

import random

import pytest
from pyspark.sql import functions as F

from sentinel_etl.config import load_config, profile_path
from sentinel_etl.keys import Keyring
from sentinel_etl.tokenization import jvm
from sentinel_etl.tokenization.format_preserving import MAXIMUM_RADIX, ff1_minimum_length, minimum_value_length
from sentinel_etl.tokenization.tokenize import reidentify, tokenize

DECIMAL = "0123456789"
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
AES128 = "2B7E151628AED2A6ABF7158809CF4F3C"
AES192 = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F"
AES256 = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94"
# NIST SP 800-38G FF1 samples 1-9 (FF1samples.pdf): key, tweak, alphabet, plaintext, ciphertext.
NIST_FF1 = [
    (AES128, "", DECIMAL, "0123456789", "2433477484"),
    (AES128, "39383736353433323130", DECIMAL, "0123456789", "6124200773"),
    (AES128, "3737373770717273373737", BASE36, "0123456789abcdefghi", "a9tv40mll9kdu509eum"),
    (AES192, "", DECIMAL, "0123456789", "2830668132"),
    (AES192, "39383736353433323130", DECIMAL, "0123456789", "2496655549"),
    (AES192, "3737373770717273373737", BASE36, "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"),
    (AES256, "", DECIMAL, "0123456789", "6657667009"),
    (AES256, "39383736353433323130", DECIMAL, "0123456789", "1001623463"),
    (AES256, "3737373770717273373737", BASE36, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"),
]


def luhn_valid(number: str) -> bool:
    """ISO/IEC 7812 Luhn check, written here independently of the Java library."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit * 2 > 9 else digit * 2
        total += digit
    return total % 10 == 0


def luhn_valid_pan(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(DECIMAL) for _ in range(length - len(prefix) - 1))
    return next(body + d for d in DECIMAL if luhn_valid(body + d))


@pytest.mark.parametrize("direction", ["encrypt", "decrypt"])
def test_ff1_matches_the_nist_samples_through_spark(spark, direction):
    decrypt = direction == "decrypt"
    frame = spark.createDataFrame(
        [(i, ciphertext if decrypt else plaintext) for i, (_, _, _, plaintext, ciphertext) in enumerate(NIST_FF1)], "i int, text string"
    )
    result = F.lit(None).cast("string")
    for i, (key, tweak, alphabet, _, _) in enumerate(NIST_FF1):
        function = jvm.ff1(spark, bytes.fromhex(key), bytes.fromhex(tweak), alphabet, 0, False, "nist", decrypt=decrypt)
        result = F.when(F.col("i") == i, function(F.col("text"))).otherwise(result)
    rows = {r["i"]: r["out"] for r in frame.select("i", result.alias("out")).collect()}
    expected = {i: (plaintext if decrypt else ciphertext) for i, (_, _, _, plaintext, ciphertext) in enumerate(NIST_FF1)}
    assert rows == expected


def test_python_domain_rule_matches_the_java_library(spark):
    token_class = spark._jvm.sentinel.tokenization.Ff1Token
    for radix in range(2, MAXIMUM_RADIX + 1):
        for keep_prefix, fail_luhn in ((0, False), (4, False), (4, True)):
            assert token_class.minimumValueLength(radix, keep_prefix, fail_luhn) == keep_prefix + ff1_minimum_length(radix) + fail_luhn
    assert (ff1_minimum_length(10), ff1_minimum_length(2), ff1_minimum_length(36), ff1_minimum_length(256)) == (6, 20, 4, 3)


def test_a_value_outside_the_domain_fails_the_job_without_showing_the_value(spark):
    function = jvm.ff1(spark, bytes(32), b"t", DECIMAL, 4, False, "short")
    frame = spark.createDataFrame([("400012345",)], "text string")
    with pytest.raises(Exception) as failure:
        frame.select(function(F.col("text"))).collect()
    assert "400012345" not in str(failure.value)


@pytest.fixture(scope="module")
def card_account_spec():
    (spec,) = [t for t in load_config(profile_path("card-transactions")).tokenization if t.column == "account_number"]
    return spec


def test_card_profile_account_tokens_never_pass_luhn_and_round_trip(spark, card_account_spec):
    assert card_account_spec.fail_luhn and minimum_value_length(card_account_spec) == 11
    rng = random.Random(7812)
    issuers = ["4000", "4111", "5500", "3700", "6011"]
    distinct = {luhn_valid_pan(rng, rng.choice(issuers), rng.choice([12, 13, 15, 16, 16, 16, 19])) for _ in range(8_000)}
    pans = sorted(distinct)
    pans += [rng.choice(pans) for _ in range(10_000 - len(pans))]  # repeats: equal inputs must give equal tokens
    frame = spark.createDataFrame(list(enumerate(pans)), "i int, account_number string")
    keyring = Keyring("2025-11", bytes(range(32)))
    tokens = tokenize(frame, (card_account_spec,), keyring).cache()
    rows = {r["i"]: r["account_number"] for r in tokens.collect()}
    plain = {r["i"]: r["account_number"] for r in reidentify(tokens, (card_account_spec,), keyring).collect()}
    tokens.unpersist()

    assert len(rows) == 10_000
    assert all(luhn_valid(pan) for pan in pans)
    assert not [t for t in rows.values() if luhn_valid(t)]
    assert all(len(rows[i]) == len(pan) and rows[i].isdigit() and rows[i][:4] == pan[:4] for i, pan in enumerate(pans))
    token_of: dict[str, str] = {}
    for i, pan in enumerate(pans):
        assert token_of.setdefault(pan, rows[i]) == rows[i]
    assert len(set(token_of.values())) == len(token_of)  # distinct card numbers, distinct tokens
    assert sum(rows[i] != pan for i, pan in enumerate(pans)) == 10_000
    assert plain == dict(enumerate(pans))
