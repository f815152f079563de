"""An offline installer: everything a laptop with no internet needs to run the course.

``build`` writes one folder per target platform, each holding a wheelhouse of
every dependency for that platform and Python, the toolkit's own wheel, the
course content the wheel does not carry (the module notebooks and the trainee's
JupyterLab settings) and an install script (``install.sh`` for Linux and macOS,
``install.ps1`` for Windows) that installs with ``pip --no-index`` and starts
the course on 127.0.0.1. The bundle is made from a clone of the course, once,
on a computer with the internet.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .paths import PACKAGE
from .wheelhouse import TARGETS, BundleError, Target, Wheelhouse, resolve

#: The clone the bundle is made from (toolkit/coproduction -> the repository's root).
SOURCE = PACKAGE.parent.parent
SCRIPTS = PACKAGE / "offline"
#: What one platform's bundle may take on disk while it is made (it is about 150 MB).
NEEDED_PER_PLATFORM = 500 * 2**20
SCRIPTS_FOR = {"linux": ["install.sh"], "macos": ["install.sh"], "windows": ["install.ps1"]}

__all__ = ["BundleError", "Bundle", "build", "folder_name", "TARGETS"]


@dataclass
class Bundle:
    """One platform's finished bundle."""

    folder: Path
    target: Target
    python: str
    house: Wheelhouse
    zip_file: Path | None = None
    course: list = field(default_factory=list)

    @property
    def size(self) -> int:
        """Bytes on disk of the folder."""
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())

    def summary(self) -> str:
        """In plain words, with the size and the wheels, for the person who made it."""
        wheels = sorted(p.name for p in (self.folder / "wheels").glob("*.whl"))
        lines = [f"{self.folder}: for {self.target.description}, Python {self.python}; "
                 f"{len(wheels)} wheels, {_mb(self.size)} in all."]
        if self.zip_file:
            lines.append(f"  Zipped as {self.zip_file} ({_mb(self.zip_file.stat().st_size)}).")
        listed = ", ".join(" ".join(w.split("-")[:2]) for w in wheels)
        lines += textwrap.wrap(listed, 96, initial_indent="  Wheels: ", subsequent_indent="    ")
        manifest = self.folder / "MANIFEST.txt"
        lines.append(f"  The full list, with sizes and checksums, is in {manifest}.")
        return "\n".join(lines)


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


def folder_name(platform: str, python: str) -> str:
    """The folder (and zip) name of one platform's bundle."""
    return f"coproduction-course-{platform}-py{python.replace('.', '')}"


def check_out(out: Path, platforms: list[str], zipped: bool) -> None:
    """Refuse an OUT that is a file, a folder with things in it, or on a disk too full."""
    if out.is_file():
        raise BundleError(f"{out} is a file. Give the name of a new or empty folder.")
    if out.is_dir() and any(out.iterdir()):
        raise BundleError(f"{out} already has files in it. Give the name of a new or empty "
                          "folder, so nothing there is mixed up with the bundle or overwritten.")
    existing = out
    while not existing.exists():
        existing = existing.parent
    need = NEEDED_PER_PLATFORM * len(platforms) * (2 if zipped else 1)
    free = shutil.disk_usage(existing).free
    if free < need:
        raise BundleError(f"There is only {_mb(free)} free on the disk that holds {out}; a "
                          f"bundle for {', '.join(platforms)} needs about {_mb(need)}. Free some "
                          "space, or give a folder on another disk.")


def _source_checked(source: Path) -> None:
    for part in ("pyproject.toml", "modules", "toolkit/jupyterlab/trainee"):
        if not (source / part).exists():
            raise BundleError(f"A bundle is made from a copy (a clone) of the course's own "
                              f"folder, and {source} has no {part}.")


