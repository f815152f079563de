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

# A small scenario with a real branch, a merge and all three kinds of ending.
SMALL_SCENARIO = """\
schema_version: 1
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
        next: good
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
def journal_file(tmp_path):
    """A fresh journal path of its own for one test."""
    return tmp_path / "journal.sqlite"
