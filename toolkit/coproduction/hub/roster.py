"""A cohort list: the CSV an organisation gives, one row per person, checked before anything is made.

    username,role
    jsmith,trainer
    akhan,trainee

Every problem is reported with the file, the line and the column, all at once,
so nothing is created from a list that is partly wrong.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..problems import CourseFileError, Problem, display_path, read_text

ROLES = ("trainer", "trainee")
REQUIRED = ("username", "role")
# What Debian's useradd accepts, kept to lowercase so names match on every system.
_USERNAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
# Names that belong to the system, never to a trainee.
RESERVED = {"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news",
            "uucp", "proxy", "www-data", "backup", "list", "irc", "nobody", "admin",
            "jupyterhub", "jovyan", "sudo", "adm", "staff", "users"}
# Each course's gradebook account is grader-<course> (`coproduction hub course`);
# a trainee given such a name could become, or be mistaken for, a course's grader.
RESERVED_PREFIX = "grader-"
_COURSE = re.compile(r"^[a-z][a-z0-9-]{0,23}$")


class AccountError(ValueError):
    """A cohort or its accounts could not be set up; nothing was left half-made."""


@dataclass(frozen=True)
class Member:
    """One person in the cohort."""

    username: str
    role: str
    line: int

    @property
    def is_trainer(self) -> bool:
        return self.role == "trainer"


def check_course_id(course: str) -> str:
    """``course`` if it can name Unix groups (formgrade-<course>); AccountError if not."""
    if not _COURSE.match(course):
        raise AccountError(f"'{course}' cannot be a course id here: use up to 24 lowercase "
                         "letters, digits and hyphens, starting with a letter.")
    return course


def read(path: str | Path) -> list[Member]:
    """Read and check a cohort CSV; CourseFileError listing every problem."""
    shown = display_path(path)
    # utf-8-sig: spreadsheets often save CSV with a byte-order mark first.
    text = read_text(path, encoding="utf-8-sig", save_as="CSV, UTF-8")
    rows = _rows(text, shown)
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        raise CourseFileError([Problem(shown, 1, "", "the file is empty: the first line should "
                                       "be the column names, username,role")])
    header = [cell.strip().lower() for cell in rows[0][1]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise CourseFileError([Problem(shown, 1, name, f"missing column '{name}' (the first line "
                                       f"should name the columns: {','.join(REQUIRED)})")
                               for name in missing])
    at = {name: header.index(name) for name in REQUIRED}
    problems, members, first_seen = [], [], {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue  # blank lines are fine
        broken = [i for i, cell in enumerate(row) if "\n" in cell or "\r" in cell]
        for i in broken:
            column = header[i] if i < len(header) and header[i] else f"column {i + 1}"
            problems.append(Problem(shown, line, column, "this cell has a line break in it "
                                    "(inside quotation marks), so it runs onto the next line; "
                                    "put each person on one line, with no line breaks in a cell"))
        if broken:
            continue  # its other cells are not what the trainer meant either
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in at.items()}
        username, role = cells["username"], cells["role"].lower()
        if not username:
            problems.append(Problem(shown, line, "username", "no username on this line"))
        elif not _USERNAME.match(username):
            problems.append(Problem(shown, line, "username", f"'{username}' is not a valid "
                                    "username: use up to 32 lowercase letters, digits, '-' and "
                                    "'_', starting with a letter"))
        elif username in RESERVED:
            problems.append(Problem(shown, line, "username", f"'{username}' is a name the system "
                                    "uses itself; choose another"))
        elif username.startswith(RESERVED_PREFIX):
            problems.append(Problem(shown, line, "username", f"'{username}' starts with "
                                    f"'{RESERVED_PREFIX}', which the hub keeps for each course's "
                                    "gradebook account; choose another"))
        elif username in first_seen:
            problems.append(Problem(shown, line, "username", f"'{username}' is listed twice "
                                    f"(first on line {first_seen[username]})"))
        if role not in ROLES:
            problems.append(Problem(shown, line, "role", f"role must be trainer or trainee "
                                    f"(it is '{cells['role']}')"))
        if username and username not in first_seen:
            first_seen[username] = line
            members.append(Member(username, role, line))
    if not problems and not members:
        problems.append(Problem(shown, 2, "", "the list has column names but nobody in it"))
    if not problems and not any(m.is_trainer for m in members):
        problems.append(Problem(shown, 2, "role", "nobody in the list is a trainer: a cohort "
                                "needs at least one to release and grade its work"))
    if problems:
        raise CourseFileError(problems)
    return members


def _rows(text: str, shown: str) -> list[tuple[int, list[str]]]:
    """The CSV's rows, each with the line it starts on in the file.

    A quoted cell may hold a line break, which makes one row span two lines;
    counting rows would then give the wrong line for every later problem.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, line = [], 1
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as error:
        raise CourseFileError([Problem(shown, reader.line_num or 1, "", "the file could not be "
                                       f"read as CSV ({error}); save it again as CSV, UTF-8")]
                              ) from None
    return rows
