"""Submissions that could not be graded, kept where the formgrader shows them.

Plain nbgrader removes a failed submission's autograded folder, so its
formgrader lists it as "needs autograding" with no reason, and its Manual
Grading page shows it unflagged. Here, on purpose, a failed submission gets an
autograded folder of its own instead: each notebook opens with a note saying
why it could not be graded, followed by the trainee's cells as handed in (no
outputs; none of them has been run), and a marker file says the folder holds
no grades. The formgrader then lists the submission as "needs manual grading"
with a score of 0 and a flag, and the trainer can read it there.

Everything else in the toolkit that asks "was this graded?" (feedback pages,
the cohort report) asks ``graded`` here, so these folders never count as graded.
"""

from __future__ import annotations

import json
from pathlib import Path

from .course import Course

#: The file in an autograded folder that marks it as holding no grades.
MARKER = "could-not-be-graded.txt"

#: The largest submitted notebook copied into the note (bigger ones get the note alone).
MAX_COPY_BYTES = 20 * 1024 * 1024


def graded(course: Course, assignment: str, student: str | None = None) -> list[str]:
    """Students whose ``assignment`` was graded: an autograded folder without the marker."""
    return [f.parent.name for f in course.folders("autograded", assignment, student)
            if not (f / MARKER).exists()]


def not_graded(course: Course, assignment: str) -> list[str]:
    """Students whose ``assignment`` could not be graded (kept with the marker)."""
    return [f.parent.name for f in course.folders("autograded", assignment)
            if (f / MARKER).exists()]


def _note_cell(student: str, reason: str) -> dict:
    text = (f"**This submission could not be graded automatically.** What happened: {reason}.\n\n"
            f"Its automatic scores are 0 and it is flagged. Below are {student}'s cells as "
            "they were handed in, without outputs: none of them has been run. You can mark "
            "them by hand here, or ask for the work again and grade it once more with "
            "`coproduction autograde`.")
    return {"cell_type": "markdown", "id": "coproduction-not-graded",
            "metadata": {"deletable": False, "editable": False}, "source": text}


def _cells_as_handed_in(path: Path) -> list[dict]:
    """The submitted notebook's cells without outputs; none if it cannot be read as one."""
    try:
        if path.stat().st_size > MAX_COPY_BYTES:
            return []
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = []
        for cell in nb["cells"]:
            source = cell.get("source", "")
            if cell.get("cell_type") not in ("markdown", "code", "raw"):
                continue
            if not isinstance(source, str):
                source = "".join(s for s in source if isinstance(s, str))
            kept = {"cell_type": cell["cell_type"], "metadata": cell.get("metadata") or {},
                    "source": source}
            if kept["cell_type"] == "code":
                kept.update(outputs=[], execution_count=None)
            cells.append(kept)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return []
    return cells


def keep(course: Course, assignment: str, student: str, reason: str) -> Path:
    """Write the autograded folder of a submission that could not be graded; return it.

    It has one notebook for each of the assignment's notebooks (named from the
    trainer's source folder, never from the submission). The submitted files are
    read, never run.
    """
    import shutil

    notebooks = sorted(p.stem for p in course.path("source", ".", assignment).glob("*.ipynb"))
    folder = course.path("autograded", student, assignment)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    submitted = course.path("submitted", student, assignment)
    stamp = submitted / "timestamp.txt"
    if stamp.is_file() and stamp.stat().st_size < 1024:
        shutil.copyfile(stamp, folder / "timestamp.txt")
    for name in notebooks:
        cells = [_note_cell(student, reason), *_cells_as_handed_in(submitted / f"{name}.ipynb")]
        nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        (folder / f"{name}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    (folder / MARKER).write_text(f"{reason}\n", encoding="utf-8")
    return folder
