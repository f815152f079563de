"""The hub's collect: a submission is collected only if it is what it claims to be.

Real Unix accounts own the submissions (a trainee and an attacker), so these
need root and useradd, as CI has; the accounts are removed afterwards. The
submissions are laid out exactly as nbgrader's submit lays them out, and
collect runs as nbgrader's formgrader runs it, with the log it shows.
"""

from __future__ import annotations

import logging
import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd"),
    reason="submissions owned by real accounts need root and useradd")

ASSIGNMENT = "ps1"
SOLUTIONS = '{"cells": [], "metadata": {"answers": "THE SOLUTIONS"}}'


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """An empty gradebook, made once: making one runs a slow command each time."""
    from nbgrader.api import Gradebook

    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    # nbgrader's gradebook runs the `alembic` command from its own environment.
    old = os.environ["PATH"]
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{old}"
    try:
        with Gradebook(f"sqlite:///{path}", "c"):
            pass
    finally:
        os.environ["PATH"] = old
    return path


@pytest.fixture(autouse=True)
def empty_gradebook(gradebook):
    Course.gradebook = gradebook


@pytest.fixture(scope="module")
def people():
    """Two real accounts: a trainee and someone trying to cheat."""
    prefix = "cx" + secrets.token_hex(3)
    names = {"trainee": f"{prefix}-ann", "attacker": f"{prefix}-bob"}
    try:
        for name in names.values():
            subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                           check=True, capture_output=True)
        yield names
    finally:
        for name in names.values():
            subprocess.run(["userdel", name], capture_output=True)


class Course:
    """An exchange and a course folder, and collect run on them as the formgrader does."""

    gradebook: Path

    def __init__(self, base: Path, name: str = "course"):
        self.exchange = base / f"{name}-exchange"
        self.inbound = self.exchange / "c" / "inbound"
        self.inbound.mkdir(parents=True)
        self.folder = base / name
        self.folder.mkdir()
        self.solutions = self.folder / "solutions" / ASSIGNMENT / "origins.ipynb"
        self.solutions.parent.mkdir(parents=True)
        self.solutions.write_text(SOLUTIONS)
        shutil.copy(self.gradebook, self.folder / "gradebook.db")

    def collect(self, kind=None, update=True, steps=None, **settings) -> str:
        """Run collect (the hub's unless ``kind``); the log the formgrader would show.

        ``settings`` are nbgrader's CourseDirectory options (max_file_size, ...).
        """
        from nbgrader.auth import Authenticator
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.utils import capture_log

        from coproduction.hub.exchange import CheckedExchangeCollect

        coursedir = CourseDirectory(root=str(self.folder), course_id="c",
                                    assignment_id=ASSIGNMENT, **settings)
        app = (kind or CheckedExchangeCollect)(coursedir=coursedir, authenticator=Authenticator(),
                                               root=str(self.exchange))
        app.update = update
        # as the formgrader's: information and above (who was collected, who updated)
        app.log = logging.getLogger(f"collect-{id(app)}")
        app.log.setLevel(logging.INFO)
        if steps:
            app.start = lambda: steps(app)
        result = capture_log(app)
        assert result["success"], result
        return result.get("log", "")

    def collected(self, student: str) -> Path:
        return self.folder / "submitted" / student / ASSIGNMENT


def hand_in(course: Course, claims: str, owner: str, minute: int, text: str = "my work",
            extra=None) -> Path:
    """A submission as nbgrader's submit leaves it: named for ``claims``, made by ``owner``."""
    stamp = f"2030-01-01 10:{minute:02d}:00.000000 UTC"
    folder = course.inbound / f"{claims}+{ASSIGNMENT}+{stamp}+{secrets.token_urlsafe(9)}"
    folder.mkdir()
    (folder / "origins.ipynb").write_text(text)
    (folder / "timestamp.txt").write_text(stamp)
    (folder / "submission_secret.txt").write_text(f"secret {claims} {minute}")
    if extra:
        extra(folder)
    account = pwd.getpwnam(owner)
    when = 1_900_000_000 + minute  # fixed times, so two hand-ins can be compared
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
        if not path.is_symlink() and path.is_file():
            path.chmod(0o644)
            os.utime(path, (when, when))
    for path in [*folder.rglob("*"), folder]:
        if not path.is_symlink() and path.is_dir():
            path.chmod(0o755)
    folder.chmod(0o777)  # as nbgrader's submit leaves it
    return folder


def tree(folder: Path) -> dict:
    """Every entry of a collected folder: what it holds, its mode and its time."""
    found = {}
    for path in sorted([folder, *folder.rglob("*")]):
        st = path.lstat()
        found[str(path.relative_to(folder))] = (
            stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode),
            path.read_bytes() if path.is_file() else None,
            st.st_mtime_ns if path.is_file() else None)
    assert found, folder
    return found


