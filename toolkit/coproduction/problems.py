"""Problems found in a course file, reported as ``FILE:LINE: message``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is and what to do about it."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f" ({self.field})" if self.field else ""
        line = f"{self.line}:" if self.line else ""
        return f"{self.file}:{line} {self.message}{where}"


class CourseFileError(ValueError):
    """A course file (scenario, self-check) could not be used as written.

    ``problems`` lists every problem found, so an author can fix them all in
    one pass rather than one per run.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: str | Path) -> str:
    """The path as a person would type it: relative to here when that is shorter."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: str | Path, *, encoding: str = "utf-8", save_as: str = "UTF-8",
              max_bytes: int | None = None) -> str:
    """A course file's text; CourseFileError naming the file if it is missing or not text.

    With ``max_bytes``, a larger file is refused without being read into memory
    (at most one byte more than the limit is read, so a device or an endless
    file is refused too).
    """
    shown = display_path(path)
    try:
        if max_bytes is None:
            return Path(path).read_text(encoding=encoding)
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise CourseFileError([Problem(shown, 0, "", (
                f"the file is larger than {_size_words(max_bytes)}, far larger than a course "
                "file needs to be; check it is the right file"))])
        # Line ends as Path.read_text gives them, so line numbers stay the same.
        return raw.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        raise CourseFileError([Problem(shown, 0, "", "file not found")]) from None
    except IsADirectoryError:
        raise CourseFileError([Problem(shown, 0, "", "this is a folder, not a file")]) from None
    except UnicodeDecodeError:
        raise CourseFileError(
            [Problem(shown, 1, "", f"the file is not plain text (save it as {save_as})")]
        ) from None


def _size_words(size: int) -> str:
    """A byte count as a person says it: "2 MB", "500 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"
