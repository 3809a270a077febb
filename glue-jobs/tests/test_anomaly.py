import json

import numpy as np
import pandas as pd
import pytest
from jsonschema import Draft202012Validator
from pyspark.sql.types import DoubleType, IntegerType, StringType, StructField, StructType

from sentinel_etl import fitted_state
from sentinel_etl.anomaly import MODEL_SUFFIX, AnomalySpec, fit_or_load_model, score_anomalies
from sentinel_etl.spec_schema import SpecError, section_schema

SCHEMA = StructType(
    [
        StructField("row_id", IntegerType(), False),
        StructField("amount", DoubleType(), True),
        StructField("txn_count_1h", IntegerType(), True),
        StructField("merchant", StringType(), True),
    ]
)
FEATURES = ["amount", "txn_count_1h"]


def spec(**overrides):
    return AnomalySpec.from_dict({"features": FEATURES, "n_estimators": 50, **overrides})


@pytest.fixture(scope="module")
def transactions(spark):
    """1,000 ordinary rows and 10 planted outliers (huge amounts at high velocity)."""
    rng = np.random.default_rng(11)
    amounts = np.concatenate([rng.lognormal(3.5, 0.5, 1000), rng.uniform(5000, 9000, 10)])
    counts = np.concatenate([rng.poisson(2, 1000), rng.integers(30, 40, 10)])
    frame = pd.DataFrame({"row_id": np.arange(1010, dtype=np.int32), "amount": amounts, "txn_count_1h": counts.astype(np.int32)})
    frame["merchant"] = "m"
    return spark.createDataFrame(frame, SCHEMA).cache()


def scored_frame(df, model, s):
    return score_anomalies(df, model, s).orderBy("row_id").toPandas()


def sklearn_view(df):
    return df.orderBy("row_id").select(*FEATURES).toPandas().to_numpy(dtype=np.float64)


# --- config -------------------------------------------------------------------------------------------


def test_defaults_come_from_the_schema():
    s = AnomalySpec.from_dict({"features": ["amount"]})
    Draft202012Validator.check_schema(section_schema("anomaly"))
    props = section_schema("anomaly")["properties"]
    got = (s.n_estimators, s.max_samples, s.contamination, s.fit_sample_rows, s.seed)
    assert got == tuple(props[k]["default"] for k in ("n_estimators", "max_samples", "contamination", "fit_sample_rows", "seed"))
    assert got == (100, 256, "auto", 100000, 42)


@pytest.mark.parametrize(
    "section, field",
    [
        ({}, "'features' is a required property"),
        ({"features": []}, "anomaly.features"),
        ({"features": ["a"], "contamination": 0.7}, "anomaly.contamination"),
        ({"features": ["a"], "contamination": "high"}, "anomaly.contamination"),
        ({"features": ["a"], "max_samples": 1}, "anomaly.max_samples"),
        ({"features": ["a"], "trees": 5}, "'trees' was unexpected"),
    ],
)
def test_bad_config_names_the_field(section, field):
    with pytest.raises(SpecError, match="invalid anomaly config") as err:
        AnomalySpec.from_dict(section)
    assert field in str(err.value)


# --- scoring ------------------------------------------------------------------------------------------


def test_scores_are_sklearns_and_flags_are_its_predictions(spark, transactions, tmp_path):
    s = spec(contamination=0.01)
    model = fit_or_load_model(transactions, s, str(tmp_path), refit=False)
    scored = scored_frame(transactions, model, s)
    X = sklearn_view(transactions)
    np.testing.assert_array_equal(scored["anomaly_score"].to_numpy(), -model.estimator.score_samples(X))
    np.testing.assert_array_equal(scored["is_anomaly"].to_numpy(), model.estimator.predict(X) == -1)
    assert model.estimator is not None and model.forest is not None  # scored by the arrays, compared with sklearn
    # The planted outliers score highest.
    assert scored["anomaly_score"].nlargest(10).index.min() >= 1000
    assert scored["is_anomaly"].sum() == pytest.approx(0.01 * 1010, abs=2)
    assert ((scored["anomaly_score"] > 0) & (scored["anomaly_score"] <= 1)).all()
    assert list(scored.columns) == [*SCHEMA.names, "anomaly_score", "is_anomaly"]


