"""A cell stopped at nbgrader's limit for one cell is said out loud, not hidden in a low score."""

from __future__ import annotations

import json

import pytest

from coproduction.grading.submission_checks import stopped_cells
from coproduction.grading.cohort import Member, write_cohort
from grading_helpers import ASSIGNMENT, course_copy, grading_log, run

pytestmark = pytest.mark.slow


def test_a_loop_stopped_by_the_cell_limit_is_reported(tmp_path):
    course = course_copy(tmp_path / "course")
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write("\nc.Execute.timeout = 3\n")  # well inside the submission's own limit
    write_cohort(course, ASSIGNMENT, [Member("lee-loop", "infinite-loop"),
                                      Member("ana-correct", "correct")])
    result = run("coproduction", "autograde", ASSIGNMENT, "--timeout", "90", cwd=course)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 graded, 0 failed, 0 timed out." in result.stdout
    line = next(line for line in result.stdout.splitlines() if "lee-loop" in line)
    assert "graded, but 1 cell(s) ran longer than nbgrader's limit for one cell (3 s" in line
    assert "ana-correct" not in result.stdout.split("timed out.", 1)[1]  # nothing to say about her
    row = grading_log(course)["lee-loop"]
    assert row["status"] == "graded" and "a loop that never ends?" in row["note"]


def test_stopped_cells_reads_only_interrupted_outputs(tmp_path):
    cells = [
        {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "q2-answer"}},
         "outputs": [{"output_type": "error", "ename": "KeyboardInterrupt"}]},
        {"cell_type": "code", "metadata": {}, "outputs": [{"output_type": "error",
                                                            "ename": "CellTimeoutError"}]},
        {"cell_type": "code", "metadata": {}, "outputs": [{"output_type": "error",
                                                            "ename": "AssertionError"}]},
        {"cell_type": "markdown", "metadata": {}},
        "not a cell",
    ]
    (tmp_path / "a.ipynb").write_text(json.dumps({"cells": cells}), encoding="utf-8")
    (tmp_path / "broken.ipynb").write_text("{not json", encoding="utf-8")
    assert stopped_cells(tmp_path) == ["q2-answer", "cell 2 of a.ipynb"]
