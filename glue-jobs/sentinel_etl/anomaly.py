"""Isolation-forest anomaly scores: fitted on a bounded sample on the driver, applied to every row in parallel.

The forest is scikit-learn's `IsolationForest` (Liu, Ting and Zhou, ICDM 2008), which needs only a small
sample by design (256 rows per tree), so fitting on the driver is cheap; scoring walks the trees in the JVM
(`sentinel.anomaly.IsolationForestPathLength`, in the job's jar) and applies the final power with numpy in
an Arrow-vectorised `pandas_udf`, so the scores are bit for bit scikit-learn's. The persisted model is data
only (`forest_arrays`: the trees' node arrays as JSON, never pickle or joblib, so loading it runs no code),
with the feature order, imputation medians and threshold; its SHA-256 is the model's version, recorded in
run metrics and lineage, re-checked whenever the model is loaded again, and authenticated with the run's
state MAC (`fitted_state`).

`anomaly_score` is the paper's s(x, psi) = 2^(-E[h(x)] / c(psi)), i.e. `-IsolationForest.score_samples`:
in (0, 1], about 0.5 or less for ordinary rows, approaching 1 for rows isolated in few splits.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import BooleanType, NumericType
from sklearn.ensemble import IsolationForest

from sentinel_etl import fitted_state
from sentinel_etl.forest_arrays import ForestArrays, dumps, loads, score_from_path_length
from sentinel_etl.jvm_gateway import jvm_gateway
from sentinel_etl.spec_schema import parse_section
from sentinel_etl.tokenization.jvm import DEFAULT_JAR, JAR_NAME, JvmLibraryMissing

STATE_KIND = "anomaly-model"
PAYLOAD_FORMAT = 2
#: Suffix of the stored model (format 1 was joblib, which this job no longer loads).
MODEL_SUFFIX = ".forest.json"


@dataclass(frozen=True)
class AnomalySpec:
    features: tuple[str, ...]
    n_estimators: int
    max_samples: int
    contamination: str | float
    fit_sample_rows: int
    seed: int

    @classmethod
    def from_dict(cls, d: Any) -> AnomalySpec:
        s = parse_section("anomaly", d)
        return cls(
            features=tuple(s["features"]),
            n_estimators=s["n_estimators"],
            max_samples=s["max_samples"],
            contamination=s["contamination"],
            fit_sample_rows=s["fit_sample_rows"],
            seed=s["seed"],
        )

    def fitted_for(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "n_estimators": self.n_estimators,
            "max_samples": self.max_samples,
            "contamination": self.contamination,
            "fit_sample_rows": self.fit_sample_rows,
            "seed": self.seed,
        }


@dataclass(frozen=True, eq=False)
class FittedModel:
    #: What scores: the forest as arrays, whether just fitted or loaded.
    forest: ForestArrays
    features: tuple[str, ...]
    impute_medians: tuple[float, ...]
    threshold: float
    fit_rows: int
    sklearn_version: str
    payload: bytes
    hash: str
    #: The scikit-learn estimator when this run fitted the model (None when loaded: only data is stored).
    estimator: IsolationForest | None = None

    @property
    def version(self) -> str:
        return self.hash

    def to_metrics(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "hash": self.hash,
            "algorithm": "sklearn.ensemble.IsolationForest",
            "sklearn_version": self.sklearn_version,
            "features": list(self.features),
            "impute_medians": dict(zip(self.features, self.impute_medians, strict=False)),
            "format": "forest-arrays-json",
            "n_estimators": self.forest.n_estimators,
            "max_samples": self.forest.max_samples_,
            "contamination": self.forest.contamination,
            "seed": self.forest.random_state,
            "threshold": self.threshold,
            "fit_rows": self.fit_rows,
        }


def _feature_matrix(frame: pd.DataFrame, medians: np.ndarray | None = None) -> np.ndarray:
    """float64 matrix; null and non-finite cells become NaN, then (when given) the feature's median."""
    matrix = frame.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    matrix[~np.isfinite(matrix)] = np.nan
    if medians is not None:
        matrix = np.where(np.isnan(matrix), medians, matrix)
    return matrix


def _check_features(df: DataFrame, features: tuple[str, ...]) -> None:
    missing = [f for f in features if f not in df.columns]
    if missing:
        raise ValueError(f"anomaly features {missing} are not in the data")
    non_numeric = [
        f"{f} ({df.schema[f].dataType.simpleString()})"
        for f in features
        if not isinstance(df.schema[f].dataType, (NumericType, BooleanType))
    ]
    if non_numeric:
        raise TypeError(f"anomaly features must be numeric or boolean: {non_numeric}")