def test_honest_trainees_get_exactly_nbgraders_collect(tmp_path, people):
    from nbgrader.exchange.default.collect import ExchangeCollect

    ann = people["trainee"]
    courses = {"hub": Course(tmp_path, "hub"), "nbgrader": Course(tmp_path, "stock")}
    logs = {name: [] for name in courses}

    def sub(folder):
        (folder / "data").mkdir()
        (folder / "data" / "notes.txt").write_text("notes")
        (folder / "__pycache__").mkdir()  # ignored by nbgrader's default settings
        (folder / "__pycache__" / "x.pyc").write_text("compiled")
        (folder / "data" / "big.csv").write_text("x" * 3000)  # over max_file_size below

    for name, course in courses.items():
        kind = ExchangeCollect if name == "nbgrader" else None
        hand_in(course, ann, ann, 1, "first", extra=sub)
        logs[name].append(course.collect(kind, update=False, max_file_size=2))
        hand_in(course, ann, ann, 2, "second", extra=sub)
        logs[name].append(course.collect(kind, update=False))  # already there: kept
        logs[name].append(course.collect(kind, update=True))   # --update: the newer one
        logs[name].append(course.collect(kind, update=True))   # nothing newer
    for name, course in courses.items():  # the same log, but for where each course is
        logs[name] = [re.sub(r"inbound/[^/]+/", "inbound/FOLDER/", log.replace(
            str(course.exchange), "EXCHANGE")) for log in logs[name]]
    assert logs["hub"] == logs["nbgrader"]
    assert "Ignoring file too large" in logs["hub"][0] and "Updating submission" in logs["hub"][2]
    hub, stock = (tree(courses[n].collected(ann)) for n in ("hub", "nbgrader"))
    assert hub == stock and hub["origins.ipynb"][2] == b"second"
    assert "__pycache__" not in hub and "data/notes.txt" in hub and "data/big.csv" in hub


def test_a_submission_in_another_trainees_name_is_refused(tmp_path, people):
    ann, bob = people["trainee"], people["attacker"]
    course = Course(tmp_path)
    hand_in(course, ann, ann, 1, "ann's own work")
    forged = hand_in(course, ann, bob, 2, "bob's version")  # newer, so nbgrader would take it
    log = course.collect()
    assert (f"Refused a submission of '{ASSIGNMENT}' that claims to be from {ann}: its folder "
            f"belongs to the account {bob}, not to {ann}, so someone else may have handed it in "
            f"under {ann}'s name. Nothing from it was collected") in log
    assert forged.name in log
    assert (course.collected(ann) / "origins.ipynb").read_text() == "ann's own work"

    # Collected work is never replaced by a forged submission, even a newer one.
    before = tree(course.collected(ann))
    hand_in(course, ann, bob, 3, "bob again")
    assert "belongs to the account" in course.collect(update=True)
    assert tree(course.collected(ann)) == before
    assert forged.is_dir()  # left in the exchange for IT to look at


def test_a_file_slipped_into_a_trainees_folder_is_refused(tmp_path, people):
    ann, bob = people["trainee"], people["attacker"]
    course = Course(tmp_path)
    folder = hand_in(course, ann, ann, 1)
    planted = folder / "extra.ipynb"
    planted.write_text("planted")
    os.chown(planted, pwd.getpwnam(bob).pw_uid, -1)
    log = course.collect()
    assert f"'extra.ipynb' belongs to the account {bob}, not to {ann}" in log
    assert not course.collected(ann).exists()


@pytest.mark.parametrize("where", ["notebook", "folder", "subfolder"])
def test_a_link_to_the_solutions_is_never_followed(tmp_path, people, where):
    bob = people["attacker"]
    course = Course(tmp_path)
    hand_in(course, bob, bob, 1, "bob's real attempt")

    def link(folder):
        if where == "notebook":
            (folder / "origins.ipynb").unlink()
            (folder / "origins.ipynb").symlink_to(course.solutions)
        else:
            (folder / "answers").symlink_to(course.solutions.parent)

    if where == "folder":
        # the whole submission is a link to the solutions folder
        stamp = "2030-01-01 10:02:00.000000 UTC"
        forged = course.inbound / f"{bob}+{ASSIGNMENT}+{stamp}+x"
        forged.symlink_to(course.solutions.parent)
        os.chown(forged, pwd.getpwnam(bob).pw_uid, -1, follow_symlinks=False)
    else:
        hand_in(course, bob, bob, 2, extra=link)
    log = course.collect()
    assert f"Refused a submission of '{ASSIGNMENT}' that claims to be from {bob}" in log
    target = course.solutions if where == "notebook" else course.solutions.parent
    assert f"a link to {target}" in log
    collected = tree(course.collected(bob))
    assert collected["origins.ipynb"][2] == b"bob's real attempt"
    assert not any(b"THE SOLUTIONS" in (entry[2] or b"") for entry in collected.values())


def _fifo(path):
    os.mkfifo(path)


def _socket(path):
    # a socket's own path must be short, so it is made nearby and moved in
    short = Path(f"/tmp/cx-{secrets.token_hex(4)}")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(short))
    short.rename(path)


def _device(path):
    try:
        os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("this machine does not let even root make device files")


@pytest.mark.parametrize("make, called", [(_fifo, "a named pipe"), (_socket, "a socket"),
                                          (_device, "a device")])
