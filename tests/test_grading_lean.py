"""What makes grading quick must not change what it records.

Each shortcut (``grading.leaner``, the kernel zygote's preloads, workers forked
from the grading process) is checked against what it replaces.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from grading_helpers import ASSIGNMENT, auto_points, course_copy, grading_log, run

from coproduction.grading import leaner
from coproduction.grading.cohort import Member, write_cohort

pytestmark = pytest.mark.slow

GOOD = {"grade": True, "grade_id": "q1", "locked": True, "points": 2.0, "schema_version": 3,
        "solution": False, "task": False}


def _bad_cells():
    """nbgrader metadata broken in different ways."""
    return [{**GOOD, "task": 1}, {**GOOD, "points": "two"}, {**GOOD, "locked": "yes"},
            {**GOOD, "grade_id": 7}]


def _error(validate, meta, schema):
    try:
        validate(meta, schema)
    except Exception as err:  # what is raised is what is compared
        return type(err).__name__, getattr(err, "message", str(err)), list(err.absolute_path)
    return None


def test_schema_checked_once_gives_the_same_verdicts(monkeypatch):
    import jsonschema
    from nbgrader.nbgraderformat import common
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    schema = MetadataValidatorV3().schema
    before = {json.dumps(m, sort_keys=True): _error(jsonschema.validate, m, schema)
              for m in [GOOD, *_bad_cells()]}
    assert list(before.values()).count(None) == 1, "only the good cell passes plain jsonschema"

    monkeypatch.setattr(common, "jsonschema", common.jsonschema)
    leaner.check_schema_once()
    assert common.jsonschema is not jsonschema
    for meta in [GOOD, *_bad_cells(), GOOD]:
        after = _error(common.jsonschema.validate, meta, schema)
        assert after == before[json.dumps(meta, sort_keys=True)]
    # A broken schema is still refused, as jsonschema.validate refuses it.
    broken = {**copy.deepcopy(schema), "type": 12}
    with pytest.raises(jsonschema.SchemaError):
        common.jsonschema.validate(GOOD, broken)
    # And nbgrader's own check of a cell still refuses a bad one.
    cell = {"cell_type": "code", "metadata": {"nbgrader": _bad_cells()[1]}, "source": ""}
    from nbformat import from_dict

    with pytest.raises(jsonschema.ValidationError):
        MetadataValidatorV3().validate_cell(from_dict(cell))


def test_engines_are_reused_and_see_a_replaced_file(monkeypatch, tmp_path):
    from nbgrader import api

    # nbgrader runs alembic, beside this Python, to set up a new gradebook.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(api, "create_engine", api.create_engine)
    leaner.reuse_engines(keep=2)
    leaner.reuse_engines(keep=2)  # a second call changes nothing
    url = f"sqlite:///{tmp_path / 'private.db'}"
    with api.Gradebook(url) as gb:
        gb.add_student("first")
        first_engine = gb.engine
    # Another gradebook put in its place, as each new submission's copy is.
    other = tmp_path / "other.db"
    with api.Gradebook(f"sqlite:///{other}") as gb:
        gb.add_student("second")
    os.replace(other, tmp_path / "private.db")
    with api.Gradebook(url) as gb:
        assert gb.engine is first_engine
        assert [s.id for s in gb.students] == ["second"]
    # Only the two most recently used engines are kept.
    for name in ("a.db", "b.db"):
        with api.Gradebook(f"sqlite:///{tmp_path / name}"):
            pass
    with api.Gradebook(url) as gb:
        assert gb.engine is not first_engine
        assert [s.id for s in gb.students] == ["second"]


def test_the_iri_grammar_is_left_out_and_notebooks_still_validate(tmp_path):
    code = ("import sys\n"
            "from coproduction.grading.leaner import leave_out_unused\n"
            "leave_out_unused()\n"
            "import jsonschema, nbformat\n"
            "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
            "nbformat.validate(nb)\n"
            "bad = nbformat.v4.new_notebook(); bad['cells'] = [{'cell_type': 'code'}]\n"
            "try:\n    nbformat.validate(bad)\nexcept nbformat.ValidationError:\n"
            "    print('refused')\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, check=True)
    assert done.stdout.split() == ["refused", "None"]


def _kernel_modules(manager_class=None, zygote_preload=None, folder=None) -> set[str]:
    """The modules a notebook's first cell finds loaded."""
    import nbformat
    from nbclient import NotebookClient

    from coproduction.grading.forkkernel import Zygote

    cell = "import sys\nprint(' '.join(sorted(sys.modules)))"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                              "language": "python"}
    zygote = None
    options = {}
    if zygote_preload is not None:
        manager_class.zygote = zygote = Zygote(folder, preload=zygote_preload)
        options["kernel_manager_class"] = manager_class
    try:
        NotebookClient(nb, timeout=60, resources={"metadata": {"path": str(folder)}},
                       **options).execute()
    finally:
        if zygote is not None:
            zygote.close()
    return set(nb.cells[0].outputs[0]["text"].split())


