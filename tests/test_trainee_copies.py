"""What trainees receive: notebooks without outputs, and no answers in plain text."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from ruamel.yaml import YAML

from coproduction.paths import CONTENT
from conftest import ROOT, course_files

NOTEBOOKS = [p for p in course_files() if p.suffix == ".ipynb"]
SOURCES = sorted((ROOT / "toolkit" / "self-check-keys").glob("*.yaml"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_saved_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for n, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"cell {n} has outputs"
            assert cell.get("execution_count") is None, f"cell {n} has an execution count"


def _trainee_texts():
    """Every file a trainee gets: the modules and the package's content (not a journal)."""
    shipped = [p for p in course_files() if p.is_relative_to(ROOT / "modules")]
    if CONTENT.is_relative_to(ROOT):
        shipped += [p for p in course_files() if p.is_relative_to(CONTENT)]
    else:  # an installed toolkit: its content folder is all shipped
        shipped += [p for p in CONTENT.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return {p: p.read_text(encoding="utf-8") for p in shipped}


def test_files_left_by_using_the_course_are_not_course_files(tmp_path):
    """A practice cohort and a played module leave ignored files: the checks skip them."""
    import shutil

    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "01-origins.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "modules" / "coproduction-journal.sqlite").write_bytes(b"SQLite format 3\0\xff")
    (tmp_path / "autograded" / "ana" / "01-origins").mkdir(parents=True)
    (tmp_path / "autograded" / "ana" / "01-origins" / "origins.ipynb").write_text("{}")
    (tmp_path / "exchange" / "coproduction" / "outbound").mkdir(parents=True)
    (tmp_path / "exchange" / "coproduction" / "outbound" / "x.ipynb").write_text("{}")
    (tmp_path / "modules" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "modules" / ".ipynb_checkpoints" / "01-origins-checkpoint.ipynb").write_text("{}")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    found = {str(p.relative_to(tmp_path)) for p in course_files(tmp_path)}
    assert found == {".gitignore", "modules/01-origins.ipynb"}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_self_check_answer_in_plain_text(source):
    plain = YAML(typ="safe").load(source.read_text(encoding="utf-8"))
    secrets = []  # text that would give an answer away if it appeared
    for q in plain["questions"]:
        if q["kind"] == "choice":
            secrets += [o["feedback"] for o in q["options"]]
        else:
            secrets += [i["feedback"] for i in q["items"]]
    texts = _trainee_texts()
    assert texts, "nothing to check"
    for path, text in texts.items():
        assert "correct: true" not in text, path
        flat = " ".join(text.split())
        for secret in secrets:
            assert " ".join(secret.split()) not in flat, (path, secret[:60])


def test_the_leak_check_can_fail(tmp_path):
    """The check above really looks: a notebook quoting feedback would be caught."""
    source = SOURCES[0]
    plain = YAML(typ="safe").load(source.read_text(encoding="utf-8"))
    feedback = plain["questions"][0]["options"][0]["feedback"]
    leaked = json.dumps({"cells": [{"cell_type": "markdown", "source": [feedback]}]})
    assert " ".join(feedback.split()) in " ".join(json.loads(leaked)["cells"][0]["source"][0].split())


def test_import_is_cheap():
    """`import coproduction` (and its main modules) loads no heavy library."""
    code = (
        "import sys\n"
        "import coproduction, coproduction.scenario, coproduction.quiz, coproduction.journal, "
        "coproduction.data, coproduction.cli\n"
        "heavy = ['pandas', 'matplotlib', 'ipywidgets', 'nbgrader', 'numpy']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
