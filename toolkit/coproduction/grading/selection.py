"""Which submissions a grading run grades, decided as ``nbgrader autograde`` decides it.

nbgrader grades the submitted folders that match ``c.CourseDirectory.student_id``
(``--student``) and hold at least one notebook matching
``c.CourseDirectory.notebook_id`` (``--notebook``); it leaves out the ids in
``c.CourseDirectory.student_id_exclude``, and one already graded unless
``--force`` is given or the new submission's ``timestamp.txt`` is later than
the graded one's. The same rules apply here, decided up front in the main
process so no worker is spent on a submission that is not graded.

One difference, on purpose: a submission that could not be graded earlier is
kept flagged with a note (see ``not_graded``), and is always graded again.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from .course import Course, CourseError
from .not_graded import MARKER


@dataclass
class Selection:
    """The submissions of one run: to grade, and left out with the reason why."""

    grade: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    #: Graded before only as "could not be graded": the flag that run set is lifted.
    retry: set[str] = field(default_factory=set)


def converter_settings(config):
    """nbgrader's Autograde settings that decide what is graded: (force, create_student).

    Read through traitlets classes named as nbgrader's, so a setting given as
    ``--BaseConverter.force=True`` or in the config file counts just as there.
    """
    from traitlets import Bool
    from traitlets.config import Configurable

    base = type("BaseConverter", (Configurable,), {"force": Bool(False).tag(config=True)})
    autograde = type("Autograde", (base,), {"create_student": Bool(True).tag(config=True)})
    settings = autograde(config=config)
    return bool(settings.force), bool(settings.create_student)


def read_timestamp(folder: Path):
    """The time in ``folder``/timestamp.txt, None if there is none; ValueError (with a plain
    message) if it holds something that is not a time."""
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8", errors="replace")[:200].strip()
    if not text:
        return None
    try:
        return parse_utc(text)
    except (ValueError, OverflowError, TypeError):
        raise ValueError(f"its timestamp.txt does not hold a date and time nbgrader can read "
                         f"(it says '{text[:60]}')") from None


def _safe_timestamp(folder: Path):
    try:
        return read_timestamp(folder)
    except (ValueError, OSError):
        return None


_EMPTY = "the folder holds no notebook to grade"


def choose(course: Course, assignment: str, students: list[str] | None = None,
           force: bool = False) -> Selection:
    """The submissions of ``assignment`` to grade (only ``students`` if given)."""
    cd = course.lookup
    found = dict(course.student_folders("submitted", assignment))
    if students:
        missing = [s for s in students if s not in found]
        if missing:
            where = course.path("submitted", missing[0], assignment)
            raise CourseError(f"There is no submission of {assignment} from "
                              f"{', '.join(missing)} (looked in {where}).")
    excluded = set(filter(None, (cd.student_id_exclude or "").split(",")))
    chosen = Selection()
    for student, folder in found.items():
        if students and student not in students:
            continue
        if not fnmatch.fnmatchcase(student, cd.student_id or "*"):
            continue
        if student in excluded:
            chosen.skipped[student] = "left out by c.CourseDirectory.student_id_exclude"
            continue
        notebooks = sorted(folder.glob(f"{cd.notebook_id}.ipynb"))
        if not notebooks:
            chosen.skipped[student] = _EMPTY
            continue
        why_not = _already_graded(course, assignment, student, folder, notebooks, force)
        if why_not == "retry":
            chosen.retry.add(student)
        elif why_not:
            chosen.skipped[student] = why_not
            continue
        chosen.grade.append(student)
    if not chosen.grade and all(why == _EMPTY for why in chosen.skipped.values()):
        # As nbgrader: an error when no submitted folder holds a notebook to grade.
        which = "" if cd.notebook_id == "*" else f" with a notebook matching '{cd.notebook_id}'"
        raise CourseError(f"There are no submissions of {assignment}{which} to grade yet "
                          f"(looked in {course.path('submitted', '*', assignment)}). "
                          "Collect them first.")
    return chosen


def _already_graded(course: Course, assignment: str, student: str, folder: Path,
                    notebooks: list[Path], force: bool) -> str:
    """'' to grade it; 'retry' for one kept as not graded; else why it is left out."""
    dest = course.path("autograded", student, assignment)
    if (dest / MARKER).exists():
        return "retry"
    if course.lookup.notebook_id == "*":
        if not dest.exists():
            return ""
    elif any(not (dest / nb.name).exists() for nb in notebooks):
        return ""
    if force:
        return ""
    new, old = _safe_timestamp(folder), _safe_timestamp(dest)
    if new is not None and old is not None and new > old:
        return ""
    return "already graded (give --force to grade it again)"
