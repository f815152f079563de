"""Release and feedback: thin wrappers over nbgrader's own API, with plain errors."""

from __future__ import annotations

from pathlib import Path

from .course import Course, CourseError


def _api(course: Course):
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(coursedir=course.coursedir(), config=course.config)


def _failure(what: str, result: dict) -> CourseError:
    detail = (result.get("error") or result.get("log") or "").strip().splitlines()
    last = next((line for line in reversed(detail) if line.strip()), "no reason given")
    return CourseError(f"{what} failed: {last.strip()}")


def release(course: Course, assignments: list[str] | None = None) -> list[Path]:
    """Regenerate ``exercises/<assignment>/`` from ``solutions/<assignment>/`` for each one.

    With no names, every assignment of the course. Returns the notebooks written.
    """
    names = assignments or course.assignments()
    if not names:
        raise CourseError("This course has no assignments yet: there is nothing in "
                          f"{course.path('source')}.")
    for name in names:
        course.require_assignment(name)
    api = _api(course)
    written = []
    for name in names:
        result = api.generate_assignment(name, force=True)
        if not result["success"]:
            raise _failure(f"Releasing {name}", result)
        written += sorted(course.path("release", ".", name).glob("*.ipynb"))
    return written


def feedback(course: Course, assignment: str, student: str | None = None, *,
             unmarked_ok: bool = False):
    """Make trainees' feedback pages (HTML) from their autograded notebooks.

    See ``feedback_pages.feedback``: it refuses while written answers are unmarked
    (unless ``unmarked_ok``), and the pages fetch nothing from the web.
    """
    from .feedback_pages import feedback as make

    return make(course, assignment, student, unmarked_ok=unmarked_ok)
