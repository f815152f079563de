"""Small nbgrader courses, written from scratch, for comparing with plain nbgrader.

Each course has one assignment, ``ps1``, with one notebook, ``problem1``: an
autograded answer (``square``), two test cells (2 and 1 points) and a
manually graded written answer. Trainees' submissions are the released
notebook with the answer cell filled in with the code given.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
ASSIGNMENT = "ps1"
NOTEBOOK = "problem1"

RIGHT = "def square(x):\n    return x * x"
WRONG = "def square(x):\n    return x + x"


def _cell(kind: str, source: str, grade_id: str | None = None, **nbgrader) -> dict:
    cell = {"cell_type": kind, "id": grade_id or f"c{abs(hash(source)) % 10**8}",
            "metadata": {}, "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    if grade_id:
        cell["metadata"]["nbgrader"] = {"grade_id": grade_id, "schema_version": 3,
                                        "locked": False, "solution": False, "grade": False,
                                        "task": False, **nbgrader}
    return cell


def source_notebook(test_code: str = "assert square(3) == 9") -> dict:
    """The trainer's notebook with the answer in it."""
    cells = [
        _cell("markdown", "Write `square`."),
        _cell("code", "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n"
                      "    ### END SOLUTION", "answer", solution=True),
        _cell("code", test_code, "test_square", grade=True, locked=True, points=2),
        _cell("code", "assert square(0) == 0", "test_zero", grade=True, locked=True, points=1),
        _cell("markdown", "Why?\n\n=== BEGIN MARK SCHEME ===\nAny.\n=== END MARK SCHEME ===\n"
                          "YOUR ANSWER HERE", "why", solution=True, grade=True, points=1),
    ]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3",
                                                        "display_name": "Python 3",
                                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def run(*args, cwd: Path) -> subprocess.CompletedProcess:
    """A command of this environment (nbgrader, coproduction) run in ``cwd``."""
    return subprocess.run([str(BIN / args[0]), *map(str, args[1:])], cwd=cwd, env=ENV,
                          capture_output=True, text=True)


def make_course(where: Path, config: str = "", notebook: dict | None = None,
                root: Path | None = None, structure: str | None = None) -> Path:
    """A released course in ``where`` (its files in ``root`` if given), with ``config`` as
    the body of nbgrader_config.py (no file at all when None)."""
    root = root or where
    where.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (where / "nbgrader_config.py").write_text("c = get_config()\n" + config,
                                                  encoding="utf-8")
    source = root / "source" / ASSIGNMENT
    if structure:
        source = Path(root, structure.format(nbgrader_step="source", student_id=".",
                                             assignment_id=ASSIGNMENT))
    source.mkdir(parents=True)
    (source / f"{NOTEBOOK}.ipynb").write_text(json.dumps(notebook or source_notebook()),
                                              encoding="utf-8")
    done = run("nbgrader", "generate_assignment", ASSIGNMENT, "--force", cwd=where)
    assert done.returncode == 0, done.stdout + done.stderr
    return where


def release_path(course: Path, structure: str | None = None) -> Path:
    """The released notebook of the course."""
    rel = (structure or "{nbgrader_step}/{student_id}/{assignment_id}").format(
        nbgrader_step="release", student_id=".", assignment_id=ASSIGNMENT)
    return Path(course, rel, f"{NOTEBOOK}.ipynb")


def submit(course: Path, student: str, answer: str = RIGHT, timestamp: str | None = None,
           extra: dict[str, str] | None = None, structure: str | None = None,
           release: Path | None = None, edit=None) -> Path:
    """Hand in ``student``'s notebook with ``answer`` in the answer cell; ``extra`` files
    (name -> text) beside it; ``edit(nb)`` may change the notebook before it is saved."""
    rel = (structure or "{nbgrader_step}/{student_id}/{assignment_id}").format(
        nbgrader_step="submitted", student_id=student, assignment_id=ASSIGNMENT)
    folder = Path(course, rel)
    folder.mkdir(parents=True, exist_ok=True)
    nb = json.loads((release or release_path(course, structure)).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "answer":
            cell["source"] = answer
    if edit:
        edit(nb)
    (folder / f"{NOTEBOOK}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    if timestamp is not None:
        (folder / "timestamp.txt").write_text(timestamp, encoding="utf-8")
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def twin(course: Path, where: Path) -> Path:
    """A copy of ``course`` (gradebook included) to grade the other way."""
    shutil.copytree(course, where, symlinks=True)
    return where


def gradebook(db: Path, course_id: str = "default_course") -> dict:
    """Everything autograding records, per submission: student -> record."""
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{db}", course_id) as gb:
        for sub in gb.assignment_submissions(ASSIGNMENT) if _has(gb) else []:
            record = {"timestamp": str(sub.timestamp), "late": float(sub.late_submission_penalty),
                      "score": float(sub.score), "notebooks": {}}
            for nb in sub.notebooks:
                record["notebooks"][nb.name] = {
                    "flagged": nb.flagged,
                    "grades": {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade)
                               for g in nb.grades},
                    "comments": {c.name: c.auto_comment for c in nb.comments},
                    "penalty": float(nb.late_submission_penalty or 0.0)}
            found[sub.student_id] = record
    return found


def _has(gb) -> bool:
    from nbgrader.api import MissingEntry

    try:
        gb.find_assignment(ASSIGNMENT)
    except MissingEntry:
        return False
    return True
