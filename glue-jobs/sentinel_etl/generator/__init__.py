"""Seeded synthetic data for each profile, written as the raw CSV the job reads.

`plant_defects` optionally damages a share of the rows, one defect per chosen row, each one that the
validation stage quarantines (a repeated record id, a blank required value, a value of the wrong
type, a number out of range, a string that breaks its pattern or allowed values), so a demo run shows
quarantine working. The defects are chosen from the profile's own rules.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from sentinel_etl.config import JobConfig
from sentinel_etl.generator import baf, card_transactions

GENERATORS: dict[str, Callable[..., pd.DataFrame]] = {"card-transactions": card_transactions.generate, "baf": baf.generate}
DEFECT_KINDS = ("duplicate_id", "missing_value", "invalid_type", "out_of_range", "invalid_format")


def generate(profile: str, rows: int, seed: int) -> pd.DataFrame:
    """`rows` synthetic rows of the profile's raw layout, deterministic for the seed."""
    if profile not in GENERATORS:
        raise ValueError(f"no generator for profile {profile!r}; known: {sorted(GENERATORS)}")
    return GENERATORS[profile](rows=rows, seed=seed)


def plant_defects(frame: pd.DataFrame, config: JobConfig, rate: float, seed: int) -> pd.DataFrame:
    """A copy of the frame (as strings) where `rate` of the rows carry one quarantinable defect each."""
    if not 0 <= rate <= 0.5:
        raise ValueError("defect rate must be between 0 and 0.5")
    rng = np.random.default_rng(seed + 1)
    damaged = frame.astype(object).where(frame.notna(), None).map(lambda v: None if v is None else str(v))
    chosen = rng.choice(len(frame), size=int(len(frame) * rate), replace=False)
    record_id = config.record_id_column
    required = [r.name for r in config.columns if not r.nullable and r.name != record_id]
    numeric = [r for r in config.columns if r.type in ("integer", "double") and r.name != record_id]
    bounded = [(r.name, r.max) for r in numeric if r.max is not None]
    formatted = [r for r in config.columns if (r.pattern or r.allowed) and r.type == "string" and r.name != record_id]
    for i, row in enumerate(chosen):
        kind = DEFECT_KINDS[i % len(DEFECT_KINDS)]
        if kind == "duplicate_id":
            damaged.at[row, record_id] = damaged.at[int(rng.integers(0, len(frame))), record_id]
        elif kind == "missing_value" and required:
            damaged.at[row, required[int(rng.integers(0, len(required)))]] = None
        elif kind == "invalid_type" and numeric:
            damaged.at[row, numeric[int(rng.integers(0, len(numeric)))].name] = "n/a"
        elif kind == "out_of_range" and bounded:
            name, maximum = bounded[int(rng.integers(0, len(bounded)))]
            damaged.at[row, name] = str(maximum * 10 + 1)
        elif kind == "invalid_format" and formatted:
            damaged.at[row, formatted[int(rng.integers(0, len(formatted)))].name] = "??"
    return damaged


def write_csv(frame: pd.DataFrame, path: str) -> None:
    """Writes the frame as RFC 4180 CSV with a header: UTF-8, quotes only where needed, empty for null."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pa_csv.write_csv(table, target, pa_csv.WriteOptions(include_header=True, quoting_style="needed"))
