"""Replaces PII columns by tokens, per the profile's tokenization spec.

| method                | token                                              | reversible     | joinable       |
|-----------------------|----------------------------------------------------|----------------|----------------|
| deterministic         | `<key_version>:<64 hex>` HMAC-SHA256               | no             | yes            |
| format_preserving     | same prefix, length and alphabet, FF1              | with the key   | yes            |
| deterministic_encrypt | `<key_version>:<base64 SIV+ct>` AES-SIV            | with the key   | yes            |
| hash                  | `sha256:<64 hex>`, unkeyed                         | brute force if low-entropy | yes |
| encrypt               | `<key_version>:<base64 iv+ct+tag>` AES-256-GCM     | with the key   | no (random IV) |

HMAC, FF1, AES-SIV and AES-GCM run in the JVM (glue-jobs/jvm, see `jvm.py` for how their keys get
there); `hash` is Spark's native `sha2`. The `encrypt` tokens have the layout of Spark's `aes_encrypt` in GCM
mode, so re-identification opens them with Spark's native `aes_decrypt`. Null stays null and the empty string
stays empty for every method: neither is sensitive, and tokenizing them would make all missing values
collide on one token that looks like data. FF1 tokens cannot carry the key version inline without
breaking the format, so every tokenized column carries `{"sentinel_tokenization": {"method",
"key_version", "algorithm"}}` in its Spark/Parquet field metadata (and the run metrics record the
version). The algorithm tells re-identification which tokens it can reverse: format_preserving
tokens written before FF1 (FF3-1, no algorithm recorded) are refused rather than decrypted wrongly.

Subkeys (HKDF labels under `sentinel/`): `deterministic/hmac-sha256`, `format_preserving/ff1`,
`deterministic_encrypt/aes-siv/s2v` and `.../ctr` (the two halves of the 512-bit AES-SIV key) and
`encrypt/aes-256-gcm`. The FF1 tweak and the AES-SIV and AES-GCM associated data name the column
(`sentinel:<column>`), so equal values in two columns give unrelated tokens.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from sentinel_etl.config import TokenSpec
from sentinel_etl.keys import Keyring
from sentinel_etl.tokenization import jvm

METADATA_KEY = "sentinel_tokenization"
AES_KEY = "_key_aes"
GCM_MODE = "GCM"
REVERSIBLE = ("format_preserving", "deterministic_encrypt", "encrypt")
ALGORITHMS = {
    "deterministic": "hmac-sha256",
    "format_preserving": "ff1-aes256",
    "deterministic_encrypt": "aes-siv-512",
    "hash": "sha256",
    "encrypt": "aes-256-gcm",
}
VERSIONED_INLINE = ("deterministic_encrypt", "encrypt")


def _empty_or_null_kept(value: Column, token: Column) -> Column:
    return F.when(value.isNull(), F.lit(None).cast("string")).when(value == "", F.lit("")).otherwise(token)


def _column_binding(column: str) -> bytes:
    # Binds each token to its column: the FF1 tweak, the AES-SIV and AES-GCM associated data.
    return f"sentinel:{column}".encode()


def _aes_gcm_key_frame(df: DataFrame, keyring: Keyring) -> DataFrame:
    # Spark's native aes_decrypt takes its key as a column: a one-row frame, cross-joined in and dropped.
    return df.sparkSession.createDataFrame([(bytearray(keyring.subkey("encrypt/aes-256-gcm")),)], f"{AES_KEY} binary")


def _siv_key(keyring: Keyring) -> bytes:
    return keyring.subkey("deterministic_encrypt/aes-siv/s2v") + keyring.subkey("deterministic_encrypt/aes-siv/ctr")


def _ff1(df: DataFrame, spec: TokenSpec, keyring: Keyring, decrypt: bool) -> jvm.JvmFunction:
    return jvm.ff1(
        df.sparkSession,
        keyring.subkey("format_preserving/ff1"),
        _column_binding(spec.column),
        spec.alphabet,
        spec.keep_prefix,
        spec.fail_luhn,
        spec.column,
        decrypt=decrypt,
    )


def hash_token(value: Column) -> Column:
    return _empty_or_null_kept(value, F.concat(F.lit("sha256:"), F.sha2(value, 256)))


def decrypt_token(token: Column, column: str) -> Column:
    """The plaintext of an `encrypt` token (`jvm.aes_gcm`: IV || ciphertext || tag, as Spark's `aes_encrypt`
    lays it out) with Spark's native `aes_decrypt` (needs the AES key column of `_aes_gcm_key_frame`)."""
    payload = F.substring_index(token, ":", -1)
    opened = F.aes_decrypt(
        F.unbase64(payload), F.col(AES_KEY), F.lit(GCM_MODE), F.lit("DEFAULT"), F.lit(_column_binding(column)).cast("binary")
    )
    return _empty_or_null_kept(token, opened.cast("string"))


def algorithm(spec: TokenSpec) -> str:
    """What made a column's tokens, as recorded in its field metadata."""
    return ALGORITHMS[spec.method] + ("-luhn-failing" if spec.fail_luhn else "")