def test_auto_contamination_uses_the_papers_half_threshold(transactions, tmp_path):
    model = fit_or_load_model(transactions, spec(), str(tmp_path), refit=False)
    assert model.threshold == 0.5


def test_scoring_is_an_arrow_vectorised_udf(transactions, tmp_path):
    s = spec()
    model = fit_or_load_model(transactions, s, str(tmp_path), refit=False)
    plan = score_anomalies(transactions, model, s)._jdf.queryExecution().executedPlan().toString()
    assert "ArrowEvalPython" in plan


def test_missing_and_non_finite_features_get_the_fitted_medians(spark, transactions, tmp_path):
    s = spec()
    model = fit_or_load_model(transactions, s, str(tmp_path), refit=False)
    med_amount, med_count = model.impute_medians
    assert med_amount == pytest.approx(np.median(sklearn_view(transactions)[:, 0]))
    rows = [
        (0, med_amount, int(med_count), "m"),
        (1, None, int(med_count), "m"),
        (2, float("nan"), int(med_count), "m"),
        (3, float("inf"), int(med_count), "m"),
        (4, med_amount, None, "m"),
    ]
    scored = scored_frame(spark.createDataFrame(rows, SCHEMA), model, s)
    assert scored["anomaly_score"].nunique() == 1
    assert model.to_metrics()["impute_medians"] == {"amount": med_amount, "txn_count_1h": med_count}


# --- persisted, versioned model -----------------------------------------------------------------------


def test_model_is_persisted_with_its_hash_and_reused(transactions, tmp_path):
    s = spec()
    first = fit_or_load_model(transactions, s, str(tmp_path), refit=False)
    stored = tmp_path / "anomaly-model" / (first.hash.removeprefix("sha256:") + MODEL_SUFFIX)
    assert first.hash == first.version == fitted_state.content_version(stored.read_bytes())
    reloaded = fit_or_load_model(None, s, str(tmp_path), refit=False)  # no data needed: nothing is fitted
    assert reloaded.hash == first.hash
    X = sklearn_view(transactions)
    assert reloaded.estimator is None  # only data was stored: the reloaded model is arrays, not an estimator
    np.testing.assert_array_equal(reloaded.forest.score_samples(X), first.estimator.score_samples(X))
    np.testing.assert_array_equal(reloaded.forest.predict(X), first.estimator.predict(X))


def test_same_seed_same_model_and_refit_replaces_it(transactions, tmp_path):
    a = fit_or_load_model(transactions, spec(), str(tmp_path / "a"), refit=True)
    b = fit_or_load_model(transactions, spec(), str(tmp_path / "b"), refit=True)
    assert a.hash == b.hash
    reseeded = fit_or_load_model(transactions, spec(seed=7), str(tmp_path / "a"), refit=True)
    assert reseeded.hash != a.hash
    assert fit_or_load_model(None, spec(seed=7), str(tmp_path / "a"), refit=False).hash == reseeded.hash


def test_altered_model_bytes_are_refused(transactions, tmp_path):
    model = fit_or_load_model(transactions, spec(), str(tmp_path), refit=False)
    stored = tmp_path / "anomaly-model" / (model.hash.removeprefix("sha256:") + MODEL_SUFFIX)
    stored.write_bytes(stored.read_bytes() + b"\x00")
    with pytest.raises(fitted_state.FittedStateError, match="altered or corrupted"):
        fit_or_load_model(transactions, spec(), str(tmp_path), refit=False)


