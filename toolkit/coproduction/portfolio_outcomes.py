"""A module's title and learning outcomes, read from its notebook, for the CPD record.

The notebooks are the one place the outcomes are written, so they are read
from there rather than copied: from the course's ``modules/`` folder, or any
other folder given (a trainee's own copy). A module whose notebook is not
found (an installed toolkit without the notebooks) is named plainly and its
outcomes are left out.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from .workspace import COURSE_MODULES

_OUTCOMES_HEADING = "By the end of this module you will be able to"
_TITLE = re.compile(r"^#\s+(Module\s+\d+:.+)$", re.M)
_ITEM = re.compile(r"^\d+\.\s+(.+)$", re.M)
_MARKUP = re.compile(r"[*_`]")
#: A module notebook larger than this is not read (the course's are far smaller).
MAX_NOTEBOOK_BYTES = 5 * 2**20


def module_info(module: int, folders: list[Path] | None = None) -> tuple[str, list[str]]:
    """The module's title ("Module 1: ...") and its learning outcomes (may be empty)."""
    for folder in [*(folders or []), COURSE_MODULES]:
        found = _from_notebook(Path(folder), module)
        if found is not None:
            return found
    return f"Module {module}", []


@lru_cache(maxsize=64)
def _from_notebook(folder: Path, module: int) -> tuple[str, list[str]] | None:
    notebooks = sorted(folder.glob(f"{module:02d}-*.ipynb")) if folder.is_dir() else []
    for notebook in notebooks:
        try:
            if notebook.stat().st_size > MAX_NOTEBOOK_BYTES:
                continue
            cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue  # not a notebook this can read: try the next place
        title, outcomes = f"Module {module}", []
        for cell in cells if isinstance(cells, list) else []:
            if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            heading = _TITLE.search(text)
            if heading and title == f"Module {module}":
                title = _plain(heading.group(1))
            if _OUTCOMES_HEADING in text and not outcomes:
                outcomes = [_plain(item) for item in _ITEM.findall(text)]
        return title, outcomes
    return None


def _plain(text: str) -> str:
    """Markdown emphasis and code marks taken out, for a form that is not Markdown."""
    return _MARKUP.sub("", text).strip().rstrip(";.")
