"""Smoke test of the benchmark command (bench/): it runs end to end in --quick mode.

Never asserts speed: the machine is shared and timings vary; only that every implementation ran
and the report has its rows.
"""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_bench_quick_runs_and_writes_its_table(tmp_path):
    pytest.importorskip("torch")
    report = tmp_path / "latest.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--threads", "1", "--workloads", "a,grid",
         "--no-startup", "--output", str(report)],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    text = report.read_text()
    assert text.strip() in done.stdout  # printed and written
    for row in ("| layerlab-train | 1 |", "| layerlab-step | 1 |", "| layerlab (per probe) | 1 |"):
        assert row in text
    assert "failed" not in text