def test_reuse_with_other_settings_or_sklearn_version_is_refused(transactions, tmp_path):
    fit_or_load_model(transactions, spec(), str(tmp_path), refit=False)
    with pytest.raises(fitted_state.FittedStateError, match="n_estimators: stored 50, config 80"):
        fit_or_load_model(transactions, spec(n_estimators=80), str(tmp_path), refit=False)
    pointer = tmp_path / "anomaly-model" / "current.json"
    pointer.write_text(json.dumps({**json.loads(pointer.read_text()), "sklearn_version": "0.24.2"}))
    with pytest.raises(fitted_state.FittedStateError, match=r"scikit-learn 0\.24\.2"):
        fit_or_load_model(transactions, spec(), str(tmp_path), refit=False)


def test_fit_sample_is_bounded_and_seeded(transactions, tmp_path):
    s = spec(fit_sample_rows=300, max_samples=256)
    a = fit_or_load_model(transactions, s, str(tmp_path / "a"), refit=True)
    b = fit_or_load_model(transactions, s, str(tmp_path / "b"), refit=True)
    assert 250 <= a.fit_rows <= 300 and a.hash == b.hash
    tiny = fit_or_load_model(transactions.limit(40), spec(), str(tmp_path / "c"), refit=True)
    assert tiny.fit_rows == 40 and tiny.to_metrics()["max_samples"] == 40


def test_metrics_are_json(transactions, tmp_path):
    metrics = fit_or_load_model(transactions, spec(contamination=0.02), str(tmp_path), refit=False).to_metrics()
    assert json.loads(json.dumps(metrics)) == metrics
    assert metrics["hash"].startswith("sha256:") and metrics["n_estimators"] == 50 and metrics["fit_rows"] == 1010


# --- bad input ----------------------------------------------------------------------------------------


def test_bad_features_fail_clearly(spark, transactions, tmp_path):
    with pytest.raises(ValueError, match=r"anomaly features \['velocity'\] are not in the data"):
        fit_or_load_model(transactions, spec(features=["amount", "velocity"]), str(tmp_path), refit=True)
    with pytest.raises(TypeError, match=r"numeric or boolean: \['merchant \(string\)'\]"):
        fit_or_load_model(transactions, spec(features=["merchant"]), str(tmp_path), refit=True)
    all_null = spark.createDataFrame([(1, None, 1, "m"), (2, None, 2, "m")], SCHEMA)
    with pytest.raises(ValueError, match=r"features \['amount'\] have no finite value"):
        fit_or_load_model(all_null, spec(), str(tmp_path), refit=True)
    with pytest.raises(ValueError, match="the data has no rows"):
        fit_or_load_model(transactions.limit(0), spec(), str(tmp_path), refit=True)
    model = fit_or_load_model(transactions, spec(), str(tmp_path), refit=True)
    with pytest.raises(ValueError, match="config asks for"):
        score_anomalies(transactions, model, spec(features=["amount"]))


def test_a_planted_pickle_is_never_loaded(transactions, tmp_path):
    """A joblib/pickle model written where the state lives (even with a matching hash) is refused as data,
    and the pickle's code does not run."""
    import pickle

    model = fit_or_load_model(transactions, spec(), str(tmp_path), refit=False)
    marker = tmp_path / "pwned"
    planted = pickle.dumps(Exploit(str(marker)))
    version = fitted_state.save(
        str(tmp_path), "anomaly-model", planted, ".joblib", json.loads((tmp_path / "anomaly-model" / "current.json").read_text())
    )
    assert version != model.hash
    with pytest.raises(fitted_state.FittedStateError, match="not the data-only format"):
        fit_or_load_model(transactions, spec(), str(tmp_path), refit=False)
    assert not marker.exists()


class Exploit:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_forest_arrays_score_bit_identically_with_feature_subsampling():
    from sklearn.ensemble import IsolationForest

    from sentinel_etl.forest_arrays import ForestArrays, dumps, loads

    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(size=(400, 5)), rng.normal(6, 1, size=(8, 5))])
    estimator = IsolationForest(n_estimators=30, max_features=3, random_state=5).fit(X)
    forest = ForestArrays.from_json(loads(dumps(ForestArrays.from_estimator(estimator).to_json())))
    np.testing.assert_array_equal(forest.score_samples(X), estimator.score_samples(X))
    np.testing.assert_array_equal(forest.predict(X), estimator.predict(X))
