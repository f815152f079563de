"""Reading and writing nbgrader's gradebook for the grading commands.

Only the main process writes to the course's gradebook. Workers grade into
private copies, and ``copy_submission`` carries each result across, so
parallel grading never fights over SQLite's single writer lock.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from .course import CourseError

# Each try already waits up to SQLite's own 5 seconds for the lock.
_BUSY_TRIES = 3


def db_path(db_url: str) -> Path:
    """The file behind an ``sqlite:///...`` URL."""
    if not db_url.startswith("sqlite:///"):
        raise CourseError("This toolkit grades with an SQLite gradebook (db_url must start "
                          f"with sqlite:///); this course uses {db_url}.")
    return Path(db_url[len("sqlite:///"):].split("?")[0])


_LOCKED = ("The gradebook is locked by another program (perhaps the formgrader saving a "
           "grade, or another grading run). Try again in a minute.")


@contextmanager
def open_gradebook(db_url: str, course_id: str | None = None):
    """nbgrader's Gradebook; waits out a short lock, and says so plainly if it lasts."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import OperationalError, SAWarning

    # nbgrader's own queries trip SQLAlchemy warnings that mean nothing to a
    # trainer and would land on top of the progress bar.
    warnings.filterwarnings("ignore", category=SAWarning)
    for attempt in range(_BUSY_TRIES):
        try:
            gb = Gradebook(db_url, course_id or "default_course")
            break
        except OperationalError as err:
            if "locked" not in str(err):
                raise
            if attempt == _BUSY_TRIES - 1:
                raise CourseError(_LOCKED) from None
            time.sleep(0.5)
    try:
        yield gb
    except OperationalError as err:
        if "locked" in str(err):
            raise CourseError(_LOCKED) from None
        raise
    finally:
        gb.close()


def snapshot(db_url: str, target: Path) -> None:
    """A consistent copy of the gradebook (SQLite's backup, safe while others read it)."""
    source = sqlite3.connect(db_path(db_url), timeout=30)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    except sqlite3.OperationalError as err:
        raise CourseError(f"The gradebook could not be read ({err}). Is another program "
                          "writing to it? Try again in a minute.") from None
    finally:
        dest.close()
        source.close()


def ensure_students(db_url: str, course_id: str, students: list[str]) -> None:
    """Add any student the gradebook does not know yet (as plain nbgrader autograde does)."""
    with open_gradebook(db_url, course_id) as gb:
        known = {s.id for s in gb.students}
        for student in students:
            if student not in known:
                gb.add_student(student)


def unknown_students(db_url: str, course_id: str, students: list[str]) -> set[str]:
    """Those of ``students`` the gradebook does not know."""
    with open_gradebook(db_url, course_id) as gb:
        known = {s.id for s in gb.students}
    return set(students) - known


def name_students(db_url: str, course_id: str, names: dict[str, tuple[str, str]]) -> None:
    """Give students first and last names in the gradebook (added if new), as the
    formgrader lists them; students not in ``names`` are left as they are."""
    with open_gradebook(db_url, course_id) as gb:
        for student, (first, last) in names.items():
            gb.update_or_create_student(student, first_name=first, last_name=last)


def require_released(db_url: str, course_id: str, assignment: str) -> None:
    """A CourseError unless the assignment has been released into the gradebook."""
    from nbgrader.api import MissingEntry

    if not db_path(db_url).is_file():
        raise CourseError("This course has no gradebook yet. Release the assignment first: "
                          f"coproduction release {assignment}")
    with open_gradebook(db_url, course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise CourseError(f"Assignment '{assignment}' has not been released yet, so there "
                              f"is nothing to grade against. Run: coproduction release "
                              f"{assignment}") from None


def copy_submission(private_url: str, main_url: str, course_id: str,
                    assignment: str, student: str, unflag: bool = False) -> None:
    """Carry one student's autograde results from a worker's gradebook into the course's.

    A flag a trainer set stays, as it does when nbgrader grades again; ``unflag``
    lifts the flag an earlier run set on a submission it could not grade.
    """
    with open_gradebook(private_url, course_id) as src, open_gradebook(main_url, course_id) as dst:
        graded = src.find_submission(assignment, student)
        dst.update_or_create_submission(assignment, student, timestamp=graded.timestamp)
        for notebook in graded.notebooks:
            for grade in notebook.grades:
                target = dst.find_grade(grade.name, notebook.name, assignment, student)
                target.auto_score = grade.auto_score
                # The rule nbgrader's SaveAutoGrades uses, against the course's own
                # manual score: a trainer's earlier marking survives a regrade.
                target.needs_manual_grade = (target.manual_score is not None
                                             or target.auto_score is None)
            for comment in notebook.comments:
                dst.find_comment(comment.name, notebook.name, assignment,
                                 student).auto_comment = comment.auto_comment
            dst_notebook = dst.find_submission_notebook(notebook.name, assignment, student)
            dst_notebook.late_submission_penalty = notebook.late_submission_penalty
            if unflag:
                dst_notebook.flagged = False
        dst.db.commit()


def record_failure(main_url: str, course_id: str, assignment: str, student: str,
                   timestamp=None) -> None:
    """Keep a submission that could not be graded in the gradebook, flagged for the trainer.

    Its scores stay empty (worth 0), as plain nbgrader leaves them when grading fails.
    """
    with open_gradebook(main_url, course_id) as gb:
        submission = gb.update_or_create_submission(assignment, student, timestamp=timestamp)
        for notebook in submission.notebooks:
            notebook.flagged = True
        gb.db.commit()


def scores(db_url: str, course_id: str, assignment: str, student: str) -> tuple[float, float]:
    """(score, max score) of one submission."""
    with open_gradebook(db_url, course_id) as gb:
        submission = gb.find_submission(assignment, student)
        return float(submission.score), float(submission.max_score)
