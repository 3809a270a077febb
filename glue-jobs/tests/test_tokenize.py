"""Tokenizing PII columns: formats, key versions, null/empty rules, reversibility, no key in plans or logs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from key_material import key_material
from pyspark.sql import functions as F

from sentinel_etl.config import DIGITS, TokenSpec
from sentinel_etl.keys import Keyring
from sentinel_etl.tokenization.tokenize import METADATA_KEY, reidentify, tokenize

DATA_KEY = bytes(range(100, 132))
SPECS = (
    TokenSpec("customer_id", "deterministic"),
    TokenSpec("account_number", "format_preserving", keep_prefix=4, alphabet=DIGITS),
    TokenSpec("email", "encrypt"),
    TokenSpec("device_id", "hash"),
    TokenSpec("last_name", "deterministic_encrypt"),
)
ROWS = [
    ("t1", "cust-001", "4000123412341234", "ann@example.com", "0f8e2c1a-1b2c-4d5e-8f90-123456789abc", "Lee", 10.0),
    ("t2", "cust-001", "4000123412341234", "ann@example.com", None, "Lee", 11.5),
    ("t3", "cust-002", "5500000000000004", None, "", "Müller", 99.0),
    ("t4", "", "", "", "a1", "", 1.0),
    ("t5", "cust-003", "3700000000000002", "bo@example.com", "b2", None, 2.0),
]
SCHEMA = "transaction_id string, customer_id string, account_number string, email string, device_id string, last_name string, amount double"


@pytest.fixture(scope="module")
def keyring():
    return Keyring("2025-11", DATA_KEY)


@pytest.fixture(scope="module")
def tokenized(spark, keyring):
    frame = spark.createDataFrame(ROWS, SCHEMA)
    out = tokenize(frame, SPECS, keyring)
    return out, {r["transaction_id"]: r for r in out.collect()}


def test_deterministic_tokens_are_versioned_hmacs_with_the_derived_key(tokenized, keyring):
    _, rows = tokenized
    expected = hmac.new(keyring.subkey("deterministic/hmac-sha256"), b"cust-001", hashlib.sha256).hexdigest()
    assert rows["t1"]["customer_id"] == f"2025-11:{expected}"
    assert rows["t1"]["customer_id"] == rows["t2"]["customer_id"] != rows["t3"]["customer_id"]


def test_format_preserving_tokens_keep_prefix_length_and_digits(tokenized):
    _, rows = tokenized
    token = rows["t1"]["account_number"]
    assert token[:4] == "4000" and len(token) == 16 and token.isdigit() and token != "4000123412341234"
    assert rows["t2"]["account_number"] == token


def test_hash_tokens_are_plain_sha256(tokenized):
    _, rows = tokenized
    digest = hashlib.sha256(b"0f8e2c1a-1b2c-4d5e-8f90-123456789abc").hexdigest()
    assert rows["t1"]["device_id"] == f"sha256:{digest}"


def test_encrypt_tokens_carry_the_key_version_and_use_a_fresh_iv(tokenized):
    _, rows = tokenized
    assert rows["t1"]["email"].startswith("2025-11:")
    assert rows["t1"]["email"] != rows["t2"]["email"]


def test_deterministic_encrypt_tokens_are_versioned_aes_siv_that_another_implementation_opens(tokenized, keyring):
    _, rows = tokenized
    token = rows["t1"]["last_name"]
    assert token.startswith("2025-11:") and token == rows["t2"]["last_name"] != rows["t3"]["last_name"]
    # RFC 5297 output is SIV || ciphertext; pyca/cryptography's AESSIV checks it independently of Tink.
    siv_key = keyring.subkey("deterministic_encrypt/aes-siv/s2v") + keyring.subkey("deterministic_encrypt/aes-siv/ctr")
    sealed = base64.b64decode(token.split(":", 1)[1])
    assert AESSIV(siv_key).decrypt(sealed, [b"sentinel:last_name"]) == b"Lee"
    assert AESSIV(siv_key).encrypt("Müller".encode(), [b"sentinel:last_name"]) == base64.b64decode(rows["t3"]["last_name"].split(":", 1)[1])


def test_null_stays_null_and_empty_stays_empty_for_every_method(tokenized):
    _, rows = tokenized
    assert rows["t2"]["device_id"] is None and rows["t3"]["email"] is None and rows["t5"]["last_name"] is None
    assert rows["t3"]["device_id"] == ""
    assert [rows["t4"][c] for c in ("customer_id", "account_number", "email", "last_name")] == ["", "", "", ""]


def test_untouched_columns_and_order_are_kept(tokenized):
    out, rows = tokenized
    assert out.columns == ["transaction_id", "customer_id", "account_number", "email", "device_id", "last_name", "amount"]
    assert rows["t3"]["amount"] == 99.0


def test_tokenized_columns_carry_method_and_key_version_metadata(tokenized):
    out, _ = tokenized
    metadata = {f.name: f.metadata.get(METADATA_KEY) for f in out.schema.fields}
    assert metadata["account_number"] == {"method": "format_preserving", "key_version": "2025-11", "algorithm": "ff1-aes256"}
    assert metadata["device_id"] == {"method": "hash", "key_version": None, "algorithm": "sha256"}
    assert metadata["last_name"] == {"method": "deterministic_encrypt", "key_version": "2025-11", "algorithm": "aes-siv-512"}
    assert metadata["amount"] is None


def spellings(secret: bytes) -> list[str]:
    """How key bytes could appear in text: hex (either case, Spark prints binary literals upper-case),
    base64 (Py4J sends byte arrays so), and Java's signed-byte array notation."""
    return [
        secret.hex(),
        secret.hex().upper(),
        base64.b64encode(secret).decode(),
        ", ".join(str(b - 256 if b > 127 else b) for b in secret[:8]),
    ]


