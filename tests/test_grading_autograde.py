"""Autograde a cohort with every hostile kind, through the real `coproduction` command.

Each submission gets a row and a reason; correct ones get full marks; tampered
tests do not raise a score; the gradebook agrees with plain `nbgrader autograde`.
"""

from __future__ import annotations

import fcntl
import shutil
import sqlite3

import pytest

from coproduction.grading.cohort import HOSTILE, Member, write_cohort
from grading_helpers import ASSIGNMENT, auto_points, auto_scores, course_copy, grading_log, run

pytestmark = pytest.mark.slow

AUTO_POINTS = auto_points()  # Assignment 1's autograded points (the rest are marked by hand)

COHORT = [Member("ana-correct", "correct"), Member("ben-partial", "partial"),
          Member("cat-blank", "blank")] + [Member(f"h-{kind}", kind) for kind in HOSTILE]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = course_copy(tmp_path_factory.mktemp("cohort"))
    write_cohort(course, ASSIGNMENT, COHORT, journals=["estate-asb"])
    result = run("coproduction", "autograde", ASSIGNMENT, "--timeout", "25", "--workers", "2",
                 cwd=course)
    return course, result


def outcome(graded, student):
    return grading_log(graded[0])[student]


def test_run_finishes_and_says_what_happened(graded):
    _, result = graded
    assert result.returncode == 1, result.stderr  # as nbgrader: some could not be graded
    assert "Traceback" not in result.stdout + result.stderr
    assert f"submission(s) of {ASSIGNMENT}" in result.stdout
    assert "Graded 6 of 10 submission(s)" in result.stdout
    assert "6 graded, 3 failed, 1 timed out." in result.stdout


def test_every_submission_has_a_row(graded):
    assert set(grading_log(graded[0])) == {m.student for m in COHORT}


def test_correct_gets_full_marks_and_blank_none(graded):
    assert float(outcome(graded, "ana-correct")["score"]) == AUTO_POINTS
    assert float(outcome(graded, "cat-blank")["score"]) == 0.0
    assert 0 < float(outcome(graded, "ben-partial")["score"]) < AUTO_POINTS


def test_tampered_tests_do_not_raise_a_score(graded):
    row = outcome(graded, "h-edits-tests")
    assert row["status"] == "graded"
    assert float(row["score"]) <= float(outcome(graded, "cat-blank")["score"])


@pytest.mark.parametrize("student, status, words", [
    ("h-infinite-loop", "timed out", "longer than 25 seconds"),
    ("h-kills-kernel", "failed", "stopped its own Python kernel"),
    ("h-not-json", "failed", "not a readable notebook"),
    ("h-duplicates-cells", "failed", "copies of an answer or test cell"),
])
def test_hostile_submissions_are_recorded_with_a_reason(graded, student, status, words):
    row = outcome(graded, student)
    assert row["status"] == status and words in row["reason"]
    assert f"{student}: {status}: " in graded[1].stdout


def test_deleted_cells_are_noted(graded):
    row = outcome(graded, "h-deletes-cells")
    assert row["status"] == "graded" and "missing from the notebook" in row["note"]


def test_megabytes_of_output_are_trimmed(graded):
    course, _ = graded
    row = outcome(graded, "h-prints-megabytes")
    assert row["status"] == "graded" and float(row["score"]) > 0
    autograded = course / "autograded" / "h-prints-megabytes" / ASSIGNMENT / "origins.ipynb"
    assert autograded.stat().st_size < 500_000
    assert "more characters not kept" in autograded.read_text()


def test_failures_are_flagged_in_the_gradebook_with_zero(graded):
    from nbgrader.api import Gradebook

    course, _ = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "coproduction") as gb:
        for student in ("h-kills-kernel", "h-not-json", "h-infinite-loop"):
            sub = gb.find_submission(ASSIGNMENT, student)
            assert sub.score == 0 and all(nb.flagged for nb in sub.notebooks)
        assert not any(nb.flagged for nb in gb.find_submission(ASSIGNMENT, "ana-correct").notebooks)


