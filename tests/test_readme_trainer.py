"""The README's practice-cohort walkthrough, run as written, then what the formgrader shows.

The commands are read from the README's own code block, so the README cannot
drift from what is tested. The formgrader is read through nbgrader's NbGraderAPI,
the object its pages are drawn from.
"""

from __future__ import annotations

import re
import shlex

import pytest

from conftest import ROOT
from grading_helpers import course_copy, run

pytestmark = pytest.mark.slow


def practice_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"```bash\n(.*?)```", readme, re.S)
               if "coproduction cohort" in b]
    lines = [line.split("#")[0].strip() for line in block.splitlines()]
    return [shlex.split(line) for line in lines if line]


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    course = course_copy(tmp_path_factory.mktemp("practice"), release=False)
    results = {}
    for command in practice_commands():
        assert command[0] == "coproduction", command
        results[command[1]] = run(*command, cwd=course)
    return course, results


def test_the_walkthrough_is_what_the_readme_says():
    verbs = [c[1] for c in practice_commands()]
    assert verbs == ["release", "cohort", "autograde", "report", "debrief", "feedback"]


def test_each_step_runs_and_says_what_it_did(walked):
    course, results = walked
    for verb in ("release", "cohort", "report", "debrief"):
        assert results[verb].returncode == 0, (verb, results[verb].stdout, results[verb].stderr)
    # Three of the practice submissions are built to fail; as with nbgrader, the run then
    # ends with exit status 1 after grading all the others.
    assert results["autograde"].returncode == 1
    assert "17 graded, 3 failed" in results["autograde"].stdout
    assert "Wrote 20 practice submissions" in results["cohort"].stdout
    assert "could not be graded" in results["report"].stdout
    assert "from 13 of 13 trainee journal(s)" in results["debrief"].stdout
    assert (course / "reports" / "01-origins" / "debrief.html").is_file()
    for png in ("score-distribution.png", "question-difficulty.png", "scenario-choices.png"):
        assert (course / "reports" / "01-origins" / png).is_file()


def test_feedback_waits_for_the_written_answers_as_the_readme_says(walked):
    course, results = walked
    refused = results["feedback"]
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "--unmarked-ok" in refused.stderr
    made = run("coproduction", "feedback", "01-origins", "--unmarked-ok", cwd=course)
    assert made.returncode == 0, made.stderr
    assert "feedback page(s)" in made.stdout


def test_the_formgrader_lists_people_and_flags_what_could_not_be_graded(walked):
    from nbgrader.apps import NbGraderAPI

    from coproduction.grading.course import Course

    course, _ = walked
    loaded = Course(course)
    api = NbGraderAPI(coursedir=loaded.coursedir(), config=loaded.config)
    # no warning that the exchange folder is missing
    assert not api.exchange_missing and (course / "exchange").is_dir()
    listed = api.get_submissions("01-origins")
    assert len(listed) == 20
    assert all(s["first_name"] and s["last_name"] for s in listed)
    assert len({(s["first_name"], s["last_name"]) for s in listed}) == 20
    # nothing shows as "needs autograding" after autograde: each one is graded or
    # waits for marking by hand, and the ones that could not be graded are flagged
    assert all(s["autograded"] for s in listed)
    flagged = [s["student"] for s in listed
               if any(n["flagged"] for n in api.get_student_notebook_submissions(
                   s["student"], "01-origins"))]
    assert 1 <= len(flagged) <= 4


def test_a_real_cohort_gets_its_names_as_the_readme_says(tmp_path):
    from nbgrader.apps import NbGraderAPI

    from coproduction.grading.course import Course

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = shlex.split(re.search(r"```bash\n(nbgrader db student import [^\n]+)\n```",
                                    readme).group(1))
    course = course_copy(tmp_path)
    (course / command[-1]).write_text("id,first_name,last_name\nsam-k,Samira,Kaur\n"
                                      "lee-w,Lee,Wong\n", encoding="utf-8")
    result = run(*command, cwd=course)
    assert result.returncode == 0, result.stderr
    loaded = Course(course)
    api = NbGraderAPI(coursedir=loaded.coursedir(), config=loaded.config)
    names = {s["id"]: (s["first_name"], s["last_name"]) for s in api.get_students()}
    assert names["sam-k"] == ("Samira", "Kaur") and names["lee-w"] == ("Lee", "Wong")
