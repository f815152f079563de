"""The autograde benchmark runs as the README gives it, and compares the gradebooks.

Only that it runs and what it reports are checked here, never how fast anything was.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow


def test_the_autograde_benchmark_grades_both_ways_and_compares():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "autograde.py"),
                           "--sizes", "1,2"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line.split() for line in done.stdout.splitlines()
            if line.strip()[:1].isdigit()]
    assert [row[0] for row in rows] == ["1", "2"]
    for row in rows:
        assert "same" in row and "scores," in row and float(row[1]) > 0
    two = rows[1]
    assert two[two.index("same") + 1] == "(14"  # 7 graded cells for each of 2 trainees
