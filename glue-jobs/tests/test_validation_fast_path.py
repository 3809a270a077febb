"""The validation fast path gives every row exactly the verdict of evaluating every rule in order."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.sql import functions as F

from sentinel_etl.config import load_config, profile_path
from sentinel_etl.generator import generate, plant_defects, write_csv
from sentinel_etl.ingest import ROW_KEY, discover_inputs, read_raw
from sentinel_etl.validation import REASON, REASON_CODE, with_verdict, with_verdict_detailed

# Values at the edges of the rules: blanks, casts that truncate or overflow, non-finite numbers,
# bad UTF-8 (decoded as U+FFFD), out-of-range and badly formatted text.
TRICKY = [
    "",
    " ",
    "   ",
    " 1 ",
    "1.5",
    "+1",
    "-0",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "1e3",
    "0x10",
    "M\ufffdller",
    "\t",
    "2025-13-01",
    "2025-01-01",
    "99999999999999999999",
    "-1",
    "abc",
    "EUR",
    "5411",
    "DE",
]


def mutated_input(profile: str, rows: int, tmp_path, seed: int):
    config = load_config(profile_path(profile))
    frame = plant_defects(generate(profile, rows, seed), config, rate=0.3, seed=seed)
    rng = np.random.default_rng(seed)
    columns = list(frame.columns)
    for _ in range(rows // 3):
        frame.iat[int(rng.integers(0, rows)), int(rng.integers(0, len(columns)))] = TRICKY[int(rng.integers(0, len(TRICKY)))]
    path = tmp_path / profile / "input.csv"
    write_csv(frame, str(path))
    return config, discover_inputs(str(path), config)


@pytest.mark.parametrize("profile", ["card-transactions", "baf"])
def test_fast_path_verdicts_equal_the_detailed_verdicts(spark, tmp_path, profile):
    config, files = mutated_input(profile, 1500, tmp_path, seed=7)
    raw = read_raw(spark, files, config).cache()
    fast = with_verdict(raw, config).select(ROW_KEY, F.col(REASON_CODE).alias("fast_code"), F.col(REASON).alias("fast_reason"))
    detailed = with_verdict_detailed(raw, config).select(ROW_KEY, REASON_CODE, REASON)
    joined = fast.join(detailed, ROW_KEY).cache()
    assert joined.count() == raw.count() == 1500
    differing = joined.where(~F.col("fast_code").eqNullSafe(F.col(REASON_CODE)) | ~F.col("fast_reason").eqNullSafe(F.col(REASON)))
    assert differing.limit(5).collect() == []
    codes = {r[REASON_CODE] for r in joined.select(REASON_CODE).distinct().collect()}
    # The input exercises valid rows and several reasons, so equality above is not vacuous.
    assert None in codes and len(codes - {None}) >= 3, codes
    raw.unpersist()
    joined.unpersist()
