"""Reflections in real notebook kernels: kept across a kernel restart, and two kernels at once.

tests/test_reflect.py covers the same promises with plain Python processes;
here they are kept by the kernels a notebook really runs in (ipykernel, driven
through jupyter_client as JupyterLab drives it).
"""

from __future__ import annotations

import os

import pytest

pytest.importorskip("ipywidgets")
manager = pytest.importorskip("jupyter_client.manager")

from coproduction import reflect  # noqa: E402
from coproduction.journal import Journal  # noqa: E402

# Typed into a box, never saved by hand: the save after the pause, or at shutdown, must keep it.
TYPE = """
from coproduction import reflect
boxes = []
for k in range({count}):
    box = reflect.prompt(f"{name}-r{{k}}", "Q?", module=1)
    box.answer.value = f"answer {{k}} typed in {name}"
    boxes.append(box)
"""
READ = "from coproduction import reflect\nprint(reflect.prompt('{pid}', 'Q?').answer.value)\n"


def _kernel(journal_file, tmp_path):
    env = {**os.environ, "COPRODUCTION_JOURNAL": str(journal_file)}
    km, kc = manager.start_new_kernel(startup_timeout=120, kernel_name="python3",
                                      env=env, cwd=str(tmp_path))
    return km, kc


def _run(kc, code: str) -> str:
    """Run code in the kernel; what it printed. A failure in the kernel fails the test."""
    printed: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            printed.append("\n".join(msg["content"]["traceback"]))

    reply = kc.execute_interactive(code, timeout=120, output_hook=hook)
    assert reply["content"]["status"] == "ok", "".join(printed)
    return "".join(printed)


def _stop(km, kc) -> None:
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def test_kept_across_a_restart_and_by_two_kernels_at_once(journal_file, tmp_path):
    first, second = _kernel(journal_file, tmp_path), _kernel(journal_file, tmp_path)
    try:
        # Both kernels type at the same moment: each sends its cell before either finishes.
        sent = [kc.execute(TYPE.format(count=15, name=name))
                for (_, kc), name in ((first, "m1"), (second, "m2"))]
        for (_, kc), msg_id in zip((first, second), sent):
            while True:
                reply = kc.get_shell_msg(timeout=120)
                if reply["parent_header"].get("msg_id") == msg_id:
                    assert reply["content"]["status"] == "ok", reply["content"]
                    break
        # Restart the first kernel and close the second straight away, inside the pause
        # before saving, as JupyterLab's "Restart kernel" and "Shut down kernel" do.
        first[0].restart_kernel(now=False)
        second[1].stop_channels()
        second[0].shutdown_kernel(now=False)
        first[1].wait_for_ready(timeout=120)
        assert _run(first[1], READ.format(pid="m1-r14")).strip() == "answer 14 typed in m1"
        assert _run(first[1], READ.format(pid="m2-r0")).strip() == "answer 0 typed in m2"
    finally:
        _stop(*first)
        if second[0].is_alive():
            _stop(*second)
    saved = reflect.answers(Journal(journal_file))
    assert len(saved) == 30
    assert saved == {f"{m}-r{k}": f"answer {k} typed in {m}" for m in ("m1", "m2")
                     for k in range(15)}
