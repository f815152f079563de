"""A course on the hub: the grader account that owns its gradebook, and its course folder.

The formgrader of course ``X`` runs as ``grader-X`` in ``~grader-X/course``:
a copy of this course folder (nbgrader_config.py, solutions/, exercises/)
with the course id set, released once so the gradebook knows the assignments.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from .accounts import AccountError, Step, apply
from .roster import check_course_id

COPIED = ("nbgrader_config.py", "solutions", "exercises")


def grader_name(course: str) -> str:
    return f"grader-{check_course_id(course)}"


def shared_exchange(env_bin: Path) -> str | None:
    """The exchange folder the hub's environment gives every account, if it names one."""
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    folder = Path(env_bin).parent / "etc" / "jupyter"
    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()
    except ConfigFileNotFound:
        return None
    root = config.get("Exchange", {}).get("root")
    return str(root) if root else None


def setup(course: str, source: Path, env_bin: Path) -> list[str]:
    """Make the grader account and course folder for ``course`` from ``source``; say what was done.

    Does nothing that is already done. ``env_bin`` is the shared environment's
    bin folder, whose ``coproduction`` releases the assignments as the grader.
    """
    name = grader_name(course)
    said = []
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        apply([Step(f"create account {name}",
                    ("useradd", "--create-home", "--key", "HOME_MODE=0700", "--shell", "/bin/bash",
                     "--comment", f"{course} gradebook", name),
                    ("userdel", "--remove", name))])
        account = pwd.getpwnam(name)
        said.append(f"created account {name}")
    folder = Path(account.pw_dir) / "course"
    if (folder / "nbgrader_config.py").is_file():
        return said + [f"{folder} is already set up; left as it is"]
    missing = [item for item in COPIED if not (source / item).exists()]
    if missing:
        raise AccountError(f"{source} is not a course folder: it has no {', '.join(missing)}.")
    folder.mkdir(parents=True, exist_ok=True)
    for item in COPIED:
        src = source / item
        (shutil.copytree if src.is_dir() else shutil.copy)(src, folder / item)
    with (folder / "nbgrader_config.py").open("a", encoding="utf-8") as config:
        config.write(f"\n# Set up on the hub: this folder is course '{course}'.\n"
                     f"c.CourseDirectory.course_id = {course!r}\n")
        if shared_exchange(env_bin):
            # The course's own file names an exchange inside the course, for one
            # machine; here the hub's shared exchange, which trainees use, must win.
            # It is read from the environment's file each time, so it follows any
            # change made there.
            shared = str(Path(env_bin).parent / "etc" / "jupyter")
            config.write(
                "# The hub's shared exchange, as the environment's nbgrader_config.py sets it.\n"
                "from traitlets.config.loader import PyFileConfigLoader as _HubConfig\n"
                f"c.Exchange.root = _HubConfig('nbgrader_config.py', path={shared!r})"
                ".load_config().Exchange.root\n")
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
    said.append(f"copied the course into {folder}")
    release = subprocess.run(["runuser", "-u", name, "--", str(env_bin / "coproduction"),
                              "release", "--course", str(folder)],
                             capture_output=True, text=True, cwd=folder)
    if release.returncode:
        shutil.rmtree(folder)
        raise AccountError(f"Releasing the assignments as {name} failed: "
                           f"{(release.stderr or release.stdout).strip()[-300:]}")
    said.append(f"released the assignments into {name}'s gradebook")
    return said