def _fit_sample(df: DataFrame, spec: AnomalySpec, row_count: int | None = None) -> pd.DataFrame:
    """At most `fit_sample_rows` rows (seeded Bernoulli sample, then a cap) of the features, on the driver.
    `row_count`, when the caller knows how many rows `df` has, saves counting them (a pass over the data)."""
    features = df.select(*[F.col(f).cast("double").alias(f) for f in spec.features])
    total = features.count() if row_count is None else row_count
    if total > spec.fit_sample_rows:
        # A little over the target fraction so the Bernoulli sample rarely falls short, then cap it exactly.
        fraction = min(1.0, 1.1 * spec.fit_sample_rows / total)
        features = features.sample(withReplacement=False, fraction=fraction, seed=spec.seed).limit(spec.fit_sample_rows)
    return features.toPandas()


def _serialise(content: dict[str, Any]) -> bytes:
    """Data-only bytes of a fitted model: the forest's arrays and the model's settings."""
    return dumps(
        {**{k: v for k, v in content.items() if k != "estimator"}, "forest": ForestArrays.from_estimator(content["estimator"]).to_json()}
    )


def _parse_payload(payload: bytes) -> dict[str, Any]:
    """The stored model as data; refuses anything that is not the data-only format."""
    try:
        content = loads(payload)
    except (UnicodeDecodeError, ValueError) as exc:
        raise fitted_state.FittedStateError(f"stored anomaly model is not the data-only format (JSON {PAYLOAD_FORMAT}): {exc}") from exc
    if content.get("format") != PAYLOAD_FORMAT:
        raise fitted_state.FittedStateError(
            f"stored anomaly model has format {content.get('format')!r}, this job loads only format {PAYLOAD_FORMAT} "
            "(data-only arrays; pickled/joblib models are never loaded); run with refit to replace it"
        )
    return content


def _model_from_payload(payload: bytes, hash_: str, estimator: IsolationForest | None = None) -> FittedModel:
    content = _parse_payload(payload)
    try:
        forest = ForestArrays.from_json(content["forest"])
    except (KeyError, TypeError, ValueError) as exc:
        raise fitted_state.FittedStateError(f"stored anomaly model {hash_} is malformed: {exc}") from exc
    return FittedModel(
        forest=forest,
        features=tuple(content["features"]),
        impute_medians=tuple(content["impute_medians"]),
        threshold=content["threshold"],
        fit_rows=content["fit_rows"],
        sklearn_version=content["sklearn_version"],
        payload=payload,
        hash=hash_,
        estimator=estimator,
    )


def _fit(df: DataFrame, spec: AnomalySpec, row_count: int | None = None) -> dict[str, Any]:
    sample = _fit_sample(df, spec, row_count)
    if sample.empty:
        raise ValueError("cannot fit the anomaly model: the data has no rows")
    raw = _feature_matrix(sample)
    unusable = [f for f, usable in zip(spec.features, np.isfinite(raw).any(axis=0), strict=False) if not usable]
    if unusable:
        raise ValueError(f"cannot fit the anomaly model: features {unusable} have no finite value in the fit sample")
    medians = np.nanmedian(raw, axis=0)
    estimator = IsolationForest(
        n_estimators=spec.n_estimators,
        # scikit-learn would cap it too, with a warning; capping here keeps the logs clean.
        max_samples=min(spec.max_samples, len(sample)),
        contamination=spec.contamination,
        random_state=spec.seed,
    ).fit(_feature_matrix(sample, medians))
    return {
        "format": PAYLOAD_FORMAT,
        "estimator": estimator,
        "features": list(spec.features),
        "impute_medians": [float(m) for m in medians],
        # score_samples is -s(x); predict flags score_samples < offset_, i.e. s(x) > -offset_.
        "threshold": float(-estimator.offset_),
        "fit_rows": len(sample),
        "sklearn_version": sklearn.__version__,
    }


def load_model(spec: AnomalySpec, state_uri: str) -> FittedModel | None:
    """The current model under `state_uri` (hash-verified), or None when there is none.

    Fails with a FittedStateError when the stored model was fitted for other settings or with another
    scikit-learn version (its trees were grown by other code, so reuse would not be a like-for-like refit).
    """
    stored = fitted_state.load_current(state_uri, STATE_KIND)
    if stored is None:
        return None
    fitted_state.require_fitted_for("anomaly model", stored, spec.fitted_for())
    if stored.pointer.get("sklearn_version") != sklearn.__version__:
        raise fitted_state.FittedStateError(
            f"anomaly model {stored.version} was fitted with scikit-learn "
            f"{stored.pointer.get('sklearn_version')}, this runtime has {sklearn.__version__}; "
            "run with refit to replace it"
        )
    return _model_from_payload(stored.payload, stored.version)


