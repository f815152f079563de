"""Unix accounts and groups for a cohort, made all at once or not at all.

Everyone in a cohort joins ``nbgrader-<course>``; trainers also join
``formgrade-<course>``, the group the hub lets into that course's formgrader.
Two cohorts with different course ids therefore never share a group. Accounts
get a private home folder and no password: the hub's sign-in decides who gets in.

``plan`` works out what is missing without changing anything; ``apply`` makes
it, and if any step fails it takes back every step it had made, so a failed
run leaves the machine as it found it.
"""

from __future__ import annotations

import grp
import os
import pwd
import subprocess
from dataclasses import dataclass

from .roster import AccountError, Member, check_course_id

FIRST_PERSON_UID = 1000  # below this, accounts belong to the system


@dataclass(frozen=True)
class Step:
    """One change to the system, in plain words, with how to take it back."""

    says: str
    command: tuple[str, ...]
    undo: tuple[str, ...]


def groups(course: str) -> tuple[str, str]:
    """(everyone's group, trainers' group) for a course."""
    check_course_id(course)
    return f"nbgrader-{course}", f"formgrade-{course}"


def _group_members(name: str) -> set[str] | None:
    try:
        return set(grp.getgrnam(name).gr_mem)
    except KeyError:
        return None


def plan(members: list[Member], course: str) -> list[Step]:
    """The steps that would bring the system in line with the cohort list (none if it is)."""
    everyone, trainers = groups(course)
    steps = []
    existing = {}
    for group in (everyone, trainers):
        existing[group] = _group_members(group)
        if existing[group] is None:
            steps.append(Step(f"create group {group}", ("groupadd", group), ("groupdel", group)))
            existing[group] = set()
    for member in members:
        try:
            account = pwd.getpwnam(member.username)
        except KeyError:
            account = None
        if account is not None and account.pw_uid < FIRST_PERSON_UID:
            raise AccountError(f"'{member.username}' (line {member.line}) is an account the "
                               "system uses itself; choose another username.")
        if account is None:
            steps.append(Step(
                f"create account {member.username} ({member.role})",
                ("useradd", "--create-home", "--key", "HOME_MODE=0700", "--shell", "/bin/bash",
                 "--comment", f"{course} {member.role}", member.username),
                ("userdel", "--remove", member.username)))
        wanted = [everyone] + ([trainers] if member.is_trainer else [])
        for group in wanted:
            if member.username not in existing[group]:
                steps.append(Step(f"add {member.username} to {group}",
                                  ("gpasswd", "--add", member.username, group),
                                  ("gpasswd", "--delete", member.username, group)))
    return steps


def apply(steps: list[Step]) -> list[Step]:
    """Make every step, or none: on a failure, undo the steps already made, newest first."""
    if steps and os.geteuid() != 0:
        raise AccountError("Making accounts needs administrator rights: run this as root "
                           "(for example with sudo), or add --dry-run to see what it would do.")
    done: list[Step] = []
    try:
        for step in steps:
            result = subprocess.run(step.command, capture_output=True, text=True)
            if result.returncode:
                reason = (result.stderr or result.stdout).strip().splitlines()
                raise AccountError(f"Could not {step.says}: "
                                   f"{reason[-1] if reason else 'no reason given'}. Nothing "
                                   "has been changed: every step before it was taken back.")
            done.append(step)
    except BaseException:
        for step in reversed(done):
            subprocess.run(step.undo, capture_output=True)
        raise
    return done


def link(url: str) -> str:
    """The address trainees open: the hub's sign-in page."""
    return f"{url.rstrip('/')}/hub/login"
