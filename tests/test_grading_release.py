"""Release: exercises/ is exactly what nbgrader generates from solutions/, with no answers."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT
from grading_helpers import ASSIGNMENT, course_copy, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    course = course_copy(tmp_path_factory.mktemp("release"), release=False)
    run("coproduction", "release", cwd=course, check=True)  # no names: every assignment
    return course


def _notebooks(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*.ipynb"))


def test_committed_exercises_are_what_release_makes(regenerated):
    committed = ROOT / "exercises"
    fresh = regenerated / "exercises"
    assert _notebooks(committed) == _notebooks(fresh)
    for rel in _notebooks(fresh):
        assert json.loads((committed / rel).read_text()) == json.loads((fresh / rel).read_text()), (
            f"exercises/{rel} is out of date: run `coproduction release` and commit the result")


def test_every_assignment_is_released():
    sources = {p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()}
    assert sources == {p.name for p in (ROOT / "exercises").iterdir() if p.is_dir()}


def test_no_answers_in_exercises():
    for path in (ROOT / "exercises").rglob("*.ipynb"):
        text = path.read_text()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "Model answer"):
            assert marker not in text, (path, marker)
        nb = json.loads(text)
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None
    # and what the hidden tests check is nowhere in the trainee copy
    source = json.loads((ROOT / "solutions" / ASSIGNMENT / "origins.ipynb").read_text())
    text = "\n".join("".join(c["source"]) for c in source["cells"])
    hidden = re.findall(r"BEGIN HIDDEN TESTS(.*?)END HIDDEN TESTS", text, re.S)
    assert hidden
    released = json.loads((ROOT / "exercises" / ASSIGNMENT / "origins.ipynb").read_text())
    released_text = "\n".join("".join(c["source"]) for c in released["cells"])
    for block in hidden:
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("assert"):
                assert line not in released_text, line


def test_points_add_up_and_are_shown():
    nb = json.loads((ROOT / "solutions" / ASSIGNMENT / "origins.ipynb").read_text())
    points = sum(c["metadata"]["nbgrader"].get("points", 0) for c in nb["cells"]
                 if c["metadata"].get("nbgrader", {}).get("grade"))
    intro = "".join(nb["cells"][0]["source"])
    stated = re.search(r"\*\*Total\*\*\s*\|\s*\|\s*\*\*(\d+)\*\*", intro)
    assert stated and int(stated.group(1)) == points
    # each question's row in the table gives the points its cells carry
    rows = dict(re.findall(r"^\|\s*(\d+)\s*\|.*\|\s*(\d+)\s*\|$", intro, re.M))
    graded = [c["metadata"]["nbgrader"] for c in nb["cells"]
              if c["metadata"].get("nbgrader", {}).get("grade")]
    per_question = {}
    for meta in graded:
        question = meta["grade_id"].split("-")[0].removeprefix("q")
        per_question[question] = per_question.get(question, 0) + meta["points"]
    assert {q: int(p) for q, p in rows.items()} == per_question
    assert any(c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "markdown"
               for c in nb["cells"]), "a hand-marked reflection answer"
    autograded = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")
                  and c["cell_type"] == "code"]
    # autograded parts in more than one question, and more than one part in some question
    assert len({c["metadata"]["nbgrader"]["grade_id"].split("-")[0] for c in autograded}) >= 2
    assert len(autograded) >= 3


def test_rubrics_add_up():
    """Each hand-marked answer follows a rubric table whose points sum to the cell's points."""
    nb = json.loads((ROOT / "solutions" / ASSIGNMENT / "origins.ipynb").read_text())
    rubric = None
    checked = 0
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "| Points | What earns the point |" in text:
            table = text.split("| Points | What earns the point |", 1)[1]
            rubric = sum(int(p) for p in re.findall(r"^\|\s*(\d+)\s*\|", table, re.M))
        elif cell["cell_type"] == "markdown" and meta.get("grade"):
            assert rubric == meta["points"], (meta["grade_id"], rubric, meta["points"])
            rubric = None
            checked += 1
    assert checked >= 3


def test_release_errors_are_plain(tmp_path):
    result = run("coproduction", "release", "nope", cwd=course_copy(tmp_path, release=False))
    assert result.returncode == 1
    assert "There is no assignment called 'nope'" in result.stderr
    assert "Traceback" not in result.stderr
    outside = run("coproduction", "release", cwd=tmp_path.parent)
    assert outside.returncode == 1 and "is not a course folder" in outside.stderr
