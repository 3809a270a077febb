"""Benchmark: the platform's isolation-forest scorer against scikit-learn's IsolationForest on a labelled CSV.

    npm run bench:anomaly -- --data ../shared/benchmarks/odds/shuttle.csv [--label-col <name>] [--seeds 10]

Any numeric CSV works: lines starting with '#' are comments; a header row is used when present, otherwise the
columns are named c0, c1, ...; the label (1 = anomaly, 0 = normal) is the last column unless --label-col names
another. Both scorers get the same parameters and seeds; scikit-learn is fitted on the whole file, the platform
on its fit sample, which is the whole file (so the two models and their scores are identical) when the file has
at most --fit-sample-rows rows.

Printed per scorer: AUROC and AUPRC (mean +- std over seeds) and scoring throughput in rows/s: the platform's
through Spark (local[*], the JVM tree walk and numpy's final power in an Arrow UDF; measured after the
accuracy runs, so Python worker start-up and the JIT's warm-up are excluded), scikit-learn's `score_samples` in this single process. --throughput-rows N
measures throughput on the file repeated up to N rows, so Spark's fixed per-job cost does not dominate on
small files.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql.types import DoubleType, IntegerType, StructField, StructType
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score

from sentinel_etl.anomaly import AnomalySpec, fit_or_load_model, score_anomalies
from sentinel_etl.spark_session import local_spark_session


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench:anomaly", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="labelled numeric CSV")
    parser.add_argument("--label-col", help="label column name (default: the last column; c<i> without a header)")
    parser.add_argument("--n-estimators", type=int, default=100)
    parser.add_argument("--max-samples", type=int, default=256)
    parser.add_argument("--contamination", default="auto", help="'auto' or a fraction in (0, 0.5]")
    parser.add_argument("--fit-sample-rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--seeds", type=int, default=1, help="number of consecutive seeds to average over")
    parser.add_argument("--throughput-rows", type=int, default=0, help="score the file repeated up to this many rows for rows/s")
    return parser.parse_args(argv)


def read_labelled_csv(path: Path, label_col: str | None) -> tuple[pd.DataFrame, pd.Series]:
    if not path.is_file():
        raise SystemExit(f"bench:anomaly: {path} is not a file")
    frame = pd.read_csv(path, comment="#", header=None, dtype=str, skip_blank_lines=True)
    if frame.empty:
        raise SystemExit(f"bench:anomaly: {path} has no data rows")
    first_row_numeric = pd.to_numeric(frame.iloc[0], errors="coerce").notna().all()
    if first_row_numeric:
        frame.columns = [f"c{i}" for i in range(frame.shape[1])]
    else:
        frame.columns = [str(c).strip() for c in frame.iloc[0]]
        frame = frame.iloc[1:].reset_index(drop=True)
    label = label_col if label_col is not None else frame.columns[-1]
    if label not in frame.columns:
        raise SystemExit(f"bench:anomaly: --label-col {label!r} is not a column of {path} ({list(frame.columns)})")
    numeric = {}
    for column in frame.columns:
        values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            raise SystemExit(
                f"bench:anomaly: column {column!r} of {path} is not numeric "
                f"(data row {int(bad.idxmax()) + 1}: {frame[column][bad].iloc[0]!r})"
            )
        numeric[column] = values
    data = pd.DataFrame(numeric)
    labels = data.pop(label)
    if not set(labels.dropna().unique()) <= {0, 1}:
        raise SystemExit(f"bench:anomaly: label column {label!r} must hold 0 (normal) and 1 (anomaly)")
    if labels.isna().any():
        raise SystemExit(f"bench:anomaly: label column {label!r} has empty values")
    return data.astype(np.float64), labels.astype(np.int32)


def spark_frame(spark, features: pd.DataFrame) -> DataFrame:
    safe = [f"f{i}" for i in range(features.shape[1])]  # header names may not be valid Spark column names
    frame = features.set_axis(safe, axis=1)
    frame.insert(0, "row_id", np.arange(len(frame), dtype=np.int32))
    schema = StructType([StructField("row_id", IntegerType(), False), *(StructField(c, DoubleType(), True) for c in safe)])
    # createDataFrame slices a pandas frame into one partition per Arrow batch (10,000 rows); a file read gives
    # a few large splits instead, so coalesce to one partition per core as the job would see it.
    parallelism = spark.sparkContext.defaultParallelism
    return spark.createDataFrame(frame, schema).coalesce(parallelism).cache()


def anomaly_spec(df: DataFrame, args: argparse.Namespace, seed: int) -> AnomalySpec:
    contamination = args.contamination if args.contamination == "auto" else float(args.contamination)
    return AnomalySpec.from_dict(
        {
            "features": [c for c in df.columns if c != "row_id"],
            "n_estimators": args.n_estimators,
            "max_samples": args.max_samples,
            "contamination": contamination,
            "fit_sample_rows": args.fit_sample_rows,
            "seed": seed,
        }
    )


def run_seed(df: DataFrame, X: np.ndarray, y: np.ndarray, args: argparse.Namespace, seed: int, state: str) -> dict:
    """Fits both scorers with one seed and scores every row of the file with each."""
    spec = anomaly_spec(df, args, seed)
    model = fit_or_load_model(df, spec, state, refit=True)
    scored = score_anomalies(df, model, spec).select("row_id", "anomaly_score").toPandas()
    platform = scored.sort_values("row_id")["anomaly_score"].to_numpy()  # type: ignore[attr-defined]  # toPandas() is a protocol without pandas stubs
    reference = IsolationForest(
        n_estimators=args.n_estimators,
        max_samples=min(args.max_samples, len(X)),
        contamination=spec.contamination,
        random_state=seed,
    ).fit(X)
    sklearn_scores = -reference.score_samples(X)
    return {
        "spec": spec,
        "model": model,
        "reference": reference,
        "platform": (roc_auc_score(y, platform), average_precision_score(y, platform)),
        "sklearn": (roc_auc_score(y, sklearn_scores), average_precision_score(y, sklearn_scores)),
        "max_diff": float(np.max(np.abs(platform - sklearn_scores))),
    }


def scoring_throughput(spark, X: np.ndarray, rows: int, result: dict) -> tuple[int, float, float]:
    """Rows/s of each scorer on the file's rows repeated up to `rows` (Spark job overheads amortise)."""
    tiled = np.tile(X, (max(1, math.ceil(rows / len(X))), 1))
    df = spark_frame(spark, pd.DataFrame(tiled))
    df.count()
    scored = score_anomalies(df, result["model"], result["spec"]).select("row_id", "anomaly_score")
    started = time.perf_counter()
    scored.write.format("noop").mode("overwrite").save()
    platform_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result["reference"].score_samples(tiled)
    sklearn_seconds = time.perf_counter() - started
    df.unpersist()
    return len(tiled), len(tiled) / platform_seconds, len(tiled) / sklearn_seconds