def fit_model(df: DataFrame, spec: AnomalySpec, state_uri: str, row_count: int | None = None) -> FittedModel:
    """Fits a model on a sample of `df` and saves it as the current version under `state_uri`."""
    _check_features(df, spec.features)
    content = _fit(df, spec, row_count)
    payload = _serialise(content)
    version = fitted_state.save(
        state_uri,
        STATE_KIND,
        payload,
        MODEL_SUFFIX,
        {"fitted_for": spec.fitted_for(), "sklearn_version": sklearn.__version__, "fit_rows": content["fit_rows"]},
    )
    return _model_from_payload(payload, version, estimator=content["estimator"])


def fit_or_load_model(df: DataFrame, spec: AnomalySpec, state_uri: str, refit: bool, row_count: int | None = None) -> FittedModel:
    """The current model under `state_uri` (`load_model`), or a new fit (`fit_model`) when there is none or `refit`."""
    stored = None if refit else load_model(spec, state_uri)
    return stored if stored is not None else fit_model(df, spec, state_uri, row_count)


_function_names = itertools.count(1)


def _jvm_forest(spark: SparkSession, forest: ForestArrays, medians: Any, label: str) -> Any:
    """The forest as a `sentinel.anomaly.IsolationForestPathLength` in the driver JVM, built from its arrays
    (numbers only: nothing is loaded as code)."""
    from py4j.java_gateway import JavaClass  # type: ignore[import-untyped]  # py4j ships no type information

    scorer_class = jvm_gateway(spark).sentinel.anomaly.IsolationForestPathLength
    if not isinstance(scorer_class, JavaClass):  # Py4J leaves an unknown class a JavaPackage
        raise JvmLibraryMissing(
            f"Spark cannot load sentinel.anomaly.IsolationForestPathLength: put {JAR_NAME} on the session's classpath "
            f"(locally spark.jars, built by `npm run bootstrap` at {DEFAULT_JAR}; on Glue --extra-jars)"
        )
    arrays = forest.little_endian_arrays()
    return scorer_class.fromLittleEndian(
        *(
            bytearray(arrays[name])
            for name in ("node_counts", "left", "right", "feature", "threshold", "decision_path_length", "average_path_length")
        ),
        bytearray(np.asarray(medians, dtype="<f8").tobytes()),
        forest.denominator,
        label,
    )


def _path_length_function(spark: SparkSession, model: FittedModel) -> str:
    """Registers the model's forest as a JVM function under a fresh name: a struct of the features (doubles,
    nulls allowed) -> E[h(x)] / c(psi).

    The Java object is built on the driver from `model.forest`, decoded from the stored payload whose hash
    was checked when it was loaded, and reaches the executors inside the serialized task, as the
    tokenization functions do (tokenization/jvm.py)."""
    scorer = _jvm_forest(spark, model.forest, model.impute_medians, model.hash)
    name = f"sentinel_anomaly_path_length_{next(_function_names)}"
    spark._jsparkSession.udf().register(name, scorer, jvm_gateway(spark).org.apache.spark.sql.types.DataTypes.DoubleType)
    return name


def score_anomalies(df: DataFrame, model: FittedModel, spec: AnomalySpec) -> DataFrame:
    """Reads `model.features` (numeric/boolean); writes `anomaly_score` (double in (0, 1], higher = more
    anomalous) and `is_anomaly` (boolean: `anomaly_score > model.threshold`, exactly sklearn's `predict == -1`).

    Null and non-finite feature values are replaced by the medians fitted with the model. The trees are
    walked in the JVM (`_path_length_function`); the final `2 ** -x` is numpy's, in an Arrow-vectorised
    `pandas_udf` over that one column, because only numpy's own power rounds as scikit-learn's does
    (forest_arrays.py).
    """
    if tuple(spec.features) != model.features:
        raise ValueError(
            f"anomaly model {model.hash} scores {list(model.features)}, config asks for {list(spec.features)}; "
            "load or refit the model for this config"
        )
    _check_features(df, model.features)
    path_length = _path_length_function(df.sparkSession, model)

    @pandas_udf("double")  # type: ignore[call-overload]  # pandas has no stubs here, so no overload of pyspark's typed pandas_udf matches
    def isolation_score(normalised_path_length: pd.Series) -> pd.Series:
        return pd.Series(score_from_path_length(normalised_path_length.to_numpy(dtype=np.float64)))

    feature_struct = F.struct(*[F.col(f).cast("double").alias(f) for f in model.features])
    return df.withColumn("anomaly_score", isolation_score(F.call_function(path_length, feature_struct))).withColumn(
        "is_anomaly", F.col("anomaly_score") > F.lit(model.threshold)
    )
