"""The JVM tree walk (`sentinel.anomaly.IsolationForestPathLength`) against scikit-learn.

`sklearn_fixture` writes the JUnit fixture (glue-jobs/jvm/src/test/resources/sentinel/anomaly/sklearn-forest.txt):
a forest fitted by scikit-learn, rows including edge values, and the normalised path lengths sklearn raises 2
to the power of. The first test checks the committed file is what this scikit-learn gives, so the Java test
compares with sklearn itself; regenerate with
`PYTHONPATH=$PWD ../.venv/bin/python -c 'import tests.test_anomaly_jvm as t; t.write_fixture()'` from glue-jobs.
"""

import base64
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyspark.sql.types import DoubleType, IntegerType, StructField, StructType
from sklearn.ensemble import IsolationForest
from sklearn.ensemble._iforest import _average_path_length

from sentinel_etl.anomaly import AnomalySpec, fit_or_load_model, score_anomalies
from sentinel_etl.forest_arrays import ForestArrays

FIXTURE = Path(__file__).resolve().parents[1] / "jvm" / "src" / "test" / "resources" / "sentinel" / "anomaly" / "sklearn-forest.txt"
FEATURES = ["a", "b", "c"]


def sklearn_normalised_path_length(estimator: IsolationForest, X: np.ndarray) -> np.ndarray:
    """E[h(x)] / c(psi) as `IsolationForest._compute_score_samples` (scikit-learn 1.5) computes it, from the
    estimator's own trees and arrays; the caller checks 2 ** -result is the estimator's score."""
    X32 = np.asarray(X, dtype=np.float32)
    subsample = estimator._max_features != X.shape[1]
    depths = np.zeros(X.shape[0], order="f")
    for index, (tree, features) in enumerate(zip(estimator.estimators_, estimator.estimators_features_, strict=True)):
        leaves = tree.apply(X32[:, features] if subsample else X32, check_input=False)
        depths += estimator._decision_path_lengths[index][leaves] + estimator._average_path_length_per_tree[index][leaves] - 1.0
    denominator = len(estimator.estimators_) * _average_path_length([estimator._max_samples])
    return np.divide(depths, denominator, out=np.ones_like(depths), where=denominator != 0)


def edge_rows(forest: ForestArrays, rng: np.random.Generator, medians: np.ndarray) -> np.ndarray:
    """Rows whose values sit on the forest's split thresholds and their float32 neighbours, and the values
    imputation and the float32 cast treat specially."""
    rows = []
    for tree in forest.trees[:4]:
        for node in np.flatnonzero(tree.left != -1):
            t = tree.threshold[node]
            for value in (t, np.nextafter(np.float32(t), np.float32(-np.inf)), np.nextafter(np.float32(t), np.float32(np.inf))):
                row = rng.normal(size=len(medians))
                row[tree.feature[node]] = float(value)
                rows.append(row)
    specials = [
        np.nan,
        np.inf,
        -np.inf,
        0.0,
        -0.0,
        5e-324,
        -5e-324,
        float(np.finfo(np.float32).max),
        -float(np.finfo(np.float32).max),
        1e-45,
    ]
    for value in specials:
        for column in range(len(medians)):
            row = rng.normal(size=len(medians))
            row[column] = value
            rows.append(row)
    rows.append(np.full(len(medians), np.nan))
    rows.append(medians.copy())
    return np.asarray(rows)


def _fixture_data() -> tuple[ForestArrays, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20261204)
    train = np.vstack([rng.normal(size=(500, 3)) * [1.0, 10.0, 0.01], rng.normal(4, 1, size=(10, 3))])
    medians = np.median(train, axis=0)
    estimator = IsolationForest(n_estimators=20, max_samples=32, max_features=2, random_state=7).fit(train)
    forest = ForestArrays.from_estimator(estimator)
    rows = np.vstack([rng.normal(size=(800, 3)) * [1.0, 10.0, 0.01], rng.normal(3, 2, size=(200, 3)), edge_rows(forest, rng, medians)])
    imputed = np.where(np.isfinite(rows), rows, medians)
    expected = sklearn_normalised_path_length(estimator, imputed)
    # These are the exponents of sklearn's own scores, bit for bit.
    np.testing.assert_array_equal(-(2**-expected), estimator.score_samples(imputed))
    return forest, medians, rows, expected


