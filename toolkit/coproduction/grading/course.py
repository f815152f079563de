"""The course folder: where nbgrader's config, assignments and gradebook are.

Every path the grading commands use comes from nbgrader's own
``CourseDirectory``, loaded from the course's ``nbgrader_config.py``, so the
toolkit and plain nbgrader always agree on where things are.
"""

from __future__ import annotations

import os
import sys
from functools import cached_property
from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"


class CourseError(Exception):
    """A problem a trainer can fix, told in plain words (the CLI prints it, exit code 1)."""


def _nbgrader_on_path() -> None:
    # nbgrader runs `alembic` as a program to set up the gradebook; make sure the
    # one installed beside this Python is found even if the venv is not activated.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


class Course:
    """A course folder with an ``nbgrader_config.py``; found from ``root`` or any folder below it.

    With ``nbgrader_argv`` (a list, possibly empty) the course is read exactly as
    ``nbgrader autograde`` reads it (see ``nbconfig``): the config file is then
    optional, ``c.CourseDirectory.root`` may move the course elsewhere, and
    ``--Class.trait=value`` settings in the list override the file.
    """

    def __init__(self, root: str | Path | None = None, nbgrader_argv: list[str] | None = None):
        start = Path(root or Path.cwd()).resolve()
        self.argv = nbgrader_argv
        self.folder = start  # where the course was found from (nbgrader's working folder)
        for folder in (start, *start.parents):
            if (folder / CONFIG_FILE).is_file():
                self.root = self.folder = folder
                break
        else:
            if nbgrader_argv is not None:
                # nbgrader itself grades a folder without any config file (its
                # defaults then apply), and so does this.
                self.root = start
                _nbgrader_on_path()
                self._load_as_nbgrader(nbgrader_argv)
                return
            raise CourseError(
                f"{start} is not a course folder: there is no {CONFIG_FILE} here or in any "
                "folder above it. Run this from the course folder (the one with "
                f"{CONFIG_FILE} in it), or give it with --course."
            )
        _nbgrader_on_path()
        self.config = self._load_config()
        if nbgrader_argv is not None:
            self._load_as_nbgrader(nbgrader_argv)

    def _load_as_nbgrader(self, argv: list[str]) -> None:
        from .nbconfig import load

        self.config, root = load(self.root, argv)
        self.root = Path(root).resolve()

    def _load_config(self):
        from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

        try:
            return PyFileConfigLoader(CONFIG_FILE, path=str(self.root)).load_config()
        except ConfigFileNotFound:
            raise CourseError(f"{self.root / CONFIG_FILE} could not be read.") from None
        except Exception as err:  # a syntax error in the trainer's config file
            raise CourseError(f"{self.root / CONFIG_FILE} has an error: {err}") from None

    def coursedir(self, **traits):
        """A new nbgrader CourseDirectory for this course (nbgrader may change it), with
        any traits overridden."""
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config, root=str(self.root), **traits)

    @cached_property
    def lookup(self):
        """One shared CourseDirectory for looking paths and settings up (never changed)."""
        return self.coursedir()

    @property
    def id(self) -> str:
        return self.lookup.course_id

    @property
    def db_url(self) -> str:
        return self.lookup.db_url

    def path(self, kind: str, student: str = ".", assignment: str = "") -> Path:
        """The folder nbgrader uses for ``kind`` (source, release, submitted, autograded, feedback)."""
        cd = self.lookup
        folder = getattr(cd, f"{kind}_directory")
        return Path(cd.format_path(folder, student, assignment))

    def assignments(self) -> list[str]:
        """Assignments that have a source folder."""
        source = self.root / self.lookup.source_directory
        return sorted(p.name for p in source.iterdir() if p.is_dir()) if source.is_dir() else []

    def require_assignment(self, name: str) -> str:
        """``name`` if the course has it; otherwise a CourseError listing what it has."""
        known = self.assignments()
        if name not in known:
            listing = ", ".join(known) or "none yet"
            raise CourseError(f"There is no assignment called '{name}' in this course. "
                              f"Assignments: {listing}.")
        return name

    def folders(self, kind: str, assignment: str, student: str | None = None) -> list[Path]:
        """Each student's ``kind`` folder for ``assignment`` that exists (only ``student``'s
        if given), in order: e.g. every ``submitted/<student>/<assignment>/``."""
        return [folder for _, folder in self.student_folders(kind, assignment, student)]

    def student_folders(self, kind: str, assignment: str,
                        student: str | None = None) -> list[tuple[str, Path]]:
        """(student, folder) for each ``kind`` folder of ``assignment`` that exists, found
        the way nbgrader finds them (through ``c.CourseDirectory.directory_structure``)."""
        import glob
        import re

        cd = self.lookup
        step = getattr(cd, f"{kind}_directory")
        pattern = cd.format_path(step, glob.escape(student) if student else "*",
                                 glob.escape(assignment))
        regexp = re.compile(cd.format_path(step, "(?P<student_id>[^/]*)", re.escape(assignment),
                                           escape=True) + "$")
        found = []
        for path in sorted(glob.glob(pattern)):
            match = regexp.match(path)
            if match and os.path.isdir(path):
                found.append((match.group("student_id"), Path(path)))
        return found

    def submissions(self, assignment: str) -> list[str]:
        """Students who have a submitted folder for ``assignment``, in order."""
        return [student for student, _ in self.student_folders("submitted", assignment)]
