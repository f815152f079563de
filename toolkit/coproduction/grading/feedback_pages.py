"""Feedback pages for trainees: only once every written answer is marked, and fully offline.

nbgrader's feedback page loads MathJax from a CDN. Here the page is made with
``templates/offline-feedback``: nbgrader's own feedback template, with a
``mathjax.html.j2`` found first that loads nothing. Each page written is then
checked, and a script,
style sheet, frame or image that would be fetched from the web (a trainee can
put an image link in a written answer) is taken out. Opening a page requests
nothing beyond the machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .course import Course, CourseError
from .gradebook import open_gradebook
from .not_graded import graded as graded_students
from .not_graded import not_graded
from .questions import hand_marked, question_labels, unmarked

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "offline-feedback"

# A tag that fetches something from elsewhere when the page opens: a src or
# href (or srcset, poster, data) starting with http:, https:, or //.
_REMOTE = r"""(?:src|href|srcset|poster|data)\s*=\s*["']?\s*(?:https?:|//)"""
_REMOTE_PAIRED = re.compile(
    rf"<(script|iframe|object|video|audio)\b[^>]*{_REMOTE}[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL)
_REMOTE_SINGLE = re.compile(rf"<(?:img|link|source|embed|input|image)\b[^>]*{_REMOTE}[^>]*/?>",
                            re.IGNORECASE)
_MATHJAX_CONFIG = re.compile(r"<script\b[^>]*text/x-mathjax-config[^>]*>.*?</script\s*>",
                             re.IGNORECASE | re.DOTALL)
_REMOVED = "<!-- removed: it would have been fetched from the web -->"


@dataclass
class Pages:
    """What ``feedback`` made."""

    assignment: str
    files: list[Path] = field(default_factory=list)
    unmarked: dict[str, list[str]] = field(default_factory=dict)  # question -> trainees
    left_out: list[str] = field(default_factory=list)  # could not be graded: no page

    def summary(self) -> str:
        """What a trainer reads afterwards."""
        lines = [f"Made {len(self.files)} feedback page(s) for {self.assignment}, in the "
                 "feedback folder. Release them to trainees from the formgrader, or with "
                 "nbgrader release_feedback."]
        if self.unmarked:
            count = sum(len(who) for who in self.unmarked.values())
            lines.append(f"{count} written answer(s) were not marked yet and show as 0 in "
                         "those pages; make the feedback again once they are marked.")
        if self.left_out:
            lines.append(f"No page for {len(self.left_out)} submission(s) that could not be "
                         f"graded ({', '.join(self.left_out)}): they are flagged in the "
                         "formgrader, each with a note saying why.")
        return "\n".join(lines)


def unmarked_answers(course: Course, assignment: str,
                     student: str | None = None) -> dict[str, list[str]]:
    """Answers marked by hand that nobody has marked yet: question in words -> trainees.

    Only submissions that were graded count (one that could not be graded has
    no feedback page).
    """
    graded = set(graded_students(course, assignment, student))
    labels = question_labels(course, assignment)
    waiting: dict[str, list[str]] = {}
    with open_gradebook(course.db_url, course.id) as gb:
        for submission in gb.assignment_submissions(assignment):
            if submission.student_id not in graded:
                continue
            for notebook in submission.notebooks:
                manual = hand_marked(notebook)
                for grade in notebook.grades:
                    if unmarked(grade, manual):
                        label = labels.get((notebook.name, grade.name), grade.name)
                        waiting.setdefault(label, []).append(submission.student_id)
    return waiting


def _refusal(assignment: str, waiting: dict[str, list[str]], student: str | None) -> CourseError:
    trainees = sorted({who for people in waiting.values() for who in people})
    whose = f"{student}'s work" if student else f"the work of {len(trainees)} trainee(s)"
    lines = [f"Not made yet: {whose} has written answers that nobody has marked, and their "
             "feedback would show them as 0. Still to mark:"]
    lines += [f"  {question}: {len(people)} trainee(s)" for question, people in waiting.items()]
    lines.append("Mark them in the formgrader first (Manual Grading; in `make lab-trainer` it "
                 "is under the Nbgrader menu, Formgrader), then run this again. To make the "
                 f"pages now anyway, with those answers shown as 0: coproduction feedback "
                 f"{assignment} --unmarked-ok")
    return CourseError("\n".join(lines))


def offline(html: str) -> str:
    """``html`` with everything taken out that a browser would fetch from the web."""
    html = _MATHJAX_CONFIG.sub("", html)
    html = _REMOTE_PAIRED.sub(_REMOVED, html)
    return _REMOTE_SINGLE.sub(_REMOVED, html)


def _config(course: Course):
    """The course's nbgrader config, with the page made by our template."""
    import nbgrader
    from traitlets.config import Config

    config = Config()
    config.merge(course.config)
    nbgrader_templates = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" \
        / "templates"
    config.HTMLExporter.template_name = TEMPLATE
    config.HTMLExporter.extra_template_basedirs = [
        str(TEMPLATES), str(nbgrader_templates),
        *config.HTMLExporter.get("extra_template_basedirs", [])]
    return config


def feedback(course: Course, assignment: str, student: str | None = None, *,
             unmarked_ok: bool = False) -> Pages:
    """Make trainees' feedback pages (HTML) from their autograded notebooks.

    Refuses, naming the questions and how many trainees, while answers that are
    marked by hand are still unmarked, unless ``unmarked_ok``.
    """
    from .release import _failure

    course.require_assignment(assignment)
    if not graded_students(course, assignment, student):
        raise CourseError(f"There is nothing graded for {assignment} yet: run "
                          f"coproduction autograde {assignment} first.")
    waiting = unmarked_answers(course, assignment, student)
    if waiting and not unmarked_ok:
        raise _refusal(assignment, waiting, student)
    from nbgrader.converters import GenerateFeedback
    from nbgrader.utils import capture_log

    # As NbGraderAPI.generate_feedback does, except that the API insists on
    # nbgrader's own template, which loads MathJax from the web.
    # Submissions that could not be graded get no page: their folders hold a note
    # for the trainer, not grades.
    left_out = [] if student else not_graded(course, assignment)
    coursedir = course.coursedir(assignment_id=assignment, student_id=student or "*",
                                 student_id_exclude=",".join(left_out))
    app = GenerateFeedback(coursedir=coursedir, config=_config(course))
    app.force = True
    result = capture_log(app)
    if not result["success"]:
        raise _failure(f"Making feedback for {assignment}", result)
    pages = Pages(assignment, unmarked=waiting if unmarked_ok else {}, left_out=left_out)
    for folder in course.folders("feedback", assignment, student):
        for page in sorted(folder.glob("*.html")):
            text = page.read_text(encoding="utf-8")
            cleaned = offline(text)
            if cleaned != text:
                page.write_text(cleaned, encoding="utf-8")
            pages.files.append(page)
    return pages
