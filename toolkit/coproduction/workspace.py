"""A trainee's own working copy of the course modules, apart from the tracked course files.

Trainees type into notebooks and the course saves their journal beside them,
so working in the course folder itself would mix their work with course
updates (and, in a clone, with git). ``prepare`` copies the modules into a
folder of the trainee's own, adding any module the trainee does not have yet
and never overwriting one they have worked in.
"""

from __future__ import annotations

import filecmp
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .paths import PACKAGE

#: The course's modules in a clone or an editable install (toolkit/coproduction -> root).
COURSE_MODULES = PACKAGE.parent.parent / "modules"

# Files of the course folder that are never course material.
_SKIP = (".ipynb_checkpoints", "__pycache__", "coproduction-journal.sqlite")


@dataclass
class Prepared:
    """What ``prepare`` did: files copied in, and course files that differ from the trainee's."""

    folder: Path
    copied: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    def report(self) -> str:
        """In plain words, for the person starting the course."""
        lines = [f"Your own copy of the course is in {self.folder}."]
        if self.copied:
            lines.append("Added: " + ", ".join(p.name for p in self.copied) + ".")
        for path in self.kept:
            lines.append(f"The course has a newer {path.name}; your copy, with your work in it, "
                         "is kept as it is. To get the new one, rename yours and start again.")
        return "\n".join(lines)


def prepare(folder: str | Path, modules: str | Path = COURSE_MODULES) -> Prepared:
    """Copy the course's modules into ``folder/modules``, adding only what is missing."""
    source, target = Path(modules), Path(folder) / "modules"
    if not source.is_dir():
        raise FileNotFoundError(f"There is no modules folder at {source} to copy from.")
    done = Prepared(Path(folder))
    for path in sorted(source.rglob("*")):
        if not path.is_file() or any(part.startswith(_SKIP) for part in path.parts):
            continue
        copy = target / path.relative_to(source)
        if not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            done.copied.append(copy)
        elif path.suffix == ".ipynb" and not filecmp.cmp(path, copy, shallow=False):
            done.kept.append(copy)
        elif path.suffix != ".ipynb" and not filecmp.cmp(path, copy, shallow=False):
            shutil.copy2(path, copy)  # reading matter (references): the course's copy wins
    return done
