"""The domain of format-preserving tokens: FF1 (NIST SP 800-38G), computed in the JVM (Ff1Token).

Validation needs the shortest value a spec can tokenize before any JVM function runs, so the rule is
mirrored here; a test compares it with the Java library's own `Ff1Token.minimumValueLength`.
"""

from __future__ import annotations

from sentinel_etl.config import TokenSpec

# SP 800-38G: radix ** minlen >= 1,000,000. FF1's maxlen (2**32) is beyond any string column.
MINIMUM_DOMAIN = 1_000_000
MAXIMUM_RADIX = 256  # Bouncy Castle's byte interface: one numeral per byte


def ff1_minimum_length(radix: int) -> int:
    """The fewest characters FF1 encrypts over an alphabet of `radix` characters."""
    length = 2
    while radix**length < MINIMUM_DOMAIN:
        length += 1
    return length


def minimum_value_length(spec: TokenSpec) -> int:
    """The shortest value a format_preserving spec tokenizes: kept prefix, FF1's minimum, and the check
    digit a Luhn-failing token sets aside."""
    return spec.keep_prefix + ff1_minimum_length(len(spec.alphabet)) + (1 if spec.fail_luhn else 0)
