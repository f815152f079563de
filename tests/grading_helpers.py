"""Building throwaway copies of the course for the grading tests."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
ASSIGNMENT = "01-origins"


def auto_points(assignment: str = ASSIGNMENT) -> float:
    """The points of an assignment that autograding gives: its graded code cells."""
    import json

    total = 0.0
    for source in (ROOT / "solutions" / assignment).glob("*.ipynb"):
        for cell in json.loads(source.read_text(encoding="utf-8"))["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") and cell["cell_type"] == "code":
                total += float(meta.get("points", 0))
    return total


def run(*args, cwd: Path, check: bool = False):
    """Run a command of this environment (coproduction, nbgrader) in ``cwd``."""
    result = subprocess.run([str(BIN / args[0]), *map(str, args[1:])], cwd=cwd, env=ENV,
                            capture_output=True, text=True)
    if check and result.returncode:
        raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
    return result


def course_copy(where: Path, release: bool = True, assignment: str = ASSIGNMENT) -> Path:
    """A fresh course folder: config and solutions, released with `coproduction release`."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", where)
    shutil.copytree(ROOT / "solutions", where / "solutions")
    if release:
        run("coproduction", "release", assignment, cwd=where, check=True)
    return where


def assignments() -> list[str]:
    """Every graded assignment: the folders in solutions/."""
    return sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())


def grading_log(course: Path, assignment: str = ASSIGNMENT) -> dict[str, dict]:
    with (course / "reports" / assignment / "grading-log.csv").open(newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def auto_scores(course: Path, assignment: str = ASSIGNMENT) -> dict:
    """(student, cell) -> auto score, for every submission in the course's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "coproduction") as gb:
        return {(sub.student_id, g.name): g.auto_score
                for sub in gb.assignment_submissions(assignment)
                for nb in sub.notebooks for g in nb.grades}
