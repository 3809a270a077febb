"""Replaces PII columns by tokens, per the profile's tokenization spec.

| method             | token                                   | reversible             | joinable |
|--------------------|-----------------------------------------|------------------------|----------|
| deterministic      | `<key_version>:<64 hex>` HMAC-SHA256    | no                     | yes      |
| format_preserving  | same length and alphabet, FF3-1         | with the key           | yes      |
| hash               | `sha256:<64 hex>`, unkeyed              | brute force if low-entropy | yes  |
| encrypt            | `<key_version>:<base64 iv+ct+tag>` AES-256-GCM | with the key    | no (random IV) |

Null stays null and the empty string stays empty for every method: neither is sensitive, and
tokenizing them would make all missing values collide on one token that looks like data. FF3-1
tokens cannot carry the key version inline without breaking the format, so every tokenized column
carries `{"sentinel_tokenization": {"method", "key_version"}}` in its Spark/Parquet field metadata
(and the run metrics record the version).

Key material (subkeys derived per method, per-column FF3-1 tweaks) travels as one broadcast row that
is cross-joined in and dropped again, so no key bytes appear as literals in the plan.
"""
from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from sentinel_etl.config import TokenSpec
from sentinel_etl.keys import Keyring
from sentinel_etl.tokenization.format_preserving import TWEAK_BYTES, ff3_column
from sentinel_etl.tokenization.hmac_sha256 import hmac_pads, hmac_sha256_hex

METADATA_KEY = "sentinel_tokenization"
HMAC_INNER = "_key_hmac_inner"
HMAC_OUTER = "_key_hmac_outer"
AES_KEY = "_key_aes"
FF3_KEY = "_key_ff3"
GCM_MODE = "GCM"
# A distinct-value table up to this size is broadcast to the join; above it, a shuffle join is used.
FPE_BROADCAST_LIMIT = 500_000


@dataclass(frozen=True)
class KeyMaterial:
    """The one-row frame holding derived key material, and the column names in it."""

    frame: DataFrame
    key_version: str

    @staticmethod
    def tweak_column(column: str) -> str:
        return f"_tweak_{column}"


def key_material(spark: SparkSession, keyring: Keyring, specs: tuple[TokenSpec, ...]) -> KeyMaterial:
    """Derives every subkey the specs need into a one-row DataFrame (binary pads and AES key, hex FF3-1 key/tweaks)."""
    inner, outer = hmac_pads(keyring.subkey("deterministic/hmac-sha256"))
    row: dict[str, object] = {
        HMAC_INNER: bytearray(inner),
        HMAC_OUTER: bytearray(outer),
        AES_KEY: bytearray(keyring.subkey("encrypt/aes-256-gcm")),
        FF3_KEY: keyring.subkey("format_preserving/ff3-1").hex(),
    }
    schema = [f"{HMAC_INNER} binary", f"{HMAC_OUTER} binary", f"{AES_KEY} binary", f"{FF3_KEY} string"]
    for spec in specs:
        if spec.method == "format_preserving":
            name = KeyMaterial.tweak_column(spec.column)
            row[name] = keyring.subkey(f"format_preserving/tweak/{spec.column}", TWEAK_BYTES).hex()
            schema.append(f"{name} string")
    frame = spark.createDataFrame([tuple(row.values())], ", ".join(schema))
    return KeyMaterial(frame=frame, key_version=keyring.key_version)


def _empty_or_null_kept(value: Column, token: Column) -> Column:
    return F.when(value.isNull(), F.lit(None).cast("string")).when(value == "", F.lit("")).otherwise(token)


def _aad(column: str) -> Column:
    # Binds each ciphertext to its column: a token moved to another column will not decrypt.
    return F.lit(f"sentinel:{column}").cast("binary")


def deterministic_token(value: Column, key_version: str) -> Column:
    digest = hmac_sha256_hex(value.cast("binary"), F.col(HMAC_INNER), F.col(HMAC_OUTER))
    return _empty_or_null_kept(value, F.concat(F.lit(f"{key_version}:"), digest))


def hash_token(value: Column) -> Column:
    return _empty_or_null_kept(value, F.concat(F.lit("sha256:"), F.sha2(value, 256)))


def encrypt_token(value: Column, column: str, key_version: str) -> Column:
    # An empty IV asks Spark for a fresh random 96-bit IV per value, prepended to the ciphertext.
    sealed = F.aes_encrypt(
        value.cast("binary"), F.col(AES_KEY), F.lit(GCM_MODE), F.lit("DEFAULT"), F.lit(b"").cast("binary"), _aad(column)
    )
    return _empty_or_null_kept(value, F.concat(F.lit(f"{key_version}:"), F.base64(sealed)))


