"""A/B of isolation-forest scoring: the Arrow pandas_udf walking the trees with numpy (the job until the JVM
scorer) against the JVM tree walk with numpy's final power (sentinel_etl.anomaly.score_anomalies).

    .venv/bin/python glue-jobs/benchmarks/bench_anomaly_ab.py [--rows 1000000] [--repetitions 3] [--seed 7]

Generates `--rows` card transactions (the generator `bench:etl` uses), enriches them as the job does (amount
bins, merchant category codes, velocity windows), writes the five model features once to Parquet, fits the
card profile's model (100 trees, 256 samples) on them, then in one Spark session scores every row with each
path, alternating A, B, A, B, ..., each written to Spark's `noop` sink (the scoring without any output
cost). Prints each run, the median per path and B's speed-up, and checks both paths give the same scores on
every row (and that they are scikit-learn's). `--walk-only` adds a third path to the alternation, C: the
JVM walk alone (the normalised path length, not a score), to show what B's Arrow round trip for numpy's
power costs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from sentinel_etl import pipeline
from sentinel_etl.anomaly import (
    FittedModel,
    _feature_matrix,
    _parse_payload,
    _path_length_function,
    fit_model,
    score_anomalies,
)
from sentinel_etl.config import load_config, profile_path
from sentinel_etl.forest_arrays import ForestArrays
from sentinel_etl.generator import generate, write_csv
from sentinel_etl.job import resolve_local
from sentinel_etl.spark_session import local_spark_session

PROFILE = "card-transactions"
_WORKER_MODELS: dict[str, tuple[ForestArrays, np.ndarray]] = {}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_anomaly_ab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=3, help="runs of each path, alternated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--walk-only", action="store_true", help="also time C, the JVM walk without the power (not a score)")
    return parser.parse_args(argv)


def pandas_udf_scores(df: DataFrame, model: FittedModel) -> DataFrame:
    """A: the job's scoring before the JVM scorer (main 4a6fc5f): the payload broadcast, decoded once per
    Python worker, the trees walked with numpy in an Arrow iterator UDF over the feature struct."""
    payload = df.sparkSession.sparkContext.broadcast(model.payload)
    model_hash = model.hash

    @pandas_udf("double")  # type: ignore[call-overload]  # pandas has no stubs here, so no overload of pyspark's typed pandas_udf matches
    def isolation_score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.Series]:
        if model_hash not in _WORKER_MODELS:
            content = _parse_payload(payload.value)
            _WORKER_MODELS[model_hash] = (
                ForestArrays.from_json(content["forest"]),
                np.asarray(content["impute_medians"], dtype=np.float64),
            )
        forest, medians = _WORKER_MODELS[model_hash]
        for batch in batches:
            yield pd.Series(-forest.score_samples(_feature_matrix(batch, medians)))

    feature_struct = F.struct(*[F.col(f).cast("double").alias(f) for f in model.features])
    return df.withColumn("anomaly_score", isolation_score(feature_struct)).withColumn(
        "is_anomaly", F.col("anomaly_score") > F.lit(model.threshold)
    )


def jvm_walk_only(df: DataFrame, model: FittedModel) -> DataFrame:
    """C: B without its last step (numpy's power in the Arrow UDF): the normalised path length, not a score."""
    feature_struct = F.struct(*[F.col(f).cast("double").alias(f) for f in model.features])
    path_length = _path_length_function(df.sparkSession, model)
    return df.withColumn("anomaly_score", F.call_function(path_length, feature_struct)).withColumn("is_anomaly", F.lit(False))


def enriched_features(spark: SparkSession, rows: int, seed: int, work: Path) -> DataFrame:
    """The model's features of `rows` generated transactions as the job computes them, written once to Parquet."""
    config = load_config(profile_path(PROFILE))
    csv = work / "raw.csv"
    write_csv(generate(PROFILE, rows, seed), str(csv))
    schema = ", ".join(f"{rule.name} {rule.spark_type}" for rule in config.columns)
    raw = spark.read.schema(schema).option("header", True).csv(str(csv))
    specs = pipeline.AnalyticsSpecs.from_config(config, resolve_local(config.merchant["mapping_uri"]) if config.merchant else None)
    state = pipeline.fit_state(raw, specs, str(work / "state"), refit=True, spark=spark)
    enriched = pipeline.enrich(raw, specs, state).select(F.monotonically_increasing_id().alias("row_id"), *specs.anomaly.features)
    enriched.write.parquet(str(work / "features"))
    return spark.read.parquet(str(work / "features"))


def timed_noop(frame: DataFrame) -> float:
    started = time.perf_counter()
    frame.select("anomaly_score", "is_anomaly").write.format("noop").mode("overwrite").save()
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    spark = local_spark_session("sentinel-bench-anomaly-ab")
    spark.sparkContext.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory(prefix="bench-anomaly-ab-") as folder:
        work = Path(folder)
        started = time.perf_counter()
        features = enriched_features(spark, args.rows, args.seed, work)
        config = load_config(profile_path(PROFILE))
        spec = pipeline.AnalyticsSpecs.from_config(config, None).anomaly
        model = fit_model(features, spec, str(work / "state"), row_count=args.rows)
        print(
            f"{args.rows:,} rows generated, enriched and written, model fitted ({model.hash[:19]}) in {time.perf_counter() - started:.1f} s"
        )
        paths = {
            "A pandas_udf (numpy tree walk)": lambda: pandas_udf_scores(features, model),
            "B JVM walk + numpy power": lambda: score_anomalies(features, model, spec),
        }
        if args.walk_only:
            paths["C JVM walk only (not a score)"] = lambda: jvm_walk_only(features, model)
        # One warm-up of each (JIT, Python workers, the Parquet footers), not counted.
        for build in paths.values():
            timed_noop(build())
        times: dict[str, list[float]] = {name: [] for name in paths}
        for repetition in range(args.repetitions):
            for name, build in paths.items():
                seconds = timed_noop(build())
                times[name].append(seconds)
                print(f"  run {repetition + 1} {name:<32} {seconds:7.2f} s")
        a, b = (statistics.median(t) for t in list(times.values())[:2])
        for name, t in times.items():
            print(f"{name:<34} median {statistics.median(t):7.2f} s  ({', '.join(f'{s:.2f}' for s in t)})")
        print(f"B is {a / b:.2f}x as fast as A ({args.rows / b:,.0f} rows/s against {args.rows / a:,.0f})")
        # pd.DataFrame(...): toPandas() is typed as a protocol (pandas has no stubs here).
        old = pd.DataFrame(pandas_udf_scores(features, model).select("row_id", "anomaly_score").orderBy("row_id").toPandas())
        new = pd.DataFrame(
            score_anomalies(features, model, spec).select("row_id", "anomaly_score", *spec.features).orderBy("row_id").toPandas()
        )
        assert model.estimator is not None  # fitted in this run
        reference = -model.estimator.score_samples(_feature_matrix(new[list(spec.features)], np.asarray(model.impute_medians)))
        same = np.array_equal(old["anomaly_score"].to_numpy(), new["anomaly_score"].to_numpy()) and np.array_equal(
            new["anomaly_score"].to_numpy(), reference
        )
        print(f"scores identical on all {len(new):,} rows (A = B = scikit-learn): {same}")
    spark.stop()
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
