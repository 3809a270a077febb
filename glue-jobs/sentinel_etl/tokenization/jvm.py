"""Sentinel's JVM tokenization functions (glue-jobs/jvm, the jar `sentinel-tokenization.jar`) as Spark functions.

Each function is a Java object (`sentinel.tokenization.*`, a Spark `UDF1`) constructed on the driver
with its key through the Py4J gateway, and registered in the session under a fresh name; columns call
it by that name. Why the key travels this way, and not as data:

* a key given as a column (a literal, or a one-row frame joined in) is a value in the query: it can
  show in `explain` output, the Spark UI and event logs as soon as the optimizer folds it;
* `spark.udf.registerJavaFunction` instantiates a class by name with no arguments, so the key would
  have to reach the executors some other way (a job argument, a file, an environment variable);
* a registered function object shows in plans by its name only, and reaches the executors inside the
  serialized task, like any function Spark runs. The Java classes never print their keys (`toString`).

The Py4J client logs every command it sends at DEBUG level, and a command that constructs one of these
objects carries the key bytes; `_gateway_quiet` keeps those records from being emitted whatever the
logging configuration. Locally the jar is on `spark.jars` (spark_session.py); on Glue it is in
`--extra-jars`.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F

from sentinel_etl.jvm_gateway import jvm_gateway

JAR_NAME = "sentinel-tokenization.jar"
# The jar the project's set-up builds (tools/build/jvm.sh), for runs from the source tree.
DEFAULT_JAR = Path(__file__).resolve().parents[3] / "build" / "jvm" / JAR_NAME
PACKAGE = "sentinel.tokenization"
PY4J_LOGGERS = ("py4j", "py4j.java_gateway", "py4j.clientserver")
_names = itertools.count(1)


class JvmLibraryMissing(RuntimeError):
    """The session's JVM cannot load the tokenization classes (the jar is not on its classpath)."""


@dataclass(frozen=True)
class JvmFunction:
    """A registered JVM tokenization function: call it on a string column.

    `on_utf8_bytes`: the Java function takes and returns UTF-8 bytes (a `UDF1<byte[], byte[]>`). Spark
    passes a binary column to it as is, where a string column is decoded to a `java.lang.String` and the
    result encoded back; the casts around the call (string -> binary copies the bytes, binary -> string
    wraps them) cost less than those conversions."""

    name: str
    on_utf8_bytes: bool = False

    def __call__(self, value: Column) -> Column:
        if self.on_utf8_bytes:
            return F.call_function(self.name, value.cast("binary")).cast("string")
        return F.call_function(self.name, value)


@contextlib.contextmanager
def _gateway_quiet() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in PY4J_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _java_class(spark: SparkSession, simple_name: str) -> Any:
    from py4j.java_gateway import JavaClass  # type: ignore[import-untyped]  # py4j ships no type information

    # Py4J resolves a class one package level at a time; an unknown class stays a JavaPackage.
    java_class = functools.reduce(getattr, [*PACKAGE.split("."), simple_name], jvm_gateway(spark))
    if not isinstance(java_class, JavaClass):
        raise JvmLibraryMissing(
            f"Spark cannot load {PACKAGE}.{simple_name}: put {JAR_NAME} on the session's classpath "
            f"(locally spark.jars, built by `npm run bootstrap` at {DEFAULT_JAR}; on Glue --extra-jars)"
        )
    return java_class


def _register(spark: SparkSession, purpose: str, function: object, result_type: str = "StringType") -> JvmFunction:
    """Registers `function` under a fresh name; `result_type` names a field of Spark's `DataTypes`
    (`BinaryType`: a function over UTF-8 bytes, see `JvmFunction`)."""
    name = f"sentinel_{purpose}_{next(_names)}"
    data_type = getattr(jvm_gateway(spark).org.apache.spark.sql.types.DataTypes, result_type)
    spark._jsparkSession.udf().register(name, function, data_type)
    return JvmFunction(name, on_utf8_bytes=result_type == "BinaryType")


def luhn_check(spark: SparkSession) -> JvmFunction:
    """True when the value is one or more ASCII digits passing the ISO/IEC 7812 Luhn check, false for the empty
    string or any other character, null for null (`sentinel.tokenization.LuhnCheck`; holds no key)."""
    check_class = _java_class(spark, "LuhnCheck")
    return _register(spark, "luhn_check", check_class(), "BooleanType")


def utc_timestamp_micros(spark: SparkSession) -> JvmFunction:
    """Microseconds since the epoch of a canonical `yyyy-MM-ddTHH:mm:ssZ` value given as UTF-8 bytes (binary),
    null for any other text or an impossible date or time (`sentinel.tokenization.UtcTimestampMicros`;
    validation's fast path beside Spark's cast, holds no key)."""
    return _register(spark, "utc_timestamp_micros", _java_class(spark, "UtcTimestampMicros")(), "LongType")


def hmac_sha256(spark: SparkSession, key: bytes, key_version: str, column: str) -> JvmFunction:
    """`<key_version>:<64 hex>` HMAC-SHA256 of the value's UTF-8 bytes (null and '' kept)."""
    token_class = _java_class(spark, "HmacSha256Token")
    with _gateway_quiet():
        function = token_class(bytearray(key), key_version).onUtf8Bytes()
    return _register(spark, f"hmac_{column}", function, "BinaryType")


def aes_gcm(spark: SparkSession, key: bytes, key_version: str, column: str) -> JvmFunction:
    """`<key_version>:<base64(IV || ciphertext || tag)>` AES-256-GCM with a fresh random IV per value and associated
    data `sentinel:<column>`: the layout of Spark's `aes_encrypt(..., 'GCM', ...)`, which `aes_decrypt` opens
    (null and '' kept)."""
    token_class = _java_class(spark, "AesGcmToken")
    with _gateway_quiet():
        function = token_class(bytearray(key), key_version, column)
    return _register(spark, f"gcm_{column}", function, "BinaryType")


def ff1(
    spark: SparkSession, key: bytes, tweak: bytes, alphabet: str, keep_prefix: int, fail_luhn: bool, column: str, decrypt: bool = False
) -> JvmFunction:
    """FF1 over the characters after `keep_prefix` (or its inverse), Luhn-failing when asked (null and '' kept)."""
    token_class = _java_class(spark, "Ff1Token")
    factory = token_class.decrypting if decrypt else token_class.encrypting
    with _gateway_quiet():
        function = factory(bytearray(key), bytearray(tweak), alphabet, keep_prefix, fail_luhn)
    return _register(spark, f"ff1_{'decrypt' if decrypt else 'encrypt'}_{column}", function)


def aes_siv(spark: SparkSession, key: bytes, key_version: str, column: str, decrypt: bool = False) -> JvmFunction:
    """`<key_version>:<base64(SIV || ciphertext)>` AES-SIV with associated data `sentinel:<column>`, or its inverse."""
    token_class = _java_class(spark, "AesSivToken")
    factory = token_class.opening if decrypt else token_class.sealing
    with _gateway_quiet():
        function = factory(bytearray(key), key_version, column)
    return _register(spark, f"siv_{'decrypt' if decrypt else 'encrypt'}_{column}", function)
