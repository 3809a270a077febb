"""Row count and anomaly-score histogram of one run's processed Parquet files (for the run report).

    processed_profile.py <bins> <file.parquet> [<file.parquet> ...]  ->  JSON on stdout

Reads only `anomaly_score` and `is_anomaly` (never the tokenized columns). The threshold is the lowest
score flagged anomalous, i.e. where the model's contamination cut-off fell in this run.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pyarrow.parquet as pq


def profile(files: list[str], bins: int) -> dict:
    if not files:
        return {"rows": 0, "edges": [], "counts": [], "threshold": None}
    table = pq.ParquetDataset(files).read(columns=["anomaly_score", "is_anomaly"])
    all_scores = table.column("anomaly_score").to_numpy(zero_copy_only=False).astype(float)
    flagged = table.column("is_anomaly").to_numpy(zero_copy_only=False).astype(bool)
    scored = ~np.isnan(all_scores)
    scores = all_scores[scored]
    counts, edges = np.histogram(scores, bins=bins) if scores.size else (np.array([]), np.array([]))
    threshold = float(all_scores[flagged & scored].min()) if (flagged & scored).any() else None
    return {"rows": int(table.num_rows), "edges": [float(e) for e in edges], "counts": [int(c) for c in counts], "threshold": threshold}


if __name__ == "__main__":
    json.dump(profile(sys.argv[2:], int(sys.argv[1])), sys.stdout)