def test_failures_show_in_the_formgrader_as_flagged_with_the_reason(graded):
    """What the formgrader lists, read through nbgrader's own API (the one it uses):
    a failed submission needs manual grading with 0 (not "needs autograding" with
    no reason), its notebook is flagged, and it opens with a note saying why."""
    from nbgrader.apps import NbGraderAPI

    from coproduction.grading.course import Course

    course, _ = graded
    cd = Course(course).coursedir()
    api = NbGraderAPI(coursedir=cd)
    listed = {s["student"]: s for s in api.get_submissions(ASSIGNMENT)}
    for student in ("h-kills-kernel", "h-not-json", "h-infinite-loop"):
        assert listed[student]["autograded"] and listed[student]["needs_manual_grade"], student
        assert listed[student]["score"] == 0
        [notebook] = api.get_student_notebook_submissions(student, ASSIGNMENT)
        assert notebook["flagged"], student
        text = (course / "autograded" / student / ASSIGNMENT / "origins.ipynb").read_text()
        assert "could not be graded automatically" in text
    assert listed["ana-correct"]["autograded"]
    [fine] = api.get_student_notebook_submissions("ana-correct", ASSIGNMENT)
    assert not fine["flagged"]
    # the reasons, in the trainer's words
    loop = (course / "autograded" / "h-infinite-loop" / ASSIGNMENT / "origins.ipynb").read_text()
    assert "timed out" in loop
    # the cells of a real notebook come after the note, never run; a file that is not a
    # notebook leaves the note alone
    import json
    cells = json.loads((course / "autograded" / "h-kills-kernel" / ASSIGNMENT /
                        "origins.ipynb").read_text())["cells"]
    assert len(cells) > 10 and all(c.get("outputs", []) == [] for c in cells)
    assert "os._exit" in "".join(c["source"] for c in cells)
    not_json = json.loads((course / "autograded" / "h-not-json" / ASSIGNMENT /
                           "origins.ipynb").read_text())["cells"]
    assert len(not_json) == 1


def test_one_student_regrade_leaves_the_others(graded):
    course, _ = graded
    before = grading_log(course)
    other = course / "autograded" / "ana-correct" / ASSIGNMENT / "origins.ipynb"
    other_mtime = other.stat().st_mtime
    # the trainee fixes the duplicated cells and resubmits
    target = course / "submitted" / "h-duplicates-cells" / ASSIGNMENT / "origins.ipynb"
    shutil.copy(course / "submitted" / "ana-correct" / ASSIGNMENT / "origins.ipynb", target)
    result = run("coproduction", "autograde", ASSIGNMENT, "--student", "h-duplicates-cells",
                 "--quiet", cwd=course)
    assert result.returncode == 0, result.stderr
    assert "Graded 1 of 1 submission(s)" in result.stdout
    after = grading_log(course)
    assert after["h-duplicates-cells"]["status"] == "graded"
    assert float(after["h-duplicates-cells"]["score"]) == AUTO_POINTS
    assert {k: v for k, v in after.items() if k != "h-duplicates-cells"} == {
        k: v for k, v in before.items() if k != "h-duplicates-cells"}
    assert other.stat().st_mtime == other_mtime


def test_feedback_pages(graded):
    course, _ = graded
    result = run("coproduction", "feedback", ASSIGNMENT, "--unmarked-ok", cwd=course)
    assert result.returncode == 0, result.stderr
    page = course / "feedback" / "ana-correct" / ASSIGNMENT / "origins.html"
    assert page.is_file() and "Assignment 1" in page.read_text()
    # a submission that could not be graded gets no page; the summary says so
    assert not (course / "feedback" / "h-kills-kernel").exists()
    assert "No page for 3 submission(s) that could not be graded" in result.stdout


def test_report_files(graded, tmp_path):
    import pandas as pd

    course, _ = graded
    result = run("coproduction", "report", ASSIGNMENT, "--out", tmp_path, cwd=course)
    assert result.returncode == 0, result.stderr
    assert "graded, 3 could not be graded." in result.stdout
    assert "Average score of the" in result.stdout
    assert "Hardest question:" in result.stdout
    assert "written answer(s) still need marking by hand" in result.stdout
    assert "Hardest question: q4-answer" not in result.stdout
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert len(scores) == len(COHORT)
    assert scores.set_index("trainee").loc["ana-correct", "total"] == AUTO_POINTS
    assert {"q1-tests", "q4-answer", "total", "max"} <= set(scores.columns)
    questions = pd.read_csv(tmp_path / "questions.csv")
    assert questions["mean_percent"].between(0, 100).all()
    for png in ("score-distribution.png", "question-difficulty.png", "scenario-choices.png"):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    choices = pd.read_csv(tmp_path / "scenario-choices.csv")
    # three ordinary trainees handed in journals; each counts once per decision point
    first = choices[choices["decision_point"] == choices["decision_point"].iloc[0]]
    assert set(choices["scenario"]) == {"estate-asb"}
    assert choices.groupby("decision_point")["trainees"].sum().max() <= 3
    assert first["label"].notna().all()


