"""Every graded assignment, through the real `coproduction autograde`: the model answers
get every autograded point, the copy trainees receive gets none, and a partly right
answer gets something in between."""

from __future__ import annotations

import json

import pytest

from coproduction.grading.cohort import Member, write_cohort
from grading_helpers import assignments, auto_points, auto_scores, course_copy, grading_log, run

pytestmark = pytest.mark.slow

ASSIGNMENTS = assignments()


def test_there_are_three_assignments_at_least():
    assert {"01-origins", "02-values", "03-involvement", "04-health",
            "05-housing", "06-organisation"} <= set(ASSIGNMENTS)


#: Each assignment's points: (autograded, marked by hand); ten in all, as each says.
POINTS = {"01-origins": (4, 6), "02-values": (5, 5), "03-involvement": (6, 4),
          "04-health": (6, 4), "05-housing": (6, 4), "06-organisation": (6, 4)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_points_add_up_to_the_ten_each_assignment_promises(assignment):
    from conftest import ROOT

    [source] = (ROOT / "solutions" / assignment).glob("*.ipynb")
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    auto = hand = 0.0
    for cell in cells:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade"):
            if cell["cell_type"] == "code":
                auto += meta["points"]
            else:
                hand += meta["points"]
    assert (auto, hand) == POINTS[assignment]
    assert "**10**" in "".join(cells[0]["source"])
    kinds = [c["cell_type"] for c in cells if c["metadata"].get("nbgrader", {}).get("grade")]
    assert kinds == sorted(kinds)  # every autograded question comes before the written ones


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    assignment = request.param
    course = course_copy(tmp_path_factory.mktemp(assignment), assignment=assignment)
    write_cohort(course, assignment, [Member("model", "correct"), Member("fresh", "blank"),
                                      Member("part", "partial")])
    result = run("coproduction", "autograde", assignment, "--timeout", "120", cwd=course)
    assert result.returncode == 0, result.stdout + result.stderr
    return assignment, course


def totals(graded) -> dict[str, float]:
    assignment, course = graded
    out: dict[str, float] = {}
    for (student, _cell), score in auto_scores(course, assignment).items():
        out[student] = out.get(student, 0.0) + (score or 0.0)
    return out


def test_model_answers_get_every_autograded_point(graded):
    assignment, course = graded
    assert grading_log(course, assignment)["model"]["status"] == "graded"
    assert auto_points(assignment) >= 4
    assert totals(graded)["model"] == auto_points(assignment)


def test_the_copy_trainees_receive_gets_nothing(graded):
    assert totals(graded)["fresh"] == 0


def test_a_partly_right_answer_gets_part_of_the_points(graded):
    assert 0 < totals(graded)["part"] < auto_points(graded[0])


def test_every_hand_marked_answer_has_a_rubric(graded):
    """Each written answer's question cell says how it is marked, with a middle answer."""
    from grading_helpers import ROOT

    assignment, _ = graded
    for source in (ROOT / "solutions" / assignment).glob("*.ipynb"):
        cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        manual = [c for c in cells if c["cell_type"] == "markdown"
                  and c.get("metadata", {}).get("nbgrader", {}).get("grade")]
        assert manual, f"{assignment} has no hand-marked answer"
        assert text.count("How this is marked") >= len(manual)
        assert "middle answer" in text.lower()