def test_a_forked_kernel_holds_no_module_a_fresh_kernel_lacks(tmp_path):
    """The zygote preloads what a kernel loads as it starts; a notebook sees nothing more."""
    from coproduction.grading.forkkernel import KERNEL, kernel_manager_class

    fresh = _kernel_modules(folder=tmp_path)
    forked = _kernel_modules(kernel_manager_class(), KERNEL, tmp_path)
    assert "ipykernel.debugger" in fresh, "the preloads are what a fresh kernel loads"
    assert forked - fresh == set()
    # And hardly fewer: a fresh kernel also has runpy, which started it as a program.
    assert len(fresh - forked) <= 3, sorted(fresh - forked)


def test_a_worker_started_afresh_grades_after_one_is_stopped(tmp_path):
    """One worker: the first submission never ends and its worker is stopped; the one
    started in its place (not forked: the grading process runs threads by then) grades
    the next."""
    course = course_copy(tmp_path)
    write_cohort(course, ASSIGNMENT, [Member("a-loop", "infinite-loop"),
                                      Member("b-correct", "correct")])
    result = run("coproduction", "autograde", ASSIGNMENT, "--workers", "1", "--timeout", "10",
                 "--quiet", cwd=course)
    assert result.returncode == 1, result.stdout + result.stderr
    log = grading_log(course)
    assert log["a-loop"]["status"] == "timed out"
    assert log["b-correct"]["status"] == "graded"
    assert float(log["b-correct"]["score"]) == auto_points()


def test_workers_are_forked_only_from_a_process_without_threads(tmp_path):
    code = ("import multiprocessing, sys, threading, time\n"
            "from coproduction.grading.autograde import _first_workers_context\n"
            "spawn = multiprocessing.get_context('spawn')\n"
            "print(_first_workers_context(spawn).get_start_method())\n"
            "threading.Thread(target=time.sleep, args=(2,), daemon=True).start()\n"
            "print(_first_workers_context(spawn).get_start_method())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, check=True)
    expected = ["fork" if sys.platform.startswith("linux") else "spawn", "spawn"]
    assert done.stdout.split() == expected


def test_a_kernel_that_never_gets_ready_is_not_blamed_on_the_notebook():
    """What the quicker readiness check raises reads as the machine's trouble, not the
    trainee's; a kernel the notebook stopped still reads as the notebook's doing."""
    from coproduction.grading.worker import reason_from_log

    late = reason_from_log("[ERROR] RuntimeError: Kernel didn't respond in 60 seconds")
    assert "did not start in time" in late and "--student" in late
    died = reason_from_log("RuntimeError: Kernel died before replying to kernel_info")
    assert "before any of the notebook ran" in died
    assert "stopped its own" in reason_from_log("nbclient.exceptions.DeadKernelError: Kernel died")
