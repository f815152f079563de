"""A wheelhouse for another computer: every dependency, as wheels for its platform and Python.

pip can download wheels for another platform (``--platform``, ``--python-version``),
but it decides which dependencies are needed from *this* computer's environment
markers: on Linux it would leave out what only Windows needs (pywinpty, colorama)
and keep what only Linux needs. So the requirements are followed here, one layer
at a time, with each marker evaluated for the target, and pip downloads each layer
with ``--no-deps``. Versions already installed here (the ones the tests run
against) are preferred wherever they fit.
"""

from __future__ import annotations

import re
from email.parser import HeaderParser
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from zipfile import ZipFile

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import mac_platforms
from packaging.utils import canonicalize_name, parse_wheel_filename


class BundleError(Exception):
    """A bundle cannot be made; the message says why in plain words."""


@dataclass(frozen=True)
class Target:
    """A kind of computer a bundle is for: its wheel platform tags and environment markers."""

    name: str
    platforms: tuple[str, ...]
    markers: dict
    description: str

    def environment(self, python: str) -> dict:
        """The environment markers of this platform running CPython ``python`` (e.g. '3.11')."""
        return {**self.markers, "python_version": python, "python_full_version": f"{python}.0",
                "implementation_name": "cpython", "platform_python_implementation": "CPython",
                "implementation_version": f"{python}.0", "platform_release": "",
                "platform_version": ""}


_POSIX = {"os_name": "posix"}
TARGETS = {
    "linux": Target(
        "linux",
        # manylinux wheels from glibc 2.28 back to 2.17 (manylinux2014 is 2.17 by another name).
        tuple(f"manylinux_2_{minor}_x86_64" for minor in range(28, 16, -1))
        + ("manylinux2014_x86_64",),
        {**_POSIX, "sys_platform": "linux", "platform_system": "Linux",
         "platform_machine": "x86_64"},
        "Linux on 64-bit Intel or AMD (glibc 2.17 or newer)"),
    "windows": Target(
        "windows", ("win_amd64",),
        {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
         "platform_machine": "AMD64"},
        "Windows 10 or 11 on 64-bit Intel or AMD"),
    "macos": Target(
        "macos", tuple(mac_platforms((11, 0), "arm64")),
        {**_POSIX, "sys_platform": "darwin", "platform_system": "Darwin",
         "platform_machine": "arm64"},
        "macOS 11 or newer on Apple silicon (M1 and later)"),
}


@dataclass
class Wheelhouse:
    """What was resolved: one wheel per distribution, and who asked for it."""

    folder: Path
    wheels: dict = field(default_factory=dict)     # name -> wheel file
    specs: dict = field(default_factory=dict)      # name -> SpecifierSet wanted
    extras: dict = field(default_factory=dict)     # name -> extras wanted
    required_by: dict = field(default_factory=dict)  # name -> names that need it
    built: list = field(default_factory=list)      # names built here from source


