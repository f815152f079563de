"""Looking at a submission before and after nbgrader grades it.

Before: files that are not notebooks are caught without spending a worker on
them, and graded cells that were deleted (which nbgrader scores 0 silently) are
noticed. After: cells stopped at nbgrader's limit for one cell, or refused
memory by the sandbox, are named, so neither passes for an ordinary low score.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from .selection import read_timestamp

MiB = 1024 * 1024
#: The largest notebook handed in that is graded. The course's notebooks are well under
#: 1 MB; a trainee's, with its outputs and pictures, a few MB.
MAX_NOTEBOOK_BYTES = 100 * MiB


def _grade_ids(nb: dict) -> set[str]:
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            for c in nb.get("cells", [])
            if c.get("metadata", {}).get("nbgrader", {}).get("grade")} - {None}


def inspect(folder: Path, release: Path, pattern: str = "*") -> tuple[str, str]:
    """(reason it cannot be graded, note for the trainer), each '' when there is none.

    Catches files that are not notebooks before a worker is spent on them, and
    notices graded cells that were deleted, which nbgrader scores 0 silently.
    Only the assignment's own notebooks (matching ``pattern``, nbgrader's
    ``--notebook``) count: nbgrader skips any other ``*.ipynb`` handed in, so
    does this.
    """
    try:
        read_timestamp(folder)
    except ValueError as err:
        return str(err), ""
    except OSError as err:
        return f"its timestamp.txt could not be read ({err.strerror})", ""
    missing = []
    known = {p.name for p in release.glob("*.ipynb")}
    for path in sorted(folder.glob(f"{pattern}.ipynb")):
        if path.name not in known:
            continue
        # Looked at before it is read: this process keeps the gradebook, and one
        # trainee's file must not hang it (a pipe) or fill its memory (gigabytes).
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            return f"{path.name} is not an ordinary file (a link or a device, say)", ""
        if info.st_size > MAX_NOTEBOOK_BYTES:
            return (f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // MiB} MB, far larger "
                    "than a notebook of this course, so it was not graded"), ""
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return f"{path.name} is not a readable notebook (it may be damaged or cut short)", ""
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            return f"{path.name} is not a notebook (it has no cells)", ""
        original = release / path.name
        if original.is_file():
            expected = _grade_ids(json.loads(original.read_text(encoding="utf-8")))
            missing += sorted(expected - _grade_ids(nb))
    note = ""
    if missing:
        note = (f"{len(missing)} graded cell(s) were missing from the notebook (deleted?) and "
                f"score 0: {', '.join(missing)}")
    return "", note


#: What an answer cell shows when nbgrader stopped it at its limit for one cell.
STOPPED = ("KeyboardInterrupt", "CellTimeoutError")
#: What a cell shows when the sandbox refused it memory.
NO_MEMORY = ("MemoryError",)


def stopped_cells(folder: Path, errors: tuple[str, ...] = STOPPED) -> list[str]:
    """Graded cells of the autograded notebooks in ``folder`` that were stopped mid-run.

    nbgrader interrupts a cell that runs past its limit for one cell
    (``c.Execute.timeout``) and grades the rest, so a loop that never ends
    would otherwise look like an ordinary low score. With ``errors=NO_MEMORY``
    the same finds cells refused memory by the sandbox.
    """
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            if path.lstat().st_size > MAX_NOTEBOOK_BYTES:
                continue
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        for n, cell in enumerate(cells, start=1):
            outputs = cell.get("outputs") if isinstance(cell, dict) else None
            if any(isinstance(o, dict) and o.get("ename") in errors for o in outputs or []):
                meta = cell.get("metadata", {}).get("nbgrader", {})
                found.append(str(meta.get("grade_id") or f"cell {n} of {path.name}"))
    return found
