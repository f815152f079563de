"""The trainee's CPD record: the journal written out as a regulator's form expects.

>>> from coproduction import portfolio
>>> portfolio.write("nmc")      # the path of cpd-record-nmc.docx, here   # doctest: +SKIP

Each module the trainee worked on is one CPD activity: its title and learning
outcomes, the dates, the case scenario's ending, the self-check results and
the trainee's reflections in their own words. What only the trainee can say
(why it matters to their practice, what changed) is left for them, marked
"[To complete: ...]". Nothing is sent anywhere: the file is written here.

The hours are never more than the journal shows: the rule is set out in
``coproduction.portfolio_activities``, and stated in every record.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .journal import Entry
from .portfolio_activities import (  # noqa: F401 - the public names of the CPD record
    BREAK_MINUTES, MAX_MODULES, MAX_REFLECTIONS, MAX_TEXT, Activity, Play, activities, clean,
    day,
)

#: The forms this toolkit can write, with the name shown to the trainee.
FORMATS = {
    "nmc": "NMC revalidation",
    "swe": "Social Work England CPD",
    "hcpc": "HCPC CPD",
    "generic": "CPD",
}
_SUFFIXES = (".docx", ".html")


class PortfolioError(ValueError):
    """Something stops the CPD record being written; the message says what to do."""


def _read_journal(journal_path: str | Path | None) -> tuple[Path, list[Entry]]:
    """The journal's entries; a missing journal is an error (none is made by asking)."""
    from .journal import Journal
    from .paths import journal_path as default_path

    path = Path(journal_path) if journal_path is not None else default_path()
    if not path.is_file():
        raise PortfolioError(f"There is no journal at {path}. Your journal is made when you "
                             "play a module's scenario or write a reflection; give its place "
                             "with --path if it is kept somewhere else.")
    journal = Journal(path, quiet=True)
    entries = journal.entries()
    if journal.notice:
        raise PortfolioError(f"{journal.notice} So there are no reflections to put in a CPD "
                             "record, and no file was written.")
    return path, entries


def _target(fmt: str, out: str | Path | None, force: bool) -> Path:
    """Where to write: the given file (never overwritten without ``force``) or a new name here."""
    if out is None:
        path, n = Path.cwd() / f"cpd-record-{fmt}.docx", 1
        while path.exists():  # the default name never replaces an earlier record
            n += 1
            path = Path.cwd() / f"cpd-record-{fmt}-{n}.docx"
        return path
    path = Path(out)
    if path.suffix.lower() not in _SUFFIXES:
        raise PortfolioError(f"The file name {path.name} should end in .docx (a Word document) "
                             "or .html (a page to print).")
    if not path.parent.is_dir():
        raise PortfolioError(f"There is no folder {path.parent} to write {path.name} into.")
    if path.exists() and not force:
        raise PortfolioError(f"{path} already exists and was left as it is. Give another "
                             "file name, or add --force to replace it.")
    return path


def write(fmt: str = "generic", out: str | Path | None = None,
          journal_path: str | Path | None = None, *, name: str | None = None,
          force: bool = False) -> Path:
    """Write the CPD record for ``fmt`` (nmc, swe, hcpc or generic) and return its path.

    ``out`` ending in .docx gives a Word document, .html a page to print;
    without it, ``cpd-record-FMT.docx`` in the current folder (numbered, never
    replacing an earlier one). An existing ``out`` is replaced only with
    ``force``. Raises PortfolioError (with a message for the trainee) when there
    is no journal, it could not be read, or it holds no reflections: then no
    file is written.
    """
    from .portfolio_forms import build
    from .portfolio_render import render_docx, render_html

    if fmt not in FORMATS:
        raise PortfolioError(f"There is no CPD form called '{fmt}'. Choose one of: "
                             f"{', '.join(FORMATS)}.")
    target = _target(fmt, out, force)
    path, entries = _read_journal(journal_path)
    # The module notebooks beside the journal (a trainee's own copy) are read for outcomes too.
    found = [a for a in activities(entries, [path.parent]) if a.reflections]
    if not found:
        raise PortfolioError("Your journal has no reflections yet, so there is nothing to put "
                             "in a CPD record and no file was written. Write your answers to "
                             "the reflection questions at the end of a module (they are saved "
                             "as you type), then try again.")
    record = build(fmt, found, clean(name, 200) if name else None)
    data = render_docx(record) if target.suffix.lower() == ".docx" else render_html(record)
    _save(data, target)
    return target


def _save(data: bytes, target: Path) -> None:
    """Write next to the target and rename into place, so a failure leaves no half file."""
    import errno

    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".cpd-record-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except OSError as err:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        why = ("there is no space left on the disk" if err.errno in (errno.ENOSPC, errno.EDQUOT)
               else err.strerror or str(err))
        raise PortfolioError(f"Could not write {target}: {why}. Nothing was written; your "
                             "journal is unchanged.") from None
    except BaseException:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise
