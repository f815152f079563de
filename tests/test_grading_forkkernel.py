"""Forked kernels: each is its own process, in the folder and environment it was asked for."""

from __future__ import annotations

import os
import signal
import time

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from coproduction.grading.forkkernel import ForkedProcess, Zygote, kernel_manager_class

pytestmark = pytest.mark.slow

PROBE = ("import os, sys, numpy\n"
         "print(os.getcwd(), os.getpid(), os.environ.get('PROBE_MARK'), "
         "'pandas' in sys.modules, numpy.random.randint(0, 10**9))")


@pytest.fixture
def manager(tmp_path):
    km = kernel_manager_class()
    km.zygote = zygote = Zygote(tmp_path, preload=("ipykernel.kernelapp", "pandas"))
    yield km
    zygote.close()


def run_notebook(km, cells, folder, timeout=20):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(nb, timeout=timeout, kernel_manager_class=km, allow_errors=True,
                            interrupt_on_timeout=True,
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    return [o for cell in nb.cells for o in cell.outputs]


def test_each_kernel_is_fresh_and_in_its_own_folder(manager, tmp_path, monkeypatch):
    monkeypatch.setenv("PROBE_MARK", "set-by-the-test")
    seen = []
    for n in range(2):
        folder = tmp_path / f"trainee-{n}"
        folder.mkdir()
        [out] = run_notebook(manager, [PROBE], folder)
        cwd, pid, mark, preloaded, draw = out["text"].split()
        assert cwd == str(folder) and mark == "set-by-the-test" and preloaded == "True"
        assert int(pid) not in (os.getpid(), manager.zygote.proc.pid)
        seen.append((pid, draw))
    assert seen[0][0] != seen[1][0], "a new process each time"
    assert seen[0][1] != seen[1][1], "numpy's random numbers differ between kernels"


def test_kernel_holds_only_what_was_preloaded(manager, tmp_path):
    """The zygote's own machinery (this toolkit, its sockets) is gone from the kernel."""
    [out] = run_notebook(manager, ["import sys\nprint(sorted(m for m in sys.modules if "
                                   "m.startswith(('coproduction', 'pandas'))"
                                   " and '.' not in m))"], tmp_path)
    assert out["text"].strip() == "['pandas']"


def test_notebook_imports_are_what_is_preloaded(tmp_path):
    from coproduction.grading.forkkernel import notebook_imports

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%matplotlib inline\nimport pandas as pd, os.path\n"
                                  "from coproduction.data import load\nfrom . import x"),
        nbformat.v4.new_code_cell("this is not python ("),
        nbformat.v4.new_markdown_cell("import numpy")])
    nbformat.write(nb, tmp_path / "a.ipynb")
    (tmp_path / "b.ipynb").write_text("not json")
    assert notebook_imports(tmp_path) == ["pandas", "os.path", "coproduction.data"]


def test_state_does_not_leak_between_kernels(manager, tmp_path):
    run_notebook(manager, ["secret = 42"], tmp_path)
    [out] = run_notebook(manager, ["print('secret' in globals())"], tmp_path)
    assert out["text"].strip() == "False"


def test_endless_cell_is_interrupted(manager, tmp_path):
    outs = run_notebook(manager, ["while True:\n    pass", "print('after')"], tmp_path, timeout=2)
    assert outs[0]["ename"] == "KeyboardInterrupt"
    assert outs[1]["text"].strip() == "after"


def test_kernel_that_exits_is_noticed(manager, tmp_path):
    with pytest.raises(DeadKernelError):
        run_notebook(manager, ["import os\nos._exit(3)", "print('never')"], tmp_path)


def test_broken_zygote_falls_back_to_ordinary_kernels(manager, tmp_path):
    manager.zygote.proc.send_signal(signal.SIGKILL)
    manager.zygote.proc.wait(5)
    [out] = run_notebook(manager, ["import os\nprint(os.getpid())"], tmp_path)
    assert out["text"].strip().isdigit()
    assert manager.zygote is None  # later kernels start the usual way straight away


def test_forked_process_handle(tmp_path):
    import subprocess

    child = subprocess.Popen(["sleep", "30"])
    handle = ForkedProcess(child.pid)
    assert handle.poll() is None
    handle.terminate()
    child.wait(5)  # here we are the parent, so we reap it
    deadline = time.monotonic() + 5
    while handle.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert handle.poll() is not None
