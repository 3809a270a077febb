"""The platform's isolation-forest scorer reproduces the published ODDS results (and scikit-learn's scores).

Published figures (../shared/benchmarks/odds/README.md): LinkedIn's Spark isolation forest with 100 trees and
256 samples per tree, mean +- std over 10 seeds. We score with the same hyper-parameters for SEEDS and require

    |mean AUROC - published mean| <= 3 * sqrt(sigma^2 / len(SEEDS) + published_std^2 / 10)

i.e. the difference of the two means within three standard errors. sigma, the seed-to-seed spread of one
forest's AUROC, is the larger of the published std and the spread we measured for scikit-learn's reference
implementation over 20 seeds (`npm run bench:anomaly -- --data <csv> --seeds 20`: shuttle 0.9969 +- 0.0008,
mammography 0.8611 +- 0.0099; the published +-0.0015 for mammography is tighter than any 100-tree forest we
ran, so using it alone would test the seeds we picked rather than the implementation). Exactness is asserted
separately: every platform score equals scikit-learn's own score for the same fitted model.
"""

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyspark.sql.types import DoubleType, IntegerType, StructField, StructType
from sklearn.metrics import roc_auc_score

from sentinel_etl.anomaly import AnomalySpec, fit_or_load_model, score_anomalies

# The data lives beside the repository (../shared/benchmarks/odds); SENTINEL_ODDS_DIR points elsewhere.
BESIDE_REPO = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "odds"
ODDS = Path(os.environ.get("SENTINEL_ODDS_DIR", BESIDE_REPO))
SEEDS = (0, 1, 2)
CASES = {
    # dataset: (published AUROC mean, published std, measured scikit-learn seed-to-seed std)
    "shuttle": (0.9971, 0.0002, 0.0008),
    "mammography": (0.8649, 0.0015, 0.0099),
}


def odds_frame(spark, name):
    data = pd.read_csv(ODDS / f"{name}.csv", comment="#", header=None)
    features = [f"x{i}" for i in range(data.shape[1] - 1)]
    data.columns = [*features, "label"]
    data.insert(0, "row_id", np.arange(len(data), dtype=np.int32))
    data["label"] = data["label"].astype(np.int32)
    schema = StructType(
        [
            StructField("row_id", IntegerType(), False),
            *(StructField(f, DoubleType(), False) for f in features),
            StructField("label", IntegerType(), False),
        ]
    )
    # One partition per core, as a file read would give, rather than one per 10,000-row Arrow batch: each
    # Python UDF task has a fixed cost that would otherwise dominate these small files.
    frame = spark.createDataFrame(data, schema).coalesce(spark.sparkContext.defaultParallelism).cache()
    return frame, data, features


@pytest.mark.skipif(not ODDS.is_dir(), reason=f"ODDS benchmark data not found at {ODDS}")
@pytest.mark.parametrize("name", sorted(CASES))
def test_platform_auroc_is_within_noise_of_the_published_figure(spark, tmp_path, name):
    df, data, features = odds_frame(spark, name)
    published_mean, published_std, measured_std = CASES[name]
    aurocs = []
    for seed in SEEDS:
        spec = AnomalySpec.from_dict(
            {"features": features, "n_estimators": 100, "max_samples": 256, "fit_sample_rows": len(data), "seed": seed}
        )
        model = fit_or_load_model(df, spec, str(tmp_path / f"seed-{seed}"), refit=True)
        scored = score_anomalies(df, model, spec).select("row_id", "anomaly_score").toPandas().sort_values("row_id")
        platform_scores = scored["anomaly_score"].to_numpy()
        sklearn_scores = -model.estimator.score_samples(data[features].to_numpy())
        np.testing.assert_array_equal(platform_scores, sklearn_scores)
        aurocs.append(roc_auc_score(data["label"], platform_scores))
    sigma = max(published_std, measured_std)
    tolerance = 3 * math.sqrt(sigma**2 / len(SEEDS) + published_std**2 / 10)
    mean = float(np.mean(aurocs))
    assert abs(mean - published_mean) <= tolerance, (name, aurocs, mean, published_mean, tolerance)
    df.unpersist()