def test_no_key_material_appears_in_the_query_plan(tokenized, keyring):
    out, _ = tokenized
    execution = out._jdf.queryExecution()
    explain = out.sparkSession._jvm.PythonSQLUtils.explainString  # what DataFrame.explain prints
    plans = "\n".join([execution.toString(), *(explain(execution, mode) for mode in ("extended", "formatted", "codegen"))])
    assert "sentinel_ff1_encrypt_account_number" in plans
    for secret in key_material(DATA_KEY, keyring):
        for text in spellings(secret):
            assert text not in plans


def test_no_key_material_reaches_the_logs_even_at_debug_level(spark, caplog):
    keyring = Keyring("2026-02", bytes(range(7, 39)))
    frame = spark.createDataFrame(ROWS, SCHEMA)
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.DEBUG):
            out = tokenize(frame, SPECS, keyring)
            out.collect()
    finally:
        root.setLevel(previous)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in [
        keyring.subkey(label) for label in ("deterministic/hmac-sha256", "format_preserving/ff1", "deterministic_encrypt/aes-siv/s2v")
    ]:
        for text in spellings(secret):
            assert text not in logged


def test_reidentify_reverses_encrypt_format_preserving_and_deterministic_encrypt_tokens(tokenized, keyring):
    out, _ = tokenized
    reversible = tuple(s for s in SPECS if s.method in ("encrypt", "format_preserving", "deterministic_encrypt"))
    plain = {r["transaction_id"]: r for r in reidentify(out, reversible, keyring).collect()}
    assert plain["t1"]["email"] == "ann@example.com" and plain["t3"]["email"] is None and plain["t4"]["email"] == ""
    assert plain["t1"]["account_number"] == "4000123412341234"
    assert plain["t3"]["account_number"] == "5500000000000004"
    assert plain["t5"]["account_number"] == "3700000000000002"
    assert [plain[t]["last_name"] for t in ("t1", "t3", "t4", "t5")] == ["Lee", "Müller", "", None]


def test_reidentify_refuses_one_way_tokens_and_other_key_versions(tokenized):
    out, _ = tokenized
    with pytest.raises(ValueError, match="one-way"):
        reidentify(out, (SPECS[0],), Keyring("2025-11", DATA_KEY))
    with pytest.raises(ValueError, match="key version other than '2026-01'"):
        reidentify(out, (SPECS[2],), Keyring("2026-01", DATA_KEY))
    with pytest.raises(ValueError, match=r"account_number holds tokens from a key version other than '2026-01' \('2025-11'\)"):
        reidentify(out, (SPECS[1],), Keyring("2026-01", DATA_KEY))
    with pytest.raises(ValueError, match="key version other than '2026-01'"):
        # without the field metadata, the version inside each token is what is checked
        reidentify(out.select("transaction_id", F.concat(F.col("last_name")).alias("last_name")), (SPECS[4],), Keyring("2026-01", DATA_KEY))


def test_reidentify_refuses_format_preserving_tokens_made_otherwise(tokenized, keyring):
    out, _ = tokenized
    ff3_era = {METADATA_KEY: {"method": "format_preserving", "key_version": "2025-11"}}
    legacy = out.select("transaction_id", F.col("account_number").alias("account_number", metadata=ff3_era))
    with pytest.raises(ValueError, match=r"holds FF3-1 \(before algorithms were recorded\) tokens; this profile makes ff1-aes256 tokens"):
        reidentify(legacy, (SPECS[1],), keyring)
    luhn_failing = TokenSpec("account_number", "format_preserving", keep_prefix=4, alphabet=DIGITS, fail_luhn=True)
    with pytest.raises(ValueError, match="holds ff1-aes256 tokens; this profile makes ff1-aes256-luhn-failing tokens"):
        reidentify(out, (luhn_failing,), keyring)


def test_a_tampered_deterministic_encrypt_token_does_not_decrypt(spark, tokenized, keyring):
    _, rows = tokenized
    token = rows["t1"]["last_name"]
    sealed = bytearray(base64.b64decode(token.split(":", 1)[1]))
    sealed[-1] ^= 1
    tampered = spark.createDataFrame(
        [("t1", "2025-11:" + base64.b64encode(bytes(sealed)).decode())], "transaction_id string, last_name string"
    )
    with pytest.raises(Exception, match=r"Integrity check failed|AEADBadTagException"):
        reidentify(tampered, (SPECS[4],), keyring).collect()
