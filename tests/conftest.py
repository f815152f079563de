"""Shared test set-up.

The journal is pointed at a temporary file for the whole run (the notebook
kernels that nbval starts inherit it), so tests never write into modules/.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest

_JOURNAL_DIR = tempfile.mkdtemp(prefix="coproduction-test-journal-")
os.environ["COPRODUCTION_JOURNAL"] = os.path.join(_JOURNAL_DIR, "journal.sqlite")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent

# Never course material, even outside a git checkout: local environments and caches.
_NOT_COURSE = {".venv", ".git", ".ipynb_checkpoints", "__pycache__", ".pytest_cache",
               "node_modules"}


def notebook_text(path: Path) -> str:
    """All of a notebook's cell sources as one line of words (for looking phrases up)."""
    import json

    nb = json.loads(path.read_text(encoding="utf-8"))
    return " ".join(" ".join("".join(c["source"]) for c in nb["cells"]).split())


def course_files(root: Path = ROOT) -> list[Path]:
    """The course's own files: what git tracks or would track, never what it ignores.

    A trainer who runs the practice cohort, or a trainee who plays Module 1,
    leaves ignored files in the folder (submissions, autograded copies with
    outputs, a journal); those are not course material and tests leave them be.
    """
    import subprocess

    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=root, capture_output=True)
    if listed.returncode == 0:
        names = [n for n in listed.stdout.decode("utf-8").split("\0") if n]
        return sorted(p for p in (root / n for n in names) if p.is_file())
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and not _NOT_COURSE & set(p.relative_to(root).parts))

# The three endings both test scenarios share.
_ENDINGS = """\
  - id: good
    text: It worked.
    ending: partner
  - id: middle
    text: It half worked.
    ending: mixed
  - id: bad
    text: It came back.
    ending: expert-provider
"""

# A small scenario with a real branch, a merge, all three kinds of ending, and one
# route that depends on the play so far (a plan agreed after a leaflet is only mixed).
SMALL_SCENARIO = """\
schema_version: 2
id: small
title: "A small test scenario"
module: 1
summary: Two decisions and three endings.
start: first
nodes:
  - id: first
    title: First contact
    text: |
      A resident rings about damp.
    choices:
      - id: leaflet
        label: Send the damp leaflet
        next: second
        stance: -2
        values: {assets: -1, respect: -2}
        feedback: Quick, but it puts the problem on the resident.
      - id: visit
        label: Visit and listen
        next: second
        stance: 2
        values: {assets: 1, respect: 2, reciprocity: 1}
        feedback: Slower, and it treats the resident as someone who knows the home.
  - id: second
    text: |
      What next?
    choices:
      - id: plan
        label: Agree a plan together
        next:
          - if: {stance_at_least: 1}
            to: good
          - to: middle
        stance: 2
        values: {reciprocity: 2}
        feedback: A shared plan.
      - id: works
        label: Order works
        next: middle
        stance: 0
        values: {assets: 0}
        feedback: Works, with no say.
      - id: close
        label: Close the case
        next: bad
        stance: -2
        values: {social_networks: -1}
        feedback: Closed on paper.
""" + _ENDINGS


# A scenario that carries state: a measure that choices move (and that is clamped),
# a hidden measure, a fact, choices offered only in some states, routes that depend
# on a measure and on the mean stance, and a paragraph shown only after one route.
STATEFUL_SCENARIO = """\
schema_version: 2
id: stateful
title: "A scenario that remembers"
module: 1
summary: Trust carried from one decision to the next.
measures:
  - {id: trust, label: "Residents' trust", start: 1, min: 0, max: 4}
  - {id: days, label: Days left, start: 2, min: 0, max: 3, show: false}
facts:
  - {id: met-tenants, label: "You met the tenants' association"}
start: first
nodes:
  - id: first
    title: First
    text: Complaints arrive.
    choices:
      - id: meet
        label: Meet the tenants' association
        next: second
        stance: 2
        values: {assets: 2}
        effects: {trust: 1, days: -1}
        sets: [met-tenants]
        feedback: Slower.
      - id: present
        label: Present your plan to the association
        next: second
        stance: 0
        values: {respect: 0}
        sets: [met-tenants]
        feedback: They listened.
      - id: patrol
        label: Patrol
        next: second
        stance: -2
        values: {social_networks: -1}
        effects: {trust: -2}
        feedback: Quick.
  - id: second
    title: Second
    text: A month later.
    text_if:
      - if: {fact: met-tenants}
        text: Doreen waves at you.
      - if: {not: {fact: met-tenants}}
        text: Nobody from the association has called.
    choices:
      - id: walk
        label: Walk the estate together
        when: {fact: met-tenants}
        next:
          - if: {measure: trust, at_least: 3}
            to: good
          - to: middle
        stance: 2
        values: {assets: 1}
        effects: {trust: 1}
        feedback: Shared.
      - id: invite
        label: Invite residents to walk
        when: {measure: trust, at_most: 1}
        next:
          - if: {all: [{stance_at_least: 0}, {measure: trust, at_least: 1}]}
            to: middle
          - to: bad
        stance: 1
        values: {assets: 1}
        effects: {trust: 1}
        feedback: A start.
      - id: close
        label: Close the case
        next: bad
        stance: -2
        values: {respect: -1}
        feedback: Closed.
""" + _ENDINGS


@pytest.fixture
def write(tmp_path):
    """Write text to a file in a temporary folder and return its path."""

    def _write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def small_scenario(write):
    from coproduction.scenario import load

    return load(write(SMALL_SCENARIO))


@pytest.fixture
def stateful_scenario(write):
    from coproduction.scenario import load

    return load(write(STATEFUL_SCENARIO, "stateful.yaml"))


@pytest.fixture
def journal_file(tmp_path):
    """A fresh journal path of its own for one test."""
    return tmp_path / "journal.sqlite"

