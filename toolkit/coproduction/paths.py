"""Where the course's files are. Every path the package uses is decided here.

The package finds its scenarios, self-checks and datasets the same way
whether it runs from a clone of the repository, an installed wheel, a hub
user's home folder or any other working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CONTENT = PACKAGE / "content"

#: Environment variable that moves the trainee's journal.
JOURNAL_ENV = "COPRODUCTION_JOURNAL"
JOURNAL_FILENAME = "coproduction-journal.sqlite"

_KIND_WORDS = {"scenarios": "scenario", "checks": "self-check", "datasets": "dataset"}


class UnknownName(LookupError):
    """A scenario, self-check or dataset name the course does not have."""

    def __str__(self) -> str:  # LookupError would quote the message
        return str(self.args[0])


def content_names(kind: str) -> list[str]:
    """Names of the shipped files of one kind (``scenarios`` or ``checks``)."""
    return sorted(p.stem for p in (CONTENT / kind).glob("*.yaml"))


def content_file(kind: str, name: str) -> Path:
    """The shipped file for ``name``; UnknownName with the choices if there is none."""
    path = CONTENT / kind / f"{name}.yaml"
    if not path.is_file():
        raise UnknownName(unknown_message(kind, name, content_names(kind)))
    return path


def datasets_dir() -> Path:
    """The folder of shipped datasets: inside the wheel, or the repository's ``datasets/``."""
    installed = PACKAGE / "_datasets"
    if installed.is_dir():
        return installed
    # An editable install or a clone: toolkit/coproduction/ -> repository root.
    return PACKAGE.parent.parent / "datasets"


def journal_path() -> Path:
    """Where the trainee's journal is kept: $COPRODUCTION_JOURNAL, else the current folder.

    In a notebook the current folder is the notebook's own folder.
    """
    override = os.environ.get(JOURNAL_ENV)
    return Path(override).expanduser() if override else Path.cwd() / JOURNAL_FILENAME


def unknown_message(kind: str, name: str, known: list[str]) -> str:
    """The plain-words error for a name the course does not have."""
    word = _KIND_WORDS.get(kind, kind)
    listing = ", ".join(known) if known else "none"
    return f"There is no {word} called '{name}'. The course has: {listing}."