def _own_wheel(source: Path, into: Path) -> Path:
    """The toolkit's wheel, built here without fetching anything (hatchling is installed)."""
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "--disable-pip-version-check",
                           "--wheel-dir", str(into), str(source)], capture_output=True, text=True)
    if done.returncode:
        hint = (" Install the test tools first (make install): building needs hatchling."
                if "hatchling" in done.stderr else "")
        raise BundleError("The toolkit's own wheel could not be built." + hint + "\n"
                          + done.stderr.strip()[-800:])
    [wheel] = into.glob("coproduction_toolkit-*.whl")
    return wheel


def _course(source: Path, folder: Path) -> list[Path]:
    """Copy what the wheel does not carry: the modules and the trainee's JupyterLab settings."""
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "coproduction-journal*")
    shutil.copytree(source / "modules", folder / "course" / "modules", ignore=skip)
    shutil.copytree(source / "toolkit" / "jupyterlab" / "trainee",
                    folder / "course" / "jupyterlab-trainee", ignore=skip)
    return sorted(p for p in (folder / "course").rglob("*") if p.is_file())


def _scripts(platform: str, python: str, folder: Path) -> None:
    for name in SCRIPTS_FOR[platform]:
        text = (SCRIPTS / name).read_text(encoding="utf-8").replace("@PYTHON_VERSION@", python)
        script = folder / name
        # PowerShell reads a script without a byte order mark as the old code page on
        # Windows PowerShell 5; the script is plain ASCII, so line endings are all it needs.
        script.write_text(text, encoding="utf-8", newline="\r\n" if name.endswith(".ps1") else "\n")
        script.chmod(0o755)


def _manifest(bundle: Bundle) -> None:
    lines = [f"Co-production course {__version__}: offline bundle for "
             f"{bundle.target.description}, Python {bundle.python}.",
             "Install: " + ("install.ps1 (see the first lines of it)"
                            if bundle.target.name == "windows" else "sh install.sh"),
             "", "size (bytes)  sha256  file"]
    for path in sorted(p for p in bundle.folder.rglob("*") if p.is_file()):
        if path.name == "MANIFEST.txt":
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{path.stat().st_size:>12}  {digest}  {path.relative_to(bundle.folder)}")
    if bundle.house.built:
        lines += ["", "Built here from source (pure Python): " + ", ".join(bundle.house.built)]
    (bundle.folder / "MANIFEST.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(out: str | Path, platforms: list[str], python: str, zipped: bool = False,
          source: Path = SOURCE) -> list[Bundle]:
    """Write one bundle folder (and zip, if asked) per platform into the new folder ``out``."""
    out = Path(out)
    unknown = [p for p in platforms if p not in TARGETS]
    if unknown:
        raise BundleError(f"There is no platform called '{unknown[0]}'. "
                          f"A bundle can be made for: {', '.join(TARGETS)} (or all).")
    check_out(out, platforms, zipped)
    _source_checked(source)
    made_out = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            own = _own_wheel(source, Path(tmp))
            return [_one(out, TARGETS[name], python, own, source, zipped) for name in platforms]
    except BaseException as err:
        # Nothing half-made is left behind to be copied onto a laptop by mistake.
        for made in [out] if made_out else list(out.iterdir()):
            shutil.rmtree(made) if made.is_dir() else made.unlink()
        if isinstance(err, OSError) and err.errno == errno.ENOSPC:
            raise BundleError(f"The disk that holds {out} filled up while the bundle was "
                              "written; what was written is removed. Free some space, or "
                              "give a folder on another disk.") from err
        raise


def _one(out: Path, target: Target, python: str, own: Path, source: Path,
         zipped: bool) -> Bundle:
    folder = out / folder_name(target.name, python)
    wheels = folder / "wheels"
    wheels.mkdir(parents=True)
    shutil.copy2(own, wheels / own.name)
    house = resolve(target, python, [wheels / own.name], wheels)
    bundle = Bundle(folder, target, python, house, course=_course(source, folder))
    _scripts(target.name, python, folder)
    _manifest(bundle)
    if zipped:
        bundle.zip_file = Path(shutil.make_archive(str(folder), "zip", out, folder.name))
    return bundle
