"""The scoring A/B (benchmarks/bench_anomaly_ab.py, the command docs/benchmarks.md quotes) end to end at a tiny scale."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

GLUE_JOBS = Path(__file__).resolve().parents[1]


def test_bench_anomaly_ab_alternates_both_paths_and_finds_them_identical():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(GLUE_JOBS), *filter(None, [os.environ.get("PYTHONPATH")])])}
    finished = subprocess.run(
        [sys.executable, str(GLUE_JOBS / "benchmarks" / "bench_anomaly_ab.py"), "--rows", "3000", "--repetitions", "2", "--walk-only"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-4000:]
    report = finished.stdout
    runs = re.findall(r"run (\d) ([ABC]) ", report)
    assert runs == [("1", "A"), ("1", "B"), ("1", "C"), ("2", "A"), ("2", "B"), ("2", "C")]
    assert re.search(r"B is \d+\.\d\dx as fast as A", report)
    assert "scores identical on all 3,000 rows (A = B = scikit-learn): True" in report
