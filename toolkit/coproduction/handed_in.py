"""Reading a journal someone else made: a trainee's, handed in with their work.

A handed-in journal is the trainee's own file, so anything may be in it:
values of the wrong kind, strings of millions of characters, millions of
rows, a table that is not ours at all. ``read_handed_in`` never lets one of
those reach the trainer's tools. It

- skips a file that is not a plain file, or is larger than ``MAX_FILE_BYTES``,
  without opening it;
- opens the file read-only and "immutable" (SQLite then neither locks it nor
  reads or writes the -journal or -wal files lying beside it), and only if
  ``entries`` is a plain table of ours (not a view, no computed columns, which
  could make huge values out of a small file);
- lets SQLite hand over no value longer than the file itself, and stops a
  query that runs for longer than ``MAX_SECONDS``;
- reads at most ``MAX_ROWS`` rows and ``MAX_DETAIL_TOTAL`` characters of
  details, and never more than ``MAX_TEXT`` characters of any text column
  (longer ones are cut);
- checks every row it reads and skips, counting them, rows with a value of
  the wrong kind, a detail that is not a JSON object, too long or nested too
  deep, or (for a finished scenario) a detail whose fields are not what the
  course writes.

Nothing here treats a value from the journal as a file name.
"""

from __future__ import annotations

import json
import math
import sqlite3
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .journal import Entry, disk_is_full

#: A journal file larger than this is skipped without being read (the course's own
#: journals are a few hundred KB at most, even with long reflections).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: The most rows read from one journal.
MAX_ROWS = 5_000
#: The longest text kept from one column (id, time, kind, subject) or one string in a
#: detail; a longer one is cut to this length.
MAX_TEXT = 2_000
#: The longest detail (JSON text) read; a longer one makes its row unreadable.
MAX_DETAIL_CHARS = 100_000
#: The deepest a detail may nest lists and objects (the course writes 3 levels).
MAX_DETAIL_DEPTH = 10
#: The most characters of details read from one journal, all rows together (a
#: trainee who played every scenario fifty times writes under 1 million).
MAX_DETAIL_TOTAL = 5_000_000
#: The most steps in a recorded route (the longest shipped route has about a dozen).
MAX_STEPS = 500
#: A query on one journal is stopped after this long.
MAX_SECONDS = 30.0

_COLUMNS = ("id", "at", "kind", "subject", "detail")
# Every column comes back with its SQLite type, and text only as its first MAX_TEXT + 1
# characters (one more than kept, so a cut can be told from a value exactly that long).
_SELECT = ("SELECT id, typeof(id), substr(at, 1, :cut), typeof(at), substr(kind, 1, :cut), "
           "typeof(kind), substr(subject, 1, :cut), typeof(subject), "
           "CASE WHEN typeof(detail) = 'text' AND length(detail) <= :longest THEN detail END, "
           "typeof(detail) FROM entries")


@dataclass
class HandedIn:
    """What was read from one handed-in journal, and what was not.

    ``problem`` says in plain words why the whole file was left out (None when it
    was read); ``unreadable`` counts rows skipped because a value was of the wrong
    kind or too large; ``more_rows`` is True when the file had more than
    ``MAX_ROWS`` rows of the kind asked for, or more than ``MAX_DETAIL_TOTAL``
    characters of details, and only the first ones were read.
    """

    path: Path
    entries: list[Entry] = field(default_factory=list)
    unreadable: int = 0
    more_rows: bool = False
    problem: str | None = None


def read_handed_in(path: str | Path, kind: str | None = "scenario") -> HandedIn:
    """The well-formed entries of a handed-in journal (only ``kind``'s, if given), oldest first.

    Never raises for anything in the file: a file that cannot be used gives a
    ``HandedIn`` with ``problem`` set and no entries.
    """
    path = Path(path)
    result = HandedIn(path)
    try:
        info = path.lstat()
    except OSError:
        result.problem = "the file could not be found"
        return result
    if not stat.S_ISREG(info.st_mode):
        result.problem = "it is not a plain file"
        return result
    if info.st_size > MAX_FILE_BYTES:
        result.problem = (f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, far "
                          "larger than a journal the course writes, so it was not read")
        return result
    try:
        _read_rows(path, kind, info.st_size, result)
    except _NotOurs as err:
        result.problem = str(err)
    except sqlite3.Error as err:
        result.problem = _error_words(err, path)
    except OSError as err:
        result.problem = ("the disk is full, so it could not be read" if disk_is_full(err, path)
                          else "the file could not be opened")
    if result.problem:  # all or nothing: a file that failed part way gives no entries
        result.entries, result.unreadable, result.more_rows = [], 0, False
    return result


class _NotOurs(Exception):
    """The file is an SQLite database, but not one this course wrote."""