def test_scores_equal_plain_nbgrader(tmp_path):
    """Same submissions, plain `nbgrader autograde` and ours: the same auto scores per cell.

    Two kinds are left out of the plain run: the endless loop (plain nbgrader waits a
    minute on it) and duplicated cells, on which plain nbgrader stops the whole run
    and grades nobody after that trainee.
    """
    cohort = [m for m in COHORT if m.kind not in ("infinite-loop", "duplicates-cells")]
    plain = course_copy(tmp_path / "plain")
    ours = course_copy(tmp_path / "ours")
    write_cohort(plain, ASSIGNMENT, cohort)
    write_cohort(ours, ASSIGNMENT, cohort)
    run("nbgrader", "autograde", ASSIGNMENT, "--force", cwd=plain)  # exits 1: some fail
    result = run("coproduction", "autograde", ASSIGNMENT, "--quiet", cwd=ours)
    assert result.returncode == 1, result.stderr  # as nbgrader: some fail
    expected, got = auto_scores(plain), auto_scores(ours)
    assert len(expected) == len(cohort) * 7
    assert got == expected


def test_a_second_run_at_the_same_time_is_refused(tmp_path):
    course = course_copy(tmp_path)
    write_cohort(course, ASSIGNMENT, COHORT[:1])
    with open(course / ".coproduction-grading.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run("coproduction", "autograde", ASSIGNMENT, cwd=course)
    assert result.returncode == 1
    assert "Another grading run is already working on this course" in result.stderr


def test_locked_gradebook_is_a_plain_error(tmp_path):
    course = course_copy(tmp_path)
    write_cohort(course, ASSIGNMENT, COHORT[:1])
    holder = sqlite3.connect(course / "gradebook.db")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run("coproduction", "autograde", ASSIGNMENT, "--quiet", cwd=course)
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 1, result.stdout
    assert "The gradebook is locked by another program" in result.stderr
    assert "Traceback" not in result.stderr


def test_plain_errors(tmp_path):
    unreleased = course_copy(tmp_path / "a", release=False)
    result = run("coproduction", "autograde", ASSIGNMENT, cwd=unreleased)
    assert result.returncode == 1 and "Release the assignment first" in result.stderr
    course = course_copy(tmp_path / "b")
    nothing = run("coproduction", "autograde", ASSIGNMENT, cwd=course)
    assert nothing.returncode == 1 and "no submissions of 01-origins to grade yet" in nothing.stderr
    write_cohort(course, ASSIGNMENT, COHORT[:1])
    who = run("coproduction", "autograde", ASSIGNMENT, "--student", "zed", cwd=course)
    assert who.returncode == 1 and "no submission of 01-origins from zed" in who.stderr
    bad = run("coproduction", "autograde", ASSIGNMENT, "--workers", "0", cwd=course)
    assert bad.returncode == 2 and "must be 1 or more" in bad.stderr
    for result in (nothing, who):
        assert "Traceback" not in result.stderr
    fb = run("coproduction", "feedback", ASSIGNMENT, "--unmarked-ok", cwd=course)
    assert fb.returncode == 1 and "nothing graded" in fb.stderr
    (course / "nbgrader_config.py").write_text("c = get_config(\n")
    broken = run("coproduction", "autograde", ASSIGNMENT, cwd=course)
    assert broken.returncode == 1 and "nbgrader_config.py has an error" in broken.stderr


def test_nothing_lost_when_workers_finish_together(tmp_path):
    """Identical submissions, more workers than cores: results arrive together, all are kept."""
    course = course_copy(tmp_path)
    twins = [Member(f"twin-{n}", "correct") for n in range(6)]
    write_cohort(course, ASSIGNMENT, twins)
    result = run("coproduction", "autograde", ASSIGNMENT, "--workers", "6", "--quiet", cwd=course)
    assert result.returncode == 0, result.stderr
    scores = auto_scores(course)
    assert len(scores) == 6 * 7
    assert sum(v for v in scores.values() if v) == 6 * AUTO_POINTS
    assert all(row["status"] == "graded" for row in grading_log(course).values())


def test_a_failed_submission_fixed_and_graded_again_loses_its_note(graded):
    """Runs last in this file: it changes the cohort the tests above read."""
    from nbgrader.api import Gradebook

    from coproduction.grading.not_graded import MARKER

    course, _ = graded
    folder = course / "autograded" / "h-kills-kernel" / ASSIGNMENT
    assert (folder / MARKER).is_file()
    shutil.copy(course / "submitted" / "ana-correct" / ASSIGNMENT / "origins.ipynb",
                course / "submitted" / "h-kills-kernel" / ASSIGNMENT / "origins.ipynb")
    result = run("coproduction", "autograde", ASSIGNMENT, "--student", "h-kills-kernel",
                 "--quiet", cwd=course)
    assert result.returncode == 0, result.stderr
    assert not (folder / MARKER).exists()
    assert "could not be graded" not in (folder / "origins.ipynb").read_text()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "coproduction") as gb:
        sub = gb.find_submission(ASSIGNMENT, "h-kills-kernel")
        assert sub.score == AUTO_POINTS and not any(nb.flagged for nb in sub.notebooks)
