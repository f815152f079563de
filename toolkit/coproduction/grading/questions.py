"""Graded cells named in words: the question each belongs to, from the source notebook's headings.

nbgrader knows a graded cell by its id (``q3-tests``); a trainer knows it as
"Question 3: ...". The nearest headings above a graded cell say which question
it is part of: the last ``##`` heading, and a ``###`` part heading such as
"(b) Who feels listened to?" under it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .course import Course

LABEL_LIMIT = 48  # characters: fits a plot's axis and a line of a message

_POINTS = re.compile(r"\s*\(\s*\d+(\.\d+)?\s+points?\s*\)\s*$", re.IGNORECASE)
_PART = re.compile(r"^\(([0-9a-z]{1,3})\)\s*(.*)$", re.IGNORECASE)


def shorten(text: str, limit: int = LABEL_LIMIT) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with "…" if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return (cut or text[:limit - 1]) + "…"


def _heading(cell: dict) -> tuple[int, str] | None:
    """(level, words) of a markdown cell's first line if it is a heading."""
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    first = source.strip().splitlines()[0] if source.strip() else ""
    match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", first)
    if not match:
        return None
    words = _POINTS.sub("", match.group(2).replace("**", "").strip())
    return len(match.group(1)), words


def _joined(question: str, part: str) -> str:
    number = question.split(":", 1)[0].strip()
    match = _PART.match(part)
    if match:
        rest = f": {match.group(2)}" if match.group(2) else ""
        return f"{number} ({match.group(1)}){rest}"
    return f"{number}: {part}"


def notebook_labels(cells: list) -> dict[str, str]:
    """Graded cell id -> the question it belongs to, for one notebook's cells."""
    labels: dict[str, str] = {}
    question = part = ""
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        heading = _heading(cell) if cell.get("cell_type") == "markdown" else None
        if heading:
            level, words = heading
            if level == 2:  # a question; level 1 is the assignment's own title
                question, part = words, ""
            elif level >= 3 and question:
                part = words
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and meta.get("grade_id"):
            label = _joined(question, part) if part else question
            labels[meta["grade_id"]] = label or meta["grade_id"]
    return labels


def question_labels(course: Course, assignment: str) -> dict[tuple[str, str], str]:
    """(notebook, graded cell id) -> its question in words, shortened, for ``assignment``.

    Labels are unique: two graded cells under the same heading are told apart
    with "(2)", "(3)". A cell the source notebooks do not have keeps its id.
    """
    sources = sorted(Path(course.path("source", ".", assignment)).glob("*.ipynb"))
    labels: dict[tuple[str, str], str] = {}
    for path in sources:
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        prefix = f"{path.stem}: " if len(sources) > 1 else ""
        for cell_id, label in notebook_labels(cells).items():
            labels[(path.stem, cell_id)] = prefix + label
    seen: dict[str, int] = {}
    for key, label in labels.items():
        short = shorten(label)
        seen[short] = seen.get(short, 0) + 1
        labels[key] = short if seen[short] == 1 else f"{shorten(label, LABEL_LIMIT - 4)} ({seen[short]})"
    return labels


def hand_marked(submitted_notebook) -> set[str]:
    """Ids of the graded cells of an nbgrader SubmittedNotebook that a trainer marks by hand.

    Those are graded answer cells (a graded cell that is also a solution cell):
    written answers, for example. Test cells are scored by the autograder.
    """
    return {cell.name for cell in submitted_notebook.notebook.solution_cells}


def unmarked(grade, manual: set[str]) -> bool:
    """Whether a hand-marked grade is still waiting for its trainer: no score of any kind."""
    return grade.name in manual and grade.auto_score is None and grade.manual_score is None