def requirements_of(wheel: Path, extras: set, environment: dict) -> list[Requirement]:
    """The requirements in a wheel's METADATA that apply on the target, for these extras."""
    with ZipFile(wheel) as zf:
        [meta] = [n for n in zf.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        text = zf.read(meta).decode("utf-8")
    found = []
    # METADATA is in email header format (as importlib.metadata reads it).
    for line in HeaderParser().parsestr(text).get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is None or any(
                req.marker.evaluate({**environment, "extra": extra})
                for extra in (extras or {""})):
            found.append(req)
    return found


def _pip(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check"],
                          capture_output=True, text=True)


_NETWORK_WORDS = ("NewConnectionError", "Max retries exceeded", "Name or service not known",
                  "Temporary failure in name resolution", "Network is unreachable",
                  "ConnectTimeout", "ReadTimeout")


def _failure(what: str, done: subprocess.CompletedProcess) -> BundleError:
    text = done.stderr + done.stdout
    if any(word in text for word in _NETWORK_WORDS):
        return BundleError(f"pip could not reach the package index to download {what}. "
                           "Making a bundle needs the internet once, on the computer that "
                           "makes it; the laptops it is for do not.")
    last = [line for line in text.splitlines() if line.startswith("ERROR")][-1:]
    return BundleError(f"pip could not download {what}: "
                       + (last[0].removeprefix("ERROR: ") if last else text.strip()[-400:]))


def _download(target: Target, python: str, wants: list[str], into: Path):
    """One pip download of ``wants`` (requirement strings), wheels only, for the target."""
    platforms = [arg for p in target.platforms for arg in ("--platform", p)]
    version = python.replace(".", "")
    return _pip(["download", "--no-deps", "--only-binary=:all:", *platforms,
                 "--python-version", python, "--implementation", "cp",
                 "--abi", f"cp{version}", "--abi", "abi3", "--abi", "none",
                 "--dest", str(into), *wants])


def _pure_wheel(want: str, into: Path) -> None:
    """Build a wheel from source for a dependency that has none; only a pure-Python one will do."""
    done = _pip(["wheel", "--no-deps", "--wheel-dir", str(into), want])
    if done.returncode:
        raise _failure(want, done)
    for wheel in into.glob("*.whl"):
        if not wheel.name.endswith("-none-any.whl"):
            raise BundleError(f"{want} has no ready-made wheel for this platform and Python, "
                              "and it is not pure Python, so it cannot be built here for "
                              "another computer.")


def _version_here(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _wants(name: str, spec: SpecifierSet) -> list[str]:
    """What to ask pip for: the version installed here if it fits, else the newest that does."""
    here = _version_here(name)
    pinned = [f"{name}=={here}"] if here and spec.contains(here, prereleases=True) else []
    return pinned + [f"{name}{spec}"]


def _fetch(target: Target, python: str, names: list[str], house: Wheelhouse) -> list[Path]:
    """Download one layer of wanted names into the wheelhouse; the new wheels."""
    tries = {n: _wants(n, house.specs[n]) for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp)
        # One pip run for the whole layer. When one requirement cannot be met (the version
        # here is not on the index, or there is no wheel), pip names it: ask for it less
        # strictly and run again, or build it from source if nothing else is left.
        while tries:
            done = _download(target, python, [t[0] for t in tries.values()], landing)
            if done.returncode == 0:
                break
            if any(word in done.stderr for word in _NETWORK_WORDS):
                raise _failure(", ".join(names), done)
            missing = re.search(r"(?:No matching distribution found|Could not find a "
                                r"version that satisfies the requirement) (?:for )?(\S+)",
                                done.stderr)
            name = missing and canonicalize_name(Requirement(missing.group(1)).name)
            if name not in tries:
                raise _failure(", ".join(names), done)
            tries[name].pop(0)
            if not tries[name]:
                _pure_wheel(f"{name}{house.specs[name]}", landing)
                house.built.append(name)
                del tries[name]
        new = []
        for wheel in sorted(landing.glob("*.whl")):
            name = canonicalize_name(parse_wheel_filename(wheel.name)[0])
            house.wheels[name] = house.folder / wheel.name
            shutil.move(str(wheel), house.wheels[name])
            new.append(house.wheels[name])
        return new


def resolve(target: Target, python: str, roots: list[Path], folder: Path) -> Wheelhouse:
    """Download into ``folder`` every wheel the ``roots`` wheels need on ``target``."""
    env = target.environment(python)
    house = Wheelhouse(folder)
    folder.mkdir(parents=True, exist_ok=True)
    todo = list(roots)
    while todo:
        _follow(house, todo, env)
        # Wanted and not here yet, or here in a version a newer requirement rules out.
        wanted = sorted(n for n, spec in house.specs.items() if n not in house.wheels
                        or not spec.contains(parse_wheel_filename(house.wheels[n].name)[1],
                                             prereleases=True))
        for name in wanted:
            old = house.wheels.pop(name, None)
            if old is not None:
                old.unlink()
        todo = _fetch(target, python, wanted, house) if wanted else []
    return house


def _follow(house: Wheelhouse, wheels: list[Path], env: dict) -> None:
    """Add what each of ``wheels`` requires on the target to the wanted specifiers."""
    for wheel in wheels:
        owner = canonicalize_name(parse_wheel_filename(wheel.name)[0])
        for req in requirements_of(wheel, house.extras.get(owner, set()), env):
            name = canonicalize_name(req.name)
            house.specs[name] = house.specs.get(name, SpecifierSet()) & req.specifier
            house.required_by.setdefault(name, set()).add(owner)
            new_extras = set(req.extras) - house.extras.get(name, set())
            if new_extras:
                house.extras.setdefault(name, set()).update(new_extras)
                if name in house.wheels:  # its extras' requirements are needed too
                    wheels.append(house.wheels[name])

