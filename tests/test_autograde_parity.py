"""`coproduction autograde` records what plain `nbgrader autograde` records.

Each course is built from notebooks written here (see parity/courses.py),
copied, and graded once by real nbgrader and once by the toolkit, both at the
same time; then the gradebooks are compared submission by submission (scores,
needs-manual-grade, flags, comments, timestamps, late penalties, which
submissions exist) and so are the exit statuses.

The one difference on purpose: a submission nbgrader cannot grade is kept
here, flagged with a note, where nbgrader leaves no record or an empty one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "parity"))

from courses import (ASSIGNMENT, BIN, ENV, NOTEBOOK, RIGHT, WRONG, gradebook,  # noqa: E402
                     make_course, release_path, run, source_notebook, submit, twin)

LATE_PLUGIN = '''from nbgrader.plugins import LateSubmissionPlugin


class HalfOff(LateSubmissionPlugin):
    """Late work loses half its score."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return score / 2 if total_seconds_late > 0 else 0
'''


def _grade_both(course: Path, tmp: Path, *extra: str, db: str = "gradebook.db") -> dict:
    """Grade ``course`` with plain nbgrader and a copy with the toolkit, side by side."""
    ours = twin(course, tmp / "ours")
    plain = subprocess.Popen([str(BIN / "nbgrader"), "autograde", ASSIGNMENT, *extra],
                             cwd=course, env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    mine = run("coproduction", "autograde", ASSIGNMENT, "--quiet", *extra, cwd=ours)
    said = plain.communicate()[0]
    return {"plain": course, "ours": ours, "plain_code": plain.returncode, "plain_log": said,
            "code": mine.returncode, "out": mine.stdout + mine.stderr, "db": db,
            "a": gradebook(course / db), "b": gradebook(ours / db)}


def _failed(result: dict) -> set[str]:
    """Students nbgrader reported it could not grade."""
    return {line.split("for student '")[1].rstrip("'")
            for line in result["plain_log"].splitlines()
            if "There was an error processing assignment" in line and "for student" in line}


def assert_same(result: dict, expect_failed: set[str] = frozenset()) -> None:
    """The two gradebooks agree on every submission both graded, and the failures match."""
    assert result["code"] == result["plain_code"], (result["out"], result["plain_log"][-3000:])
    failed = _failed(result)
    assert failed == set(expect_failed), result["plain_log"][-3000:]
    a, b = result["a"], result["b"]
    graded = set(a) - failed
    assert graded == set(b) - failed, (sorted(a), sorted(b), result["out"])
    for student in graded:
        assert b[student] == a[student], (student, result["out"])
    for student in failed:  # kept here, flagged and worth 0, with the reason
        if student in b:
            assert all(nb["flagged"] for nb in b[student]["notebooks"].values())
        assert f"{student}: failed" in result["out"]


# An ordinary course with no nbgrader_config.py at all, as nbgrader's docs run one.
@pytest.fixture(scope="module")
def ordinary(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ordinary")
    course = make_course(tmp / "plain", config=None)
    submit(course, "alice")
    submit(course, "bob", WRONG)
    submit(course, "carl", timestamp="2021-03-04 05:06:07.000000 UTC")
    submit(course, "dora", extra={"scratch.ipynb": "not a notebook at all"})
    submit(course, "eve", timestamp="yesterday-ish, honestly")
    (course / "submitted" / "fred" / ASSIGNMENT).mkdir(parents=True)  # empty folder
    return _grade_both(course, tmp)


def test_ordinary_course_without_config(ordinary):
    assert_same(ordinary, expect_failed={"eve"})
    assert ordinary["a"]["alice"]["score"] == 3.0 and ordinary["a"]["bob"]["score"] == 1.0
    assert ordinary["a"]["carl"]["timestamp"].startswith("2021-03-04 05:06:07")


def test_stray_file_skipped_and_empty_folder_records_nothing(ordinary):
    assert ordinary["b"]["dora"]["score"] == 3.0
    assert "fred" not in ordinary["b"] and "fred" not in ordinary["a"]
    assert "fred: the folder holds no notebook to grade" in ordinary["out"]


def test_bad_timestamp_is_a_plain_reason_and_the_run_goes_on(ordinary):
    assert "eve: failed: its timestamp.txt does not hold a date and time" in ordinary["out"]
    assert ordinary["code"] == 1


def test_already_graded_left_alone_unless_forced(ordinary, tmp_path):
    """Without --force both leave graded work as it is; a trainer's flag survives --force."""
    from nbgrader.api import Gradebook

    for side in ("plain", "ours"):
        with Gradebook(f"sqlite:///{ordinary[side] / 'gradebook.db'}") as gb:
            gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, "alice").flagged = True
            gb.db.commit()
    again = run("coproduction", "autograde", ASSIGNMENT, "--quiet", "--student", "alice",
                cwd=ordinary["ours"])
    assert again.returncode == 0, again.stdout + again.stderr
    assert "alice: already graded (give --force to grade it again)" in again.stdout
    submit(ordinary["plain"], "alice", WRONG)
    submit(ordinary["ours"], "alice", WRONG)
    plain = run("nbgrader", "autograde", ASSIGNMENT, "--student", "alice", "--force",
                cwd=ordinary["plain"])
    ours = run("coproduction", "autograde", ASSIGNMENT, "--quiet", "--student", "alice",
               "--force", cwd=ordinary["ours"])
    assert ours.returncode == plain.returncode == 0, ours.stdout + ours.stderr
    a = gradebook(ordinary["plain"] / "gradebook.db")["alice"]
    b = gradebook(ordinary["ours"] / "gradebook.db")["alice"]
    assert a == b and b["score"] == 1.0 and b["notebooks"][NOTEBOOK]["flagged"]


# A course that uses nbgrader's settings: its files kept elsewhere (CourseDirectory.root),
# its own folder layout, a trainee left out, a late-penalty plugin kept beside the config.
STRUCTURE = "{nbgrader_step}/{assignment_id}/{student_id}"


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    tmp = tmp_path_factory.mktemp("configured")
    where = tmp / "plain"
    config = ("import os\n"
              "c.CourseDirectory.root = os.path.join(os.path.dirname(__file__), 'files')\n"
              f"c.CourseDirectory.directory_structure = {STRUCTURE!r}\n"
              "c.CourseDirectory.student_id_exclude = 'zed,test'\n"
              "c.AssignLatePenalties.plugin_class = 'halfoff.HalfOff'\n")
    where.mkdir()
    (where / "halfoff.py").write_text(LATE_PLUGIN, encoding="utf-8")
    course = make_course(where, config=config, root=where / "files", structure=STRUCTURE)
    with Gradebook(f"sqlite:///{where / 'files' / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate=parse_utc("2021-01-01 00:00:00 UTC"))
    release = release_path(where / "files", STRUCTURE)
    for student, stamp in (("ann", "2020-12-31 12:00:00 UTC"), ("ben", "2021-01-02 00:00:00 UTC"),
                           ("zed", None), ("test", None)):
        submit(where / "files", student, timestamp=stamp, structure=STRUCTURE, release=release)
    return _grade_both(course, tmp, db="files/gradebook.db")


def test_course_settings_honoured(configured):
    assert_same(configured)
    b = configured["b"]
    assert set(b) == {"ann", "ben"}  # zed and test left out by student_id_exclude
    assert b["ann"]["late"] == 0.0 and b["ben"]["late"] == 1.5  # the plugin's half of 3


# c.Autograde.create_student = False: a trainee not in the gradebook is not graded.
@pytest.fixture(scope="module")
def closed(tmp_path_factory):
    from nbgrader.api import Gradebook

    tmp = tmp_path_factory.mktemp("closed")
    course = make_course(tmp / "plain", config="c.Autograde.create_student = False\n")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.add_student("known")
    submit(course, "known")
    submit(course, "stranger")
    return _grade_both(course, tmp)


def test_create_student_false_honoured(closed):
    assert_same(closed, expect_failed={"stranger"})
    assert set(closed["b"]) == {"known"}  # nothing recorded for the stranger
    assert "not in the gradebook" in closed["out"]


# A kernel as fresh as nbgrader's: the notebook sees no module it did not import,
# and a setting given on the command line (--Execute.timeout) reaches every cell.
FRESH_TEST = ("import sys\nassert 'numpy' not in sys.modules\n"
              "assert 'coproduction' not in sys.modules")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fresh")
    course = make_course(tmp / "plain", config="", notebook=source_notebook(FRESH_TEST))
    submit(course, "pat")
    submit(course, "sam", "import time\ntime.sleep(30)\n" + RIGHT)
    return _grade_both(course, tmp, "--Execute.timeout=3")


def test_kernels_fresh_and_overrides_passed_on(fresh):
    assert_same(fresh)
    assert fresh["b"]["pat"]["score"] == 3.0
    assert fresh["b"]["sam"]["score"] == 2.0  # its answer cell stopped after 3 s, as in nbgrader


# Where plain nbgrader stops its whole run (an old metadata format), the toolkit grades
# the others: the one difference on purpose.
def test_one_broken_notebook_does_not_stop_the_others(tmp_path):
    course = make_course(tmp_path / "plain", config="")

    def old_schema(nb):
        for cell in nb["cells"]:
            if "nbgrader" in cell["metadata"]:
                cell["metadata"]["nbgrader"]["schema_version"] = 1

    submit(course, "aaron", edit=old_schema)
    submit(course, "zoe")
    result = _grade_both(course, tmp_path)
    assert result["plain_code"] == result["code"] == 1
    assert "zoe" not in result["a"] or result["a"]["zoe"]["score"] == 0.0  # never reached
    assert result["b"]["zoe"]["score"] == 3.0
    assert "aaron: failed" in result["out"]


def test_bad_settings_are_plain_errors(ordinary):
    bad = run("coproduction", "autograde", ASSIGNMENT, "--Execute.timeout", cwd=ordinary["ours"])
    assert bad.returncode == 1 and "is not an nbgrader setting" in bad.stderr
    wrong = run("coproduction", "autograde", ASSIGNMENT, "--Execute.timeout=soon",
                cwd=ordinary["ours"])
    assert wrong.returncode == 1 and "nbgrader could not use these settings" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_notebook_option_as_nbgrader(ordinary):
    none = run("coproduction", "autograde", ASSIGNMENT, "--quiet", "--force",
               "--notebook", "nothing*", cwd=ordinary["ours"])
    assert none.returncode == 1 and "no submissions" in none.stderr.lower(), none.stderr
    plain = run("nbgrader", "autograde", ASSIGNMENT, "--force", "--notebook", "nothing*",
                cwd=ordinary["plain"])
    assert plain.returncode == 1
