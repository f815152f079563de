"""A result that cannot be saved in the gradebook fails that trainee, not the run.

The course's gradebook is given an SQLite trigger that refuses, with SQLite's
own "database or disk is full" message, any row for one trainee written to the
course's gradebook file (the workers' private copies are unaffected), which is
what a disk filling up at that moment does. The others are graded, and the
summary, grading-log.csv and the gradebook agree.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from coproduction.grading.cohort import Member, write_cohort
from grading_helpers import ASSIGNMENT, auto_points, auto_scores, course_copy, grading_log, run

pytestmark = pytest.mark.slow


def test_a_full_disk_while_saving_one_result(tmp_path):
    course = course_copy(tmp_path / "course")
    write_cohort(course, ASSIGNMENT, [Member("amy", "correct"), Member("victim", "correct"),
                                      Member("zed", "correct")])
    db = sqlite3.connect(course / "gradebook.db")
    db.execute("""
        CREATE TRIGGER disk_full BEFORE INSERT ON submitted_assignment
        WHEN NEW.student_id = 'victim'
         AND (SELECT file FROM pragma_database_list WHERE name = 'main') LIKE '%gradebook.db'
        BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END""")
    db.commit()
    db.close()

    result = run("coproduction", "autograde", ASSIGNMENT, "--quiet", cwd=course)
    assert result.returncode == 1, result.stderr  # one could not be graded
    assert "Traceback" not in result.stdout + result.stderr
    assert "victim: failed" in result.stdout and "the disk is full" in result.stdout
    log = grading_log(course)
    assert log["victim"]["status"] == "failed" and "disk is full" in log["victim"]["reason"]
    scores = auto_scores(course)
    for student in ("amy", "zed"):
        assert log[student]["status"] == "graded"
        total = sum(v or 0 for (who, _), v in scores.items() if who == student)
        assert total == auto_points() == float(log[student]["score"])
    # The gradebook holds nothing for the trainee the log calls not graded.
    assert not [key for key in scores if key[0] == "victim"]
    assert json.dumps(log["victim"])  # the row is complete