def _read_rows(path: Path, kind: str | None, size: int, result: HandedIn) -> None:
    """Read the rows into ``result``, one at a time, so a skipped row's text is let go."""
    # immutable=1: SQLite takes no lock and ignores any -journal or -wal file beside it,
    # so nothing the trainee put next to the journal is read or rolled back into it.
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    con = sqlite3.connect(uri, uri=True, timeout=1)
    # Text that is not UTF-8 is read with replacement characters, not an error that
    # would lose the whole journal for one odd row.
    con.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        if hasattr(con, "setlimit"):  # Python 3.11 and later
            # No value longer than the file could hold: a value made up on reading
            # (by a function in a default or a view) fails instead of filling memory.
            con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max(size, 1_000_000))
        deadline = time.monotonic() + MAX_SECONDS
        con.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        _check_layout(con)
        sql = _SELECT + (" WHERE kind = :kind" if kind else "") + " ORDER BY id LIMIT :rows"
        rows = con.execute(sql, {"cut": MAX_TEXT + 1, "longest": MAX_DETAIL_CHARS,
                                 "kind": kind, "rows": MAX_ROWS + 1})
        total = 0
        for number, row in enumerate(rows):
            total += len(row[8] or "")
            if number == MAX_ROWS or total > MAX_DETAIL_TOTAL:
                result.more_rows = True
                break
            entry = _entry(row)
            if entry is None:
                result.unreadable += 1
            else:
                result.entries.append(entry)
    finally:
        con.close()


def _check_layout(con: sqlite3.Connection) -> None:
    """``entries`` must be a plain table with our columns, none computed or given a default.

    A view, a virtual table, a computed column or a column default is text made
    up on reading rather than stored row by row, so a small file could stand for
    gigabytes; the course's own journals have none of them.
    """
    found = con.execute("SELECT type, sql FROM sqlite_master WHERE name = 'entries'").fetchall()
    if len(found) != 1 or found[0][0] != "table" \
            or str(found[0][1]).lstrip().upper().startswith("CREATE VIRTUAL"):
        raise _NotOurs("it is not a journal this course made (it has no table of entries)")
    # table_xinfo rows: cid, name, type, notnull, default, pk, hidden (non-zero: computed)
    columns = {r[1]: (r[4], r[6]) for r in con.execute("PRAGMA table_xinfo(entries)")}
    if not set(_COLUMNS) <= set(columns):
        raise _NotOurs("it is not a journal this course made (its entries lack some fields)")
    if any(columns[name] != (None, 0) for name in _COLUMNS):
        raise _NotOurs("it is not a journal this course made (some fields are made up on "
                       "reading)")


def _error_words(err: sqlite3.Error, path: Path) -> str:
    if disk_is_full(err, path):
        return "the disk is full, so it could not be read"
    if isinstance(err, sqlite3.OperationalError) and "interrupted" in str(err):
        return f"reading it took longer than {MAX_SECONDS:g} seconds, so it was stopped"
    if "too big" in str(err):
        return "it holds a value far larger than a journal the course writes"
    return "it is not a journal this course made, or it is damaged"


def _entry(row: tuple) -> Entry | None:
    """One row as an Entry, or None when any part of it is of the wrong kind or too large."""
    (id_, id_type, at, at_type, kind, kind_type, subject, subject_type,
     detail, detail_type) = row
    if id_type != "integer" or "text" != at_type or kind_type != "text" \
            or subject_type != "text" or detail_type != "text" or detail is None:
        return None
    parsed = _detail(detail)
    if parsed is None or (kind == "scenario" and not _scenario_detail_ok(parsed)):
        return None
    return Entry(int(id_), _cut(at), _cut(kind), _cut(subject), parsed)


def _cut(text: str) -> str:
    return text[:MAX_TEXT]


def _detail(text: str) -> dict[str, Any] | None:
    """The detail as a dict with every string cut to MAX_TEXT, or None if it is not one."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # ValueError: not JSON, or a number too long
        return None
    if not isinstance(value, dict):
        return None
    try:
        return _tidy(value, 0)
    except ValueError:
        return None


def _tidy(value: Any, depth: int) -> Any:
    """``value`` with strings cut; ValueError if nested deeper than MAX_DETAIL_DEPTH."""
    if depth > MAX_DETAIL_DEPTH:
        raise ValueError("nested too deep")
    if isinstance(value, str):
        return _cut(value)
    if isinstance(value, list):
        return [_tidy(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {_cut(k): _tidy(v, depth + 1) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a number")  # json reads NaN and Infinity; the course never writes them
    return value


def _number(value: Any, low: float, high: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high


def _scenario_detail_ok(detail: dict[str, Any]) -> bool:
    """A finished scenario's detail has the fields ``Journal.record_scenario`` writes, of
    their kinds: a route of [node, choice] pairs and, where present, the ending, the
    stance and values (-2 to +2, a value not at stake null), the measures (whole
    numbers) and the facts."""
    path = detail.get("path")
    if not (isinstance(path, list) and 0 < len(path) <= MAX_STEPS):
        return False
    if not all(isinstance(step, list) and len(step) == 2
               and all(isinstance(part, str) for part in step) for step in path):
        return False
    checks = {
        "ending_node": lambda v: isinstance(v, str),
        "ending": lambda v: v is None or isinstance(v, str),
        "stance": lambda v: _number(v, -2, 2),
        # A value not at stake on the route is recorded as null.
        "values": lambda v: isinstance(v, dict) and all(
            x is None or _number(x, -2, 2) for x in v.values()),
        "measures": lambda v: isinstance(v, dict) and all(
            isinstance(x, int) and not isinstance(x, bool) and abs(x) <= 1_000_000
            for x in v.values()),
        "facts": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    }
    return all(ok(detail[name]) for name, ok in checks.items() if name in detail)
