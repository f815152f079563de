"""The cohort report: numbers and labels checked through the data each plot is drawn from.

The course is a throwaway copy with its gradebook filled in directly (no
notebooks are run): some trainees graded, some that could not be graded, and
journals handed in with the work, some of them damaged or made up.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from grading_helpers import ASSIGNMENT, course_copy, run

pytestmark = pytest.mark.slow

GRADED = {  # trainee -> auto score of each test cell (1 point each)
    "ana": {"q1-tests": 1, "q2-attend-tests": 1, "q2-priority-tests": 1, "q2-listen-tests": 1},
    "ben": {"q1-tests": 1, "q2-attend-tests": 0, "q2-priority-tests": 1, "q2-listen-tests": 0},
    "cat": {"q1-tests": 0, "q2-attend-tests": 1, "q2-priority-tests": 1, "q2-listen-tests": 0},
}
FAILED = ["dan-broken", "eve-loop"]
MARKED_BY_HAND = ("q2-reading", "q3-answer", "q4-answer")
SCENARIO = "estate-asb"


def _first_route():
    from coproduction import scenario

    estate = scenario.get(SCENARIO)
    return estate, scenario.play_through(estate, scenario.paths(estate)[0])


def _journals(course: Path) -> None:
    from coproduction.journal import Journal

    _, state = _first_route()
    for student in GRADED:
        Journal(course / "submitted" / student / ASSIGNMENT / "coproduction-journal.sqlite",
                quiet=True).record_scenario(state)
    # dan's journal is made up: every field of the wrong kind, or naming a file
    path = course / "submitted" / "dan-broken" / ASSIGNMENT / "coproduction-journal.sqlite"
    Journal(path, quiet=True).record_scenario(state)
    con = sqlite3.connect(path)
    row = con.execute("SELECT at, kind, subject, detail FROM entries").fetchone()
    bad = [(None, "scenario", SCENARIO, "null"), (None, "scenario", 42, row[3]),
           (None, "scenario", "../../../nbgrader_config.yaml", row[3]),
           (None, "scenario", SCENARIO, json.dumps([1, 2])),
           (None, "scenario", SCENARIO, json.dumps({"path": 5})),
           (None, "scenario", SCENARIO, json.dumps({"path": [["complaints"]]})),
           (None, "scenario", SCENARIO, json.dumps({"path": [[["x"], {"y": 1}]]})),
           (None, "scenario", SCENARIO, json.dumps({"path": [["no-such-node", "c"]]})),
           (None, "scenario", SCENARIO, json.dumps({"path": [["complaints", "fly-away"]]}))]
    con.execute("DELETE FROM entries")  # the made-up ones come first, the real one last
    for values in bad + [row]:
        con.execute("INSERT INTO entries (at, kind, subject, detail) VALUES (?, ?, ?, ?)",
                    (values[0] or row[0], *values[1:]))
    con.commit()
    con.close()
    # eve's is not a database at all
    (course / "submitted" / "eve-loop" / ASSIGNMENT / "coproduction-journal.sqlite").write_text(
        "not a journal")
    # fay handed in only a journal, nested too deep for Python's JSON reader
    path = course / "submitted" / "fay-journal-only" / ASSIGNMENT / "coproduction-journal.sqlite"
    Journal(path, quiet=True).record_scenario(state)
    con = sqlite3.connect(path)
    con.execute("UPDATE entries SET detail = ?", ("[" * 100_000,))
    con.commit()
    con.close()


def build_course(where: Path, *, marked: bool = False) -> Path:
    """A released course with three graded trainees and two that could not be graded."""
    from nbgrader.api import Gradebook

    course = course_copy(where)
    release = course / "exercises" / ASSIGNMENT
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "coproduction") as gb:
        for student in [*GRADED, *FAILED]:
            gb.add_student(student)
            submission = gb.add_submission(ASSIGNMENT, student)
            (course / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
            if student in FAILED:
                for notebook in submission.notebooks:
                    notebook.flagged = True
                continue
            autograded = course / "autograded" / student / ASSIGNMENT
            shutil.copytree(release, autograded)
            for cell, score in GRADED[student].items():
                gb.find_grade(cell, "origins", ASSIGNMENT, student).auto_score = score
            for cell in MARKED_BY_HAND:
                grade = gb.find_grade(cell, "origins", ASSIGNMENT, student)
                grade.needs_manual_grade = not marked
                grade.manual_score = 1.0 if marked else None
        gb.db.commit()
    _journals(course)
    return course


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return build_course(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def made(course, tmp_path_factory):
    from coproduction.grading import Course, report

    return report(Course(course), ASSIGNMENT, tmp_path_factory.mktemp("out"))


def test_summary_counts_graded_and_ungradable_apart(course, tmp_path):
    result = run("coproduction", "report", ASSIGNMENT, "--out", tmp_path, cwd=course)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "3 graded, 2 could not be graded." in result.stdout
    assert "5 trainee(s)" not in result.stdout
    # the mean is of the graded three: (4 + 2 + 2) / 3
    assert "Average score of the 3 graded: 2.7 out of 10" in result.stdout
    for png in ("score-distribution.png", "question-difficulty.png", "scenario-choices.png"):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_score_distribution_leaves_out_ungradable(made):
    chart = made.charts["score-distribution.png"]
    assert sorted(chart.series["scores"]) == [2.0, 2.0, 4.0]
    assert chart.top == 10
    assert made.trainees == 3 and made.ungradable == 2


def test_scores_csv_says_which_could_not_be_graded(made):
    import pandas as pd

    scores = pd.read_csv(made.folder / "scores.csv").set_index("trainee")
    assert scores.loc["dan-broken", "status"] == "could not be graded"
    assert pd.isna(scores.loc["dan-broken", "total"])
    assert scores.loc["ana", "status"] == "graded" and scores.loc["ana", "total"] == 4


def test_question_difficulty_is_labelled_by_question_hardest_at_the_top(made):
    chart = made.charts["question-difficulty.png"]
    assert "hardest at the top" in chart.title and "bottom" not in chart.title
    values = chart.series["mean_percent"]
    assert values == sorted(values)  # drawn top to bottom: the hardest first
    # q2-listen-tests: 1 of 3 points; its heading is "### (c) Who feels listened to?"
    assert chart.labels[0] == "Question 2 (c): Who feels listened to?"
    assert values[0] == pytest.approx(100 / 3)
    assert all(label.startswith("Question ") for label in chart.labels)
    assert not any("tests" in label or "-" in label.split(":")[0] for label in chart.labels)
    assert len(set(chart.labels)) == len(chart.labels)
    # hand-marked answers are waiting, so their questions are not in the plot yet
    assert not any("reflection" in label for label in chart.labels)
    assert made.hardest[0] == chart.labels[0]


def test_question_labels_are_shortened():
    from coproduction.grading.questions import notebook_labels, shorten

    cells = [{"cell_type": "markdown", "source": "## Question 7: " + "word " * 30 + "(3 points)"},
             {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "q7"}}}]
    label = shorten(notebook_labels(cells)["q7"])
    assert label.startswith("Question 7: word") and label.endswith("…") and len(label) <= 48
    assert "points" not in notebook_labels(cells)["q7"]


def _story_order(estate) -> list[str]:
    order = [estate.start]
    for node_id in order:
        for choice in estate.node(node_id).choices:
            order += [t for t in choice.targets if t not in order]
    return order


def test_scenario_choices_by_title_in_story_order(made):
    estate, state = _first_route()
    chart = made.charts["scenario-choices.png"]
    route = [step.node_id for step in state.history]
    expected = sorted(route, key=_story_order(estate).index)
    assert chart.labels == [estate.node(n).title for n in expected]
    assert chart.labels[0] == estate.node(estate.start).title
    # each of the three good journals counted once at each decision point it passed
    totals = [sum(v) for v in zip(*chart.series.values())]
    assert totals == [4.0] * len(route)  # ana, ben, cat, and dan's one real entry


def test_made_up_journal_entries_are_left_out(made):
    assert made.journals == 6  # every journal file handed in, the unreadable ones too
    # dan's nine made-up records, and fay's one nested too deep to read
    assert made.journal_entries_skipped == 10
    assert "10 scenario record(s) in those journals did not match" in made.summary()


def test_nothing_graded_is_said_plainly(tmp_path):
    from nbgrader.api import Gradebook

    from coproduction.grading import Course, report

    course = course_copy(tmp_path)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "coproduction") as gb:
        gb.add_student("zoe")
        gb.add_submission(ASSIGNMENT, "zoe")
    summary = report(Course(course), ASSIGNMENT, tmp_path / "out").summary()
    assert summary.startswith("None of the 1 submission(s) could be graded")
