"""Format-preserving tokens: FF3-1 (NIST SP 800-38G Rev. 1) from the `ff3` library, in an Arrow UDF.

FF3-1 has no native Spark implementation, so it runs in Python, vectorised with a `pandas_udf`. The
key and the 56-bit tweak arrive as columns (from the one-row key frame), never in the UDF's closure
or the plan. The library costs roughly 250 microseconds per value, so callers encrypt each distinct
value once and join the tokens back (see `tokenize`).
"""
from __future__ import annotations

import functools

import pandas as pd
from ff3 import FF3Cipher
from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

TWEAK_BYTES = 7  # FF3-1 tweaks are 56 bits


@functools.lru_cache(maxsize=32)
def _cipher(key_hex: str, tweak_hex: str, alphabet: str) -> FF3Cipher:
    return FF3Cipher.withCustomAlphabet(key_hex, tweak_hex, alphabet)


def domain_lengths(alphabet: str) -> tuple[int, int]:
    """Shortest and longest value FF3-1 accepts over this alphabet (domain >= 10^6; <= 2*floor(96/log2 radix))."""
    probe = FF3Cipher.withCustomAlphabet("00" * 16, "00" * TWEAK_BYTES, alphabet)
    return probe.minLen, probe.maxLen


def ff3_transform(values: list[str | None], key_hex: str, tweak_hex: str, alphabet: str, keep_prefix: int, decrypt: bool) -> list[str | None]:
    """Encrypts (or decrypts) each value after its first `keep_prefix` characters.
    None stays None and '' stays ''; a value outside the alphabet or length range raises ValueError."""
    cipher = _cipher(key_hex, tweak_hex, alphabet)
    apply = cipher.decrypt if decrypt else cipher.encrypt
    out: list[str | None] = []
    for value in values:
        if value is None or value == "":
            out.append(value)
            continue
        head, tail = value[:keep_prefix], value[keep_prefix:]
        if len(tail) < cipher.minLen or len(tail) > cipher.maxLen or any(ch not in alphabet for ch in tail):
            raise ValueError(
                f"a value of length {len(value)} cannot be format-preserving tokenized: after the {keep_prefix}-character "
                f"prefix it needs {cipher.minLen}-{cipher.maxLen} characters from the column's alphabet"
            )
        out.append(head + apply(tail))
    return out


def ff3_column(value: Column, key_hex: Column, tweak_hex: Column, alphabet: str, keep_prefix: int, decrypt: bool = False) -> Column:
    """FF3-1 over a string column with an Arrow-vectorised UDF; key and tweak are hex string columns."""

    @F.pandas_udf(T.StringType())  # type: ignore[call-overload]  # pandas has no stubs here, so no overload of pyspark's typed pandas_udf matches
    def ff3_udf(values: pd.Series, keys: pd.Series, tweaks: pd.Series) -> pd.Series:
        batch = pd.DataFrame({"value": values.astype(object).where(values.notna(), None), "key": keys, "tweak": tweaks})
        out = pd.Series([None] * len(batch), index=batch.index, dtype=object)
        # In the pipeline every row carries the same key and tweak; grouping keeps the UDF correct anyway.
        for (key_hex_value, tweak_hex_value), group in batch.groupby(["key", "tweak"], sort=False):
            out.loc[group.index] = ff3_transform(
                group["value"].tolist(), key_hex_value, tweak_hex_value, alphabet, keep_prefix, decrypt
            )
        return out

    return ff3_udf(value, key_hex, tweak_hex)