def _token(df: DataFrame, spec: TokenSpec, keyring: Keyring) -> Column:
    value = F.col(spec.column)
    if spec.method == "deterministic":
        return jvm.hmac_sha256(df.sparkSession, keyring.subkey("deterministic/hmac-sha256"), keyring.key_version, spec.column)(value)
    if spec.method == "format_preserving":
        return _ff1(df, spec, keyring, decrypt=False)(value)
    if spec.method == "deterministic_encrypt":
        return jvm.aes_siv(df.sparkSession, _siv_key(keyring), keyring.key_version, spec.column)(value)
    if spec.method == "hash":
        return hash_token(value)
    if spec.method == "encrypt":
        return jvm.aes_gcm(df.sparkSession, keyring.subkey("encrypt/aes-256-gcm"), keyring.key_version, spec.column)(value)
    raise ValueError(f"unknown tokenization method {spec.method!r} for column {spec.column}")


def _replace_columns(
    df: DataFrame,
    specs: tuple[TokenSpec, ...],
    keyring: Keyring,
    replacement: Callable[[DataFrame, TokenSpec, Column], Column],
    gcm_key_column: bool = False,
) -> DataFrame:
    """`df` with each spec's column replaced by `replacement(source, spec, column)` (which names it), the
    other columns unchanged, in order. `source` is the frame the replacements read: `df`, with the AES-GCM
    key column of `_aes_gcm_key_frame` cross-joined in when `gcm_key_column` and a spec uses `encrypt`
    (Spark's `aes_decrypt` takes its key as a column; tokenizing needs none)."""
    by_column = {spec.column: spec for spec in specs}
    needs_gcm_key = gcm_key_column and any(spec.method == "encrypt" for spec in specs)
    source = df.crossJoin(F.broadcast(_aes_gcm_key_frame(df, keyring))) if needs_gcm_key else df
    return source.select(
        *[F.col(name) if name not in by_column else replacement(source, by_column[name], F.col(name)) for name in df.columns]
    )


def tokenize(df: DataFrame, specs: tuple[TokenSpec, ...], keyring: Keyring) -> DataFrame:
    """Reads each `spec.column` (string); writes its token to the same column, tagged with
    `sentinel_tokenization` field metadata. Other columns pass through unchanged, in order."""
    if not specs:
        return df

    def token(source: DataFrame, spec: TokenSpec, value: Column) -> Column:
        key_version = None if spec.method == "hash" else keyring.key_version
        metadata = {METADATA_KEY: {"method": spec.method, "key_version": key_version, "algorithm": algorithm(spec)}}
        return _token(source, spec, keyring).alias(spec.column, metadata=metadata)

    return _replace_columns(df, specs, keyring, token)


def reidentify(df: DataFrame, specs: tuple[TokenSpec, ...], keyring: Keyring) -> DataFrame:
    """The authorised re-identification path: reverses `format_preserving`, `deterministic_encrypt`
    and `encrypt` columns.

    Reads each spec.column's token; writes the plaintext to the same column. Fails for tokens of
    another key version (they need that version's keyring) and for one-way methods.
    """
    one_way = [s.column for s in specs if s.method not in REVERSIBLE]
    if one_way:
        raise ValueError(f"columns {one_way} use one-way tokens and cannot be re-identified")
    for spec in specs:
        # FF1 tokens carry their key version and algorithm only here, in the field metadata the job wrote.
        recorded = df.schema[spec.column].metadata.get(METADATA_KEY)
        if recorded is None:
            continue
        if recorded.get("key_version") != keyring.key_version:
            raise ValueError(
                f"column {spec.column} holds tokens from a key version other than {keyring.key_version!r} ({recorded.get('key_version')!r})"
            )
        if recorded.get("algorithm", "ff3-1" if spec.method == "format_preserving" else ALGORITHMS[spec.method]) != algorithm(spec):
            raise ValueError(
                f"column {spec.column} holds {recorded.get('algorithm', 'FF3-1 (before algorithms were recorded)')} tokens; "
                f"this profile makes {algorithm(spec)} tokens, and only those are reversed here"
            )
    other_version = F.lit(False)
    for spec in specs:
        if spec.method in VERSIONED_INLINE:
            token = F.col(spec.column)
            other_version = other_version | (token.isNotNull() & (token != "") & ~token.startswith(f"{keyring.key_version}:"))
    mismatched = df.where(other_version).count()
    if mismatched:
        raise ValueError(f"{mismatched} rows hold tokens from a key version other than {keyring.key_version!r}")

    def plaintext(source: DataFrame, spec: TokenSpec, token: Column) -> Column:
        if spec.method == "encrypt":
            return decrypt_token(token, spec.column).alias(spec.column)
        if spec.method == "deterministic_encrypt":
            return jvm.aes_siv(df.sparkSession, _siv_key(keyring), keyring.key_version, spec.column, decrypt=True)(token).alias(spec.column)
        return _ff1(df, spec, keyring, decrypt=True)(token).alias(spec.column)

    return _replace_columns(df, specs, keyring, plaintext, gcm_key_column=True)
