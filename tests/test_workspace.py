"""A trainee's own copy of the modules, and `make lab` / `make lab-trainer` started for real."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from coproduction.workspace import prepare
from conftest import ROOT


def course(tmp_path: Path) -> Path:
    modules = tmp_path / "course-modules"
    (modules / ".ipynb_checkpoints").mkdir(parents=True)
    (modules / "01-origins.ipynb").write_text('{"v": 1}', encoding="utf-8")
    (modules / "references.md").write_text("refs 1", encoding="utf-8")
    (modules / "coproduction-journal.sqlite").write_bytes(b"someone's journal")
    (modules / ".ipynb_checkpoints" / "01-origins-checkpoint.ipynb").write_text("{}")
    return modules


def test_first_time_copies_the_modules_only(tmp_path):
    done = prepare(tmp_path / "mine", course(tmp_path))
    names = sorted(p.name for p in (tmp_path / "mine" / "modules").rglob("*"))
    assert names == ["01-origins.ipynb", "references.md"]
    assert [p.name for p in done.copied] == ["01-origins.ipynb", "references.md"]
    assert "Your own copy of the course is in" in done.report()


def test_a_notebook_worked_in_is_never_overwritten(tmp_path):
    modules = course(tmp_path)
    prepare(tmp_path / "mine", modules)
    mine = tmp_path / "mine" / "modules" / "01-origins.ipynb"
    mine.write_text('{"v": "my answers"}', encoding="utf-8")
    (modules / "01-origins.ipynb").write_text('{"v": 2}', encoding="utf-8")   # a course update
    (modules / "02-values.ipynb").write_text('{"v": 1}', encoding="utf-8")    # a new module
    (modules / "references.md").write_text("refs 2", encoding="utf-8")
    done = prepare(tmp_path / "mine", modules)
    assert mine.read_text() == '{"v": "my answers"}'
    assert [p.name for p in done.copied] == ["02-values.ipynb"]
    assert [p.name for p in done.kept] == ["01-origins.ipynb"]
    assert "your copy, with your work in it, is kept" in done.report()
    assert (tmp_path / "mine" / "modules" / "references.md").read_text() == "refs 2"


def test_no_modules_folder_is_a_plain_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="There is no modules folder at"):
        prepare(tmp_path / "mine", tmp_path / "nowhere")


# -- make lab and make lab-trainer, started as a person would ----------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(target: str, tmp_path: Path, work: Path):
    port = _free_port()
    log = (tmp_path / f"{target}.log").open("w")
    env = {**os.environ, "HOME": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    proc = subprocess.Popen(["make", "--no-print-directory", target, f"PORT={port}",
                             f"WORK={work}"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    text, token = "", None
    for _ in range(240):
        text = (tmp_path / f"{target}.log").read_text()
        found = re.search(rf"http://127\.0\.0\.1:{port}/lab\S*\?token=(\w+)", text)
        if found:
            token = found.group(1)
            break
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    if token is None:
        os.killpg(proc.pid, signal.SIGTERM)
        raise AssertionError(f"make {target} did not start JupyterLab:\n{text}")
    return proc, f"http://127.0.0.1:{port}", token, text


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            return reply.status, reply.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, ""


def _stop(proc) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _page_config(html: str) -> dict:
    raw = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                    html, re.S).group(1)
    return json.loads(raw)


@pytest.mark.slow
def test_make_lab_opens_the_trainees_own_copy_without_trainer_tools(tmp_path):
    work = tmp_path / "my-course"
    proc, base, token, text = _start("lab", tmp_path, work)
    try:
        assert "Your own copy of the course is in" in text
        status, _ = _get(f"{base}/api/contents/modules/01-origins.ipynb?token={token}")
        assert status == 200  # served from the trainee's copy, the server's root
        assert (work / "modules" / "01-origins.ipynb").is_file()
        status, html = _get(f"{base}/lab?token={token}")
        assert status == 200
        disabled = _page_config(html).get("disabledExtensions", [])
        assert "@jupyter/nbgrader" in disabled
        assert _get(f"{base}/formgrader?token={token}")[0] == 404
        assert _get(f"{base}/assignments?token={token}")[0] == 404
    finally:
        _stop(proc)
    assert not list((ROOT / "modules").glob("coproduction-journal.sqlite*"))


@pytest.mark.slow
def test_make_lab_trainer_keeps_nbgrader_tools(tmp_path):
    proc, base, token, _ = _start("lab-trainer", tmp_path, tmp_path / "unused")
    try:
        status, html = _get(f"{base}/lab?token={token}")
        assert status == 200
        assert "@jupyter/nbgrader" not in _page_config(html).get("disabledExtensions", [])
        assert _get(f"{base}/formgrader?token={token}")[0] == 200
        assert _get(f"{base}/api/contents/solutions?token={token}")[0] == 200
    finally:
        _stop(proc)
    assert not (tmp_path / "unused").exists()