def test_special_files_are_refused_without_hanging(tmp_path, people, make, called):
    bob = people["attacker"]
    course = Course(tmp_path)
    hand_in(course, bob, bob, 1, "bob's real attempt")

    def special(folder):
        (folder / "origins.ipynb").unlink()
        make(folder / "origins.ipynb")

    hand_in(course, bob, bob, 2, extra=special)
    done = []
    worker = threading.Thread(target=lambda: done.append(course.collect()), daemon=True)
    worker.start()
    worker.join(60)
    assert done, "collect hung on a special file"
    assert f"'origins.ipynb' is {called}, not an ordinary file or folder" in done[0]
    assert (course.collected(bob) / "origins.ipynb").read_text() == "bob's real attempt"


def test_a_file_swapped_for_a_link_during_collect_is_caught(tmp_path, people):
    ann = people["trainee"]
    course = Course(tmp_path)
    hand_in(course, ann, ann, 1, "collected earlier")
    course.collect()
    before = tree(course.collected(ann))
    newer = hand_in(course, ann, ann, 2, "newer")

    def swap_between_check_and_copy(app):
        app.set_timestamp()
        app.init_src()  # the newer submission passes its check here ...
        (newer / "origins.ipynb").unlink()  # ... and is then changed by its owner
        (newer / "origins.ipynb").symlink_to(course.solutions)
        os.chown(newer / "origins.ipynb", pwd.getpwnam(ann).pw_uid, -1, follow_symlinks=False)
        app.init_dest()
        app.copy_files()

    log = course.collect(steps=swap_between_check_and_copy)
    assert "'origins.ipynb' is a link to" in log
    assert tree(course.collected(ann)) == before
    assert [p.name for p in course.collected(ann).parent.iterdir()] == [ASSIGNMENT]


def test_odd_names_and_stamps_do_not_stop_collect(tmp_path, people):
    ann, bob = people["trainee"], people["attacker"]
    course = Course(tmp_path)
    hand_in(course, ann, ann, 1, "ann's work")
    odd = course.inbound / f"{bob}+{ASSIGNMENT}+not a time+x"
    odd.mkdir()
    ghost = hand_in(course, "nobody-here", bob, 1)
    hand_in(course, bob, bob, 1, "bob's work")
    tampered = hand_in(course, bob, bob, 2, "bob's work, later")
    (tampered / "timestamp.txt").write_text("whenever")
    log = course.collect()
    assert f"Left out '{odd.name}'" in log
    assert "there is no account called nobody-here" in log and ghost.name in log
    assert "its timestamp.txt says 'whenever'" in log
    assert (course.collected(ann) / "origins.ipynb").read_text() == "ann's work"
    assert (course.collected(bob) / "origins.ipynb").read_text() == "bob's work"
    # the collected timestamp is the one nbgrader's --update compares next time
    assert "Updating" not in course.collect(update=True)


def test_an_unreadable_or_oversized_submission_stops_only_itself(tmp_path, people, monkeypatch):
    ann, bob = people["trainee"], people["attacker"]
    course = Course(tmp_path)
    hand_in(course, ann, ann, 1, "ann's work")
    hand_in(course, bob, bob, 1, "bob's work")
    hand_in(course, bob, bob, 2, extra=lambda folder: (folder / "locked").mkdir())
    hand_in(course, ann, ann, 2, "x" * 5000)
    # The grader cannot open a folder its owner locked; root can, so this test
    # has the folder refuse to be read as it would for the grader.
    listdir = os.listdir

    def locked_out(fd):
        if isinstance(fd, int) and os.readlink(f"/proc/self/fd/{fd}").endswith("/locked"):
            raise PermissionError(13, "Permission denied")
        return listdir(fd)

    monkeypatch.setattr(os, "listdir", locked_out)
    log = course.collect(max_dir_size=4)
    assert "'locked' could not be read (Permission denied)" in log
    assert "more than the 4 kB the course allows" in log
    assert (course.collected(ann) / "origins.ipynb").read_text() == "ann's work"
    assert (course.collected(bob) / "origins.ipynb").read_text() == "bob's work"


def test_names_cannot_fake_lines_in_the_log(tmp_path, people):
    bob = people["attacker"]
    course = Course(tmp_path)
    hand_in(course, bob, bob, 1,
            extra=lambda folder: (folder / "x\n[INFO] all fine").symlink_to("/"))
    log = course.collect()
    assert "'x?[INFO] all fine' is a link to /" in log and "\n[INFO] all fine" not in log


def test_no_program_that_runs_as_the_grader(tmp_path, people):
    bob = people["attacker"]
    course = Course(tmp_path)
    folder = hand_in(course, bob, bob, 1)
    os.chmod(folder / "origins.ipynb", 0o4755)
    course.collect()
    assert stat.S_IMODE((course.collected(bob) / "origins.ipynb").stat().st_mode) == 0o755


def test_the_hubs_settings_use_it():
    from nbgrader.exchange import ExchangeFactory
    from traitlets.config.loader import PyFileConfigLoader

    from coproduction.hub.exchange import CheckedExchangeCollect

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "hub")).load_config()
    assert ExchangeFactory(config=config).collect is CheckedExchangeCollect
