"""Cohort accounts on this machine: real Unix users and groups, made all or nothing.

These make and remove real accounts, so they need root and the shadow tools
(useradd, groupadd, gpasswd); CI runs as root. Every name starts with a random
prefix and is removed afterwards, whatever happens.
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from coproduction.hub import AccountError, apply, plan, read

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd"),
    reason="making Unix accounts needs root and useradd")

EXE = Path(sys.executable).with_name("coproduction")


@pytest.fixture
def names():
    """A unique prefix for this test's users and course, and clean-up of all of it."""
    prefix = "cp" + secrets.token_hex(3)
    yield prefix
    for entry in pwd.getpwall():
        if entry.pw_name.startswith(prefix):
            subprocess.run(["userdel", "--remove", entry.pw_name], capture_output=True)
    for entry in grp.getgrall():
        if entry.gr_name.endswith(prefix) or entry.gr_name.startswith(prefix):
            subprocess.run(["groupdel", entry.gr_name], capture_output=True)


def cohort(write, prefix, extra=""):
    return read(write(f"username,role\n{prefix}-tr,trainer\n{prefix}-a,trainee\n"
                      f"{prefix}-b,trainee\n{extra}", "cohort.csv"))


def test_accounts_and_groups_are_made(write, names):
    members = cohort(write, names)
    done = apply(plan(members, names))
    assert len(done) == 2 + 3 + 4  # two groups, three accounts, four memberships
    everyone, trainers = grp.getgrnam(f"nbgrader-{names}"), grp.getgrnam(f"formgrade-{names}")
    assert set(everyone.gr_mem) == {f"{names}-tr", f"{names}-a", f"{names}-b"}
    assert set(trainers.gr_mem) == {f"{names}-tr"}
    home = Path(pwd.getpwnam(f"{names}-a").pw_dir)
    assert home.is_dir() and stat.S_IMODE(home.stat().st_mode) == 0o700
    assert plan(members, names) == []  # a second run has nothing to do


def test_a_failure_half_way_takes_everything_back(write, names):
    # A group already named like the last trainee makes useradd refuse that account.
    subprocess.run(["groupadd", f"{names}-b"], check=True)
    members = cohort(write, names)
    with pytest.raises(AccountError, match=f"Could not create account {names}-b"):
        apply(plan(members, names))
    for user in (f"{names}-tr", f"{names}-a"):
        with pytest.raises(KeyError):
            pwd.getpwnam(user)
        assert not Path(f"/home/{user}").exists()
    for group in (f"nbgrader-{names}", f"formgrade-{names}"):
        with pytest.raises(KeyError):
            grp.getgrnam(group)


def test_existing_people_are_added_not_remade(write, names):
    subprocess.run(["useradd", "--create-home", f"{names}-a"], check=True)
    steps = plan(cohort(write, names), names)
    assert f"create account {names}-a (trainee)" not in [s.says for s in steps]
    assert f"add {names}-a to nbgrader-{names}" in [s.says for s in steps]


def test_system_accounts_are_refused(write, names):
    subprocess.run(["useradd", "--system", "--no-create-home", f"{names}-sys"], check=True)
    members = read(write(f"username,role\n{names}-tr,trainer\n{names}-sys,trainee\n", "c.csv"))
    with pytest.raises(AccountError, match="an account the system uses itself"):
        plan(members, names)


def test_command_line(write, names):
    path = write(f"username,role\n{names}-tr,trainer\n{names}-a,trainee\n", "c.csv")
    dry = subprocess.run([EXE, "hub", "accounts", path, "--course-id", names, "--dry-run"],
                         capture_output=True, text=True)
    assert dry.returncode == 0 and "Would do (nothing has been changed):" in dry.stdout
    with pytest.raises(KeyError):
        pwd.getpwnam(f"{names}-tr")
    real = subprocess.run([EXE, "hub", "accounts", path, "--course-id", names, "--url",
                           "http://127.0.0.1:8123"], capture_output=True, text=True)
    assert real.returncode == 0, real.stderr
    assert f"done: create account {names}-tr (trainer)" in real.stdout
    assert "Trainees sign in at: http://127.0.0.1:8123/hub/login" in real.stdout
    bad = subprocess.run([EXE, "hub", "accounts", write("username,role\nX Y,trainer\n", "b.csv"),
                          "--course-id", names], capture_output=True, text=True)
    assert bad.returncode == 1 and "is not a valid username" in bad.stderr
    assert "Traceback" not in bad.stderr
