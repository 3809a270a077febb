"""Tokenizing PII columns: formats, key versions, null/empty rules, reversibility, no key in plans."""
from __future__ import annotations

import hashlib
import hmac

import pytest

from sentinel_etl.config import DIGITS, TokenSpec
from sentinel_etl.keys import Keyring
from sentinel_etl.tokenization.tokenize import METADATA_KEY, reidentify, tokenize

DATA_KEY = bytes(range(100, 132))
SPECS = (
    TokenSpec("customer_id", "deterministic"),
    TokenSpec("account_number", "format_preserving", keep_prefix=4, alphabet=DIGITS),
    TokenSpec("email", "encrypt"),
    TokenSpec("device_id", "hash"),
)
ROWS = [
    ("t1", "cust-001", "4000123412341234", "ann@example.com", "0f8e2c1a-1b2c-4d5e-8f90-123456789abc", 10.0),
    ("t2", "cust-001", "4000123412341234", "ann@example.com", None, 11.5),
    ("t3", "cust-002", "5500000000000004", None, "", 99.0),
    ("t4", "", "", "", "a1", 1.0),
]
SCHEMA = "transaction_id string, customer_id string, account_number string, email string, device_id string, amount double"


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


def test_null_stays_null_and_empty_stays_empty_for_every_method(tokenized):
    _, rows = tokenized
    assert rows["t2"]["device_id"] is None and rows["t3"]["email"] is None
    assert rows["t3"]["device_id"] == ""
    assert [rows["t4"][c] for c in ("customer_id", "account_number", "email")] == ["", "", ""]


def test_untouched_columns_and_order_are_kept(tokenized):
    out, rows = tokenized
    assert out.columns == ["transaction_id", "customer_id", "account_number", "email", "device_id", "amount"]
    assert rows["t3"]["amount"] == 99.0


def test_tokenized_columns_carry_method_and_key_version_metadata(tokenized):
    out, _ = tokenized
    metadata = {f.name: f.metadata.get(METADATA_KEY) for f in out.schema.fields}
    assert metadata["account_number"] == {"method": "format_preserving", "key_version": "2025-11"}
    assert metadata["device_id"] == {"method": "hash", "key_version": None}
    assert metadata["amount"] is None


def test_no_key_material_appears_in_the_query_plan(tokenized, keyring):
    out, _ = tokenized
    plan = out._jdf.queryExecution().toString().lower()
    for secret in (DATA_KEY, keyring.subkey("deterministic/hmac-sha256"), keyring.subkey("encrypt/aes-256-gcm")):
        assert secret.hex() not in plan


def test_reidentify_reverses_encrypt_and_format_preserving_tokens(tokenized, keyring):
    out, _ = tokenized
    reversible = tuple(s for s in SPECS if s.method in ("encrypt", "format_preserving"))
    plain = {r["transaction_id"]: r for r in reidentify(out, reversible, keyring).collect()}
    assert plain["t1"]["email"] == "ann@example.com" and plain["t3"]["email"] is None and plain["t4"]["email"] == ""
    assert plain["t1"]["account_number"] == "4000123412341234"
    assert plain["t3"]["account_number"] == "5500000000000004"


def test_reidentify_refuses_one_way_tokens_and_other_key_versions(tokenized):
    out, _ = tokenized
    with pytest.raises(ValueError, match="one-way"):
        reidentify(out, (SPECS[0],), Keyring("2025-11", DATA_KEY))
    with pytest.raises(ValueError, match="key version other than '2026-01'"):
        reidentify(out, (SPECS[2],), Keyring("2026-01", DATA_KEY))
