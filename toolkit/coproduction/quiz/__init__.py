"""Self-checks: questions with instant feedback whose answers ship only as salted hashes."""

from __future__ import annotations

from pathlib import Path

from ..paths import content_file, content_names
from .model import Check, ChoiceQuestion, Mark, SortQuestion, answer_hash, load, seal

__all__ = ["Check", "ChoiceQuestion", "Mark", "SortQuestion", "answer_hash", "get", "load",
           "names", "seal", "seal_file", "show"]


def names() -> list[str]:
    """The self-checks shipped with the course."""
    return content_names("checks")


def get(name: str) -> Check:
    """A shipped self-check by name (e.g. ``"01-origins"``)."""
    return load(content_file("checks", name))


def show(name: str, journal=None):
    """The self-check widget; as the last line of a cell it shows itself."""
    from ..widgetkit import rerun_hint
    from .widget import CheckView

    view = CheckView(get(name), journal=journal)
    rerun_hint("self-check")
    return view


def seal_file(source: str | Path, out: str | Path) -> Path:
    """Seal an author's self-check into ``out``, keeping ``out``'s salt if it exists.

    Keeping the salt means re-sealing an unchanged question gives an unchanged file.
    """
    from ruamel.yaml import YAML

    out = Path(out)
    salt = None
    if out.is_file():
        try:
            salt = load(out).salt
        except Exception:  # a broken old copy is simply replaced
            salt = None
    sealed = seal(source, salt=salt)
    yaml = YAML()
    yaml.width = 100
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        fh.write("# Sealed self-check: made by `coproduction quiz seal` from the trainer's\n"
                 "# copy under toolkit/self-check-keys/. Edit that copy, then seal again.\n")
        yaml.dump(sealed, fh)
    return out