def decrypt_token(token: Column, column: str) -> Column:
    """The plaintext of an `encrypt` token (needs the AES key column from the key material)."""
    payload = F.substring_index(token, ":", -1)
    opened = F.aes_decrypt(F.unbase64(payload), F.col(AES_KEY), F.lit(GCM_MODE), F.lit("DEFAULT"), _aad(column))
    return _empty_or_null_kept(token, opened.cast("string"))


def _with_format_preserving(df: DataFrame, spec: TokenSpec, keys: KeyMaterial, decrypt: bool = False) -> DataFrame:
    """Replaces `spec.column` by its FF3-1 token (or plaintext when decrypting), computed once per distinct value."""
    value = F.col(spec.column)
    distinct = df.select(value.alias("_fpe_in")).where(value.isNotNull() & (value != "")).distinct()
    tweak = KeyMaterial.tweak_column(spec.column)
    # The distinct values are few and small, so adaptive execution would coalesce them into one partition
    # and FF3-1 (pure Python) would run on one core; spread them over every core instead. The mapping is
    # computed once (checkpointed: its size decides the join, and no later action recomputes FF3-1).
    spread = distinct.repartition(df.sparkSession.sparkContext.defaultParallelism)
    mapping = (
        spread.crossJoin(F.broadcast(keys.frame.select(FF3_KEY, tweak)))
        .select(
            F.col("_fpe_in"),
            ff3_column(F.col("_fpe_in"), F.col(FF3_KEY), F.col(tweak), spec.alphabet, spec.keep_prefix, decrypt).alias("_fpe_out"),
        )
        .localCheckpoint(eager=True)
    )
    if mapping.count() <= FPE_BROADCAST_LIMIT:
        mapping = F.broadcast(mapping)
    joined = df.join(mapping, on=value == F.col("_fpe_in"), how="left")
    token = _empty_or_null_kept(value, F.col("_fpe_out"))
    return joined.withColumn(spec.column, token).drop("_fpe_in", "_fpe_out")


def tokenize(df: DataFrame, specs: tuple[TokenSpec, ...], keyring: Keyring) -> DataFrame:
    """Reads each `spec.column` (string); writes its token to the same column, tagged with
    `sentinel_tokenization` field metadata. Other columns pass through unchanged, in order."""
    if not specs:
        return df
    keys = key_material(df.sparkSession, keyring, specs)
    original_columns = df.columns
    out = df
    for spec in specs:
        if spec.method == "format_preserving":
            out = _with_format_preserving(out, spec, keys)
    with_keys = out.crossJoin(F.broadcast(keys.frame))
    by_column = {spec.column: spec for spec in specs}
    projected = []
    for name in original_columns:
        column_spec = by_column.get(name)
        value = F.col(name)
        if column_spec is None:
            projected.append(value)
            continue
        if column_spec.method == "deterministic":
            token = deterministic_token(value, keyring.key_version)
        elif column_spec.method == "hash":
            token = hash_token(value)
        elif column_spec.method == "encrypt":
            token = encrypt_token(value, name, keyring.key_version)
        else:
            token = value
        metadata = {METADATA_KEY: {"method": column_spec.method, "key_version": None if column_spec.method == "hash" else keyring.key_version}}
        projected.append(token.alias(name, metadata=metadata))
    return with_keys.select(*projected)


def reidentify(df: DataFrame, specs: tuple[TokenSpec, ...], keyring: Keyring) -> DataFrame:
    """The authorised re-identification path: reverses `encrypt` and `format_preserving` columns.

    Reads each spec.column's token; writes the plaintext to the same column. Fails for tokens of
    another key version (they need that version's keyring) and for one-way methods.
    """
    one_way = [s.column for s in specs if s.method in ("deterministic", "hash")]
    if one_way:
        raise ValueError(f"columns {one_way} use one-way tokens and cannot be re-identified")
    keys = key_material(df.sparkSession, keyring, specs)
    out = df
    for spec in specs:
        if spec.method == "format_preserving":
            out = _with_format_preserving(out, spec, keys, decrypt=True)
    encrypted = [s.column for s in specs if s.method == "encrypt"]
    if not encrypted:
        return out
    other_version = F.lit(False)
    for name in encrypted:
        token = F.col(name)
        other_version = other_version | (token.isNotNull() & (token != "") & ~token.startswith(f"{keyring.key_version}:"))
    mismatched = out.where(other_version).count()
    if mismatched:
        raise ValueError(f"{mismatched} rows hold tokens from a key version other than {keyring.key_version!r}")
    with_keys = out.crossJoin(F.broadcast(keys.frame))
    return with_keys.select(*[decrypt_token(F.col(c), c).alias(c) if c in encrypted else F.col(c) for c in out.columns])
