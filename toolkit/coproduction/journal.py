"""The trainee's journal: a local SQLite file of finished scenarios and self-check attempts.

Each entry is written in its own transaction, so a crash never leaves half an
entry, and SQLite's file locking lets two kernels write at once without
losing anything. A file that is not a readable journal is moved aside (never
deleted) and a fresh journal is started, with a message saying where the old
one went.

The journal uses SQLite's default rollback journal, not WAL, because hub home
folders are often on network file systems where WAL is not safe.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .paths import JOURNAL_ENV, journal_path

#: Bumped when the table layout changes; a file with another number is set aside.
LAYOUT_VERSION = 1

_CREATE = """
CREATE TABLE IF NOT EXISTS entries (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,   -- when, in UTC, ISO 8601
    kind    TEXT NOT NULL,   -- 'scenario', 'check', 'reflection', 'progress', 'selfassessment'
    subject TEXT NOT NULL,   -- scenario id, self-check id / question id, or prompt id
    detail  TEXT NOT NULL    -- JSON: the path and score, or the answer and mark
)
"""

# A writer waits this long for another kernel to finish its write.
_BUSY_SECONDS = 30

DISK_FULL = ("There is no space left on the disk that holds your journal ({path}), so nothing "
             "more can be saved to it. Your journal itself is not damaged. Free some space, or "
             "ask your trainer or IT team for help, then run the cell again.")


#: Less free space than this on the journal's disk counts as a full disk (see disk_is_full).
_NEARLY_FULL = 64 * 1024


def disk_is_full(err: BaseException, path: str | Path | None = None) -> bool:
    """True when an error means the disk (or the journal's quota) is full.

    SQLite says "database or disk is full" for most writes that find no room,
    but some (making its -journal file, or opening a file to read it) come
    back only as "disk I/O error" or "unable to open database file", which
    would otherwise read as a damaged journal. For those, with ``path`` given,
    the disk that holds it is looked at: if it has (almost) no room left, the
    disk is the cause.
    """
    import errno

    if isinstance(err, sqlite3.Error):
        # 13 is SQLITE_FULL (the constant is only named in Python 3.11 and later).
        code = getattr(err, "sqlite_errorcode", None)
        if code == 13 or "disk is full" in str(err):
            return True
        # 10 is SQLITE_IOERR (its extended codes keep 10 in the low byte), 14 SQLITE_CANTOPEN.
        vague = (code is not None and code & 0xFF in (10, 14)) or any(
            words in str(err) for words in ("disk I/O error", "unable to open database file"))
    elif isinstance(err, OSError):
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        vague = err.errno == errno.EIO
    else:
        return False
    return vague and path is not None and _no_room(Path(path))


def _no_room(path: Path) -> bool:
    """True when the disk that holds ``path`` (or would hold it) has almost no free space."""
    import shutil

    for folder in (path.parent, *path.parent.parents):
        if folder.is_dir():
            try:
                return shutil.disk_usage(folder).free < _NEARLY_FULL
            except OSError:
                return False
    return False


def _plain(err: BaseException, path: Path) -> BaseException:
    """A database or file error as something a trainee can act on."""
    if disk_is_full(err, path):
        return OSError(DISK_FULL.format(path=path))
    return err


@dataclass(frozen=True)
class Entry:
    """One line of the journal."""

    id: int
    at: str
    kind: str
    subject: str
    detail: dict[str, Any]


class Journal:
    """A trainee's journal file. Open it, record, read back.

    ``notice`` holds the plain-words message when an unreadable file had to be
    set aside on opening (None otherwise); it is also printed once.
    """

    def __init__(self, path: str | Path | None = None, *, quiet: bool = False):
        self.path = Path(path) if path is not None else journal_path()
        self.notice: str | None = None
        self.set_aside: Path | None = None
        self._open(quiet)

    # -- opening and repair ------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=_BUSY_SECONDS, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {_BUSY_SECONDS * 1000}")
        return con

    def _usable(self) -> bool:
        """Open the file and make sure it holds (or can hold) our table."""
        con = self._connect()
        try:
            if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return False
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if version == 0 and not tables - {"sqlite_sequence"}:
                con.execute("BEGIN IMMEDIATE")
                con.execute(_CREATE)
                con.execute(f"PRAGMA user_version = {LAYOUT_VERSION}")
                con.execute("COMMIT")
                return True
            return version == LAYOUT_VERSION and "entries" in tables
        finally:
            con.close()

    def _open(self, quiet: bool) -> None:
        try:
            if self._usable():
                return
            reason = "it is not a journal this toolkit can read"
        except sqlite3.DatabaseError as err:
            if disk_is_full(err, self.path):
                # The file is fine; the disk is not. Moving it aside would help nobody.
                raise OSError(DISK_FULL.format(path=self.path)) from None
            reason = f"it could not be read ({err})"
        except OSError as err:
            if disk_is_full(err, self.path):
                raise OSError(DISK_FULL.format(path=self.path)) from None
            raise
        self._move_aside(reason, quiet)
        try:
            usable = self._usable()
        except (sqlite3.Error, OSError) as err:
            raise _plain(err, self.path) if disk_is_full(err, self.path) else OSError(
                f"Could not start a new journal at {self.path} ({err}).") from None
        if not usable:  # a brand-new file: anything else is a real fault
            raise OSError(f"Could not start a new journal at {self.path}.")

    def _move_aside(self, reason: str, quiet: bool) -> None:
        if self.path.exists() and not self.path.is_file():
            raise OSError(f"The journal should be a file, but {self.path} is a folder. "
                          f"Set {JOURNAL_ENV} to a file name to keep the journal elsewhere.")
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.unreadable-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.unreadable-{stamp}-{n}")
            n += 1
        try:
            self.path.rename(target)
        except FileNotFoundError:
            return  # another kernel moved it aside first; nothing of ours is lost
        for suffix in ("-journal", "-wal", "-shm"):
            leftover = Path(f"{self.path}{suffix}")
            if leftover.exists():
                leftover.rename(Path(f"{target}{suffix}"))
        self.set_aside = target
        self.notice = (
            f"Your journal file {self.path.name} could not be used ({reason}). "
            f"It has been kept as {target.name} in the same folder, and a new, empty "
            "journal has been started. Your trainer can help recover the old one."
        )
        if not quiet:
            print(self.notice, file=sys.stderr)

    # -- writing -----------------------------------------------------------

    def _add(self, kind: str, subject: str, detail: dict[str, Any], *,
             replace: bool = False) -> int:
        """Add one entry in its own transaction; with ``replace``, drop older ones of that subject."""
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            con = self._connect()
        except (sqlite3.OperationalError, OSError) as err:
            raise _plain(err, self.path) from None
        try:
            con.execute("BEGIN IMMEDIATE")
            if replace:
                con.execute("DELETE FROM entries WHERE kind = ? AND subject = ?", (kind, subject))
            cur = con.execute(
                "INSERT INTO entries (at, kind, subject, detail) VALUES (?, ?, ?, ?)",
                (at, kind, subject, json.dumps(detail, sort_keys=True)),
            )
            con.execute("COMMIT")
            return int(cur.lastrowid)
        except sqlite3.Error as err:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise _plain(err, self.path) from None
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    def record_scenario(self, state) -> int:
        """Save a finished scenario path (a ``scenario.State`` at an ending)."""
        from .scenario.engine import score

        result = score(state)
        return self._add("scenario", state.scenario.id, {
            "path": [[s.node_id, s.choice_id] for s in state.history],
            "ending_node": state.node_id,
            "ending": state.ending,
            "stance": result.stance,
            "values": result.values,
            "measures": state.measures,
            "facts": sorted(state.facts),
        })

    def record_check(self, check_id: str, question_id: str, answer: Any, correct: bool) -> int:
        """Save one self-check attempt."""
        return self._add("check", f"{check_id}/{question_id}",
                         {"answer": answer, "correct": bool(correct)})

    def save_reflection(self, prompt_id: str, text: str, *, question: str = "",
                        module: int | None = None) -> int:
        """Keep the latest text of one reflection (earlier versions of it are replaced)."""
        return self._add("reflection", prompt_id,
                         {"text": text, "question": question, "module": module}, replace=True)

    def reflection(self, prompt_id: str) -> str | None:
        """The saved text of one reflection, or None if it was never written."""
        found = [e for e in self.entries("reflection") if e.subject == prompt_id]
        return str(found[-1].detail.get("text", "")) if found else None

    def save_progress(self, scenario_id: str, route: list[str]) -> None:
        """Keep where an unfinished play of a scenario has got to (replacing the last);
        an empty route (finished, or restarted) forgets it."""
        if route:
            self._add("progress", scenario_id, {"route": list(route)}, replace=True)
            return
        con = self._connect()
        try:
            con.execute("DELETE FROM entries WHERE kind = 'progress' AND subject = ?",
                        (scenario_id,))
        except sqlite3.Error as err:
            raise _plain(err, self.path) from None
        finally:
            con.close()

    def progress(self, scenario_id: str) -> list[str]:
        """The choices of the unfinished play of a scenario, or [] when there is none."""
        found = [e for e in self.entries("progress") if e.subject == scenario_id]
        route = found[-1].detail.get("route") if found else None
        if not isinstance(route, list) or not all(isinstance(c, str) for c in route):
            return []  # none, or not a route this toolkit wrote
        return route

    def save_selfassessment(self, subject: str, answers: dict[str, int], *,
                            team: str | None = None, view: str = "") -> int:
        """Keep the latest answers of one view of a self-assessment (replacing the last)."""
        return self._add("selfassessment", subject,
                         {"answers": dict(answers), "team": team, "view": view}, replace=True)

    def selfassessment(self, subject: str) -> dict[str, Any] | None:
        """The saved answers of one view of a self-assessment as they were stored, or None.

        They are not checked here: ``coproduction.selfassess.result`` leaves out, and
        names, any answer that is not a score of the sheet.
        """
        found = [e for e in self.entries("selfassessment") if e.subject == subject]
        return found[-1].detail if found else None

    # -- reading -----------------------------------------------------------

    def entries(self, kind: str | None = None) -> list[Entry]:
        """Every entry, oldest first; only one kind if ``kind`` is given.

        A full disk is an OSError saying so (reading can need room too, for
        SQLite's temporary files), never a database error a trainee cannot read.
        """
        if kind:
            return self._select("WHERE kind = ?", (kind,))
        return self._select("", ())

    def _select(self, where: str, params: tuple, limit: int | None = None) -> list[Entry]:
        try:
            con = self._connect()
            try:
                sql = f"SELECT id, at, kind, subject, detail FROM entries {where} ORDER BY id"
                if limit is not None:
                    sql, params = sql + " LIMIT ?", (*params, limit)
                rows = con.execute(sql, params)
                return [Entry(r[0], r[1], r[2], r[3], _detail_of(r[4])) for r in rows]
            finally:
                con.close()
        except (sqlite3.Error, OSError) as err:
            raise _plain(err, self.path) from None

    def _count(self, where: str, params: tuple) -> int:
        try:
            con = self._connect()
            try:
                return int(con.execute(f"SELECT count(*) FROM entries {where}", params)
                           .fetchone()[0])
            finally:
                con.close()
        except (sqlite3.Error, OSError) as err:
            raise _plain(err, self.path) from None

    def history(self, limit: int | None = None):
        """Your journal as a table (a pandas DataFrame), one row per entry, oldest first.

        Columns: ``when`` (local time, e.g. "Tue 1 Dec, 14:05"), ``what`` (scenario,
        self-check question or reflection), ``title`` (the scenario's title, the
        question or the reflection prompt), ``result`` in words, and ``subject``
        (the id the entry is filed under, for picking rows out in code; it is not
        shown in the notebook). In a notebook long results wrap instead of being cut.

        With ``limit`` (``coproduction journal show`` gives one, as the journal may
        be someone else's), only the first ``limit`` entries are read, and the
        table's ``attrs["left_off"]`` says how many more there are.
        """
        from .journal_table import history_table

        # Where an unfinished play had got to is kept for the player, not shown.
        where = "WHERE kind IS NOT 'progress'"
        table = history_table(self._select(where, (), limit))
        if limit is not None:
            table.attrs["left_off"] = max(0, self._count(where, ()) - limit)
        return table


#: The longest detail read from a journal; a longer one (never written by the course) is skipped.
MAX_DETAIL_CHARS = 1_000_000


def _detail_of(text: Any) -> dict[str, Any]:
    """An entry's detail; a row that is not a JSON object (from elsewhere) reads as empty.

    A handed-in journal may be crafted: a huge detail, or one nested deeply enough
    to exhaust Python's stack, reads as empty too.
    """
    if isinstance(text, (str, bytes)) and len(text) > MAX_DETAIL_CHARS:
        return {}
    try:
        detail = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return {}
    return detail if isinstance(detail, dict) else {}


def read(path: str | Path, kind: str | None = None) -> list[Entry]:
    """Entries of someone else's journal, opened read-only.

    Nothing is changed or moved, whatever state the file is in; an unreadable
    file gives an empty list. Trainers' tools read handed-in journals with
    ``coproduction.handed_in.read_handed_in`` instead, which also caps sizes,
    checks every row and says why a file or row was left out.
    """
    uri = f"file:{Path(path).resolve()}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True, timeout=_BUSY_SECONDS)
        try:
            sql = "SELECT id, at, kind, subject, detail FROM entries"
            rows = con.execute(sql + (" WHERE kind = ?" if kind else "") + " ORDER BY id",
                               (kind,) if kind else ()).fetchall()
        finally:
            con.close()
        return [Entry(r[0], r[1], r[2], r[3], _detail_of(r[4])) for r in rows]
    except (sqlite3.Error, ValueError):
        return []


def history():
    """The trainee's own journal (in this folder) as a table."""
    return Journal().history()