def sklearn_fixture() -> str:
    forest, medians, rows, expected = _fixture_data()

    def line(name: str, data: bytes) -> str:
        return f"{name} {base64.b64encode(data).decode('ascii')}"

    arrays = forest.little_endian_arrays()
    return "\n".join(
        [
            "# Written by glue-jobs/tests/test_anomaly_jvm.py (sklearn_fixture): an IsolationForest fitted by scikit-learn",
            "# (20 trees, max_samples 32, max_features 2 of 3), its rows and sklearn's normalised path lengths for them.",
            "# Each line: name, base64 of little-endian int64/float64 values.",
            *(line(name, data) for name, data in arrays.items()),
            line("impute_medians", medians.astype("<f8").tobytes()),
            line("denominator", np.asarray([forest.denominator], dtype="<f8").tobytes()),
            line("rows", np.ascontiguousarray(rows, dtype="<f8").tobytes()),
            line("normalised_path_length", expected.astype("<f8").tobytes()),
            "",
        ]
    )


def write_fixture() -> None:
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(sklearn_fixture(), encoding="ascii")


def test_the_junit_fixture_is_what_this_scikit_learn_gives():
    assert FIXTURE.read_text(encoding="ascii") == sklearn_fixture()


def test_jvm_scores_equal_sklearns_on_random_data_and_edge_values(spark, tmp_path):
    rng = np.random.default_rng(8)
    train = pd.DataFrame(np.vstack([rng.lognormal(3, 1, size=(3000, 3)), rng.uniform(500, 900, size=(30, 3))]), columns=FEATURES)
    schema = StructType([StructField("row_id", IntegerType(), False), *(StructField(f, DoubleType(), True) for f in FEATURES)])

    def frame(values: np.ndarray):
        data = pd.DataFrame(values, columns=FEATURES)
        data.insert(0, "row_id", np.arange(len(data), dtype=np.int32))
        return spark.createDataFrame(data, schema)

    spec = AnomalySpec.from_dict({"features": FEATURES, "n_estimators": 100, "contamination": 0.02, "seed": 3})
    model = fit_or_load_model(frame(train.to_numpy()), spec, str(tmp_path), refit=True)
    medians = np.asarray(model.impute_medians)
    rows = np.vstack([rng.lognormal(3, 1.5, size=(200_000, 3)), edge_rows(model.forest, rng, medians)])
    scored = score_anomalies(frame(rows).repartition(3), model, spec).orderBy("row_id").toPandas()
    imputed = np.where(np.isfinite(rows), rows, medians)
    np.testing.assert_array_equal(scored["anomaly_score"].to_numpy(), -model.estimator.score_samples(imputed))
    np.testing.assert_array_equal(scored["is_anomaly"].to_numpy(), model.estimator.predict(imputed) == -1)


def test_the_trees_are_walked_by_the_jvm_function(spark, tmp_path):
    data = spark.createDataFrame([(float(i), float(i % 7), float(i % 3)) for i in range(300)], FEATURES)
    spec = AnomalySpec.from_dict({"features": FEATURES, "n_estimators": 10})
    model = fit_or_load_model(data, spec, str(tmp_path), refit=True)
    plan = score_anomalies(data, model, spec)._jdf.queryExecution().executedPlan().toString()
    assert "sentinel_anomaly_path_length_" in plan
    # The Python worker gets one double per row (the path length), not the features.
    assert "ArrowEvalPython [isolation_score(sentinel_anomaly_path_length_" in plan


def test_a_value_too_large_for_float32_fails_as_in_scikit_learn(spark, tmp_path):
    data = spark.createDataFrame([(float(i), float(i % 7), float(i % 3)) for i in range(300)], FEATURES)
    spec = AnomalySpec.from_dict({"features": FEATURES, "n_estimators": 10})
    model = fit_or_load_model(data, spec, str(tmp_path), refit=True)
    with pytest.raises(ValueError, match="too large for dtype"):
        model.estimator.score_samples([[1e39, 0.0, 0.0]])
    with pytest.raises(Exception, match="too large for float32"):
        score_anomalies(spark.createDataFrame([(1e39, 0.0, 0.0)], FEATURES), model, spec).collect()