def mean_std(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.4f}"
    return f"{np.mean(values):.4f} ± {np.std(values, ddof=1):.4f}"


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    features, labels = read_labelled_csv(args.data, args.label_col)
    empty = [c for c in features.columns if features[c].isna().all()]
    if empty:
        raise SystemExit(f"bench:anomaly: columns {empty} have no values")
    # Empty cells: scikit-learn gets the column medians, as the platform imputes them with its fitted medians.
    X, y = features.fillna(features.median()).to_numpy(), labels.to_numpy()
    spark = local_spark_session("sentinel-bench-anomaly")
    spark.sparkContext.setLogLevel("ERROR")
    df = spark_frame(spark, features)
    df.count()
    seeds = list(range(args.seed, args.seed + args.seeds))
    print(
        f"data      {args.data}: {len(X):,} rows, {X.shape[1]} features, "
        f"{int(y.sum()):,} anomalies ({y.mean():.2%}), label column {labels.name!r}"
    )
    print(
        f"params    n_estimators={args.n_estimators} max_samples={args.max_samples} "
        f"contamination={args.contamination} seeds={seeds[0]}..{seeds[-1]} ({len(seeds)})"
    )
    with tempfile.TemporaryDirectory(prefix="bench-anomaly-") as state:
        results = [run_seed(df, X, y, args, seed, f"{state}/seed-{seed}") for seed in seeds]
        scored_rows, *rates = scoring_throughput(spark, X, args.throughput_rows or len(X), results[0])
    print(f"{'scorer':<40}{'AUROC':<20}{'AUPRC':<20}{'scoring rows/s':>16}")
    names = {"platform": "platform (Spark: JVM walk, numpy pow)", "sklearn": "scikit-learn IsolationForest"}
    for (key, name), rate in zip(names.items(), rates, strict=False):
        auroc, auprc = zip(*(r[key] for r in results), strict=False)
        print(f"{name:<40}{mean_std(list(auroc)):<20}{mean_std(list(auprc)):<20}{rate:>16,.0f}")
    print(f"throughput measured scoring {scored_rows:,} rows (seed {seeds[0]}'s models)")
    print(f"largest |platform - scikit-learn| score difference over all rows and seeds: {max(r['max_diff'] for r in results):.3g}")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
