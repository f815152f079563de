"""Run JupyterLab or the app view on 127.0.0.1 and drive them with the system's Chromium
(for browser tests)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from grading_helpers import BIN, ENV

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags that keep Chromium from calling home: the course must run with no network.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


#: JupyterLab, in the page: true once every code cell of the open notebook has run.
ALL_RUN = """() => window.jupyterapp.shell.currentWidget.content.widgets.every(
    c => c.model.type !== 'code' || c.model.executionCount)"""
#: JupyterLab, in the page: scroll the open notebook to the first cell holding ``text``.
SCROLL_TO = """async (text) => {
    const nb = window.jupyterapp.shell.currentWidget.content;
    const i = nb.widgets.findIndex(c => c.model.sharedModel.getSource().includes(text));
    nb.activeCellIndex = i;
    await nb.scrollToItem(i + 1, 'start');
}"""


def open_notebook(page, url: str, token: str, path: str) -> None:
    """Open ``path`` in JupyterLab at ``url`` and wait until its kernel is ready."""
    page.goto(f"{url}/lab/tree/{path}?token={token}")
    page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')",
                           timeout=60_000)
    page.wait_for_function(
        "window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status"
        " === 'idle'", timeout=60_000)


def require_chromium() -> None:
    """Skip the calling test module when Chromium is missing; in CI, fail instead."""
    import pytest

    if not CHROMIUM:
        if os.environ.get("CI"):
            raise RuntimeError("Chromium is needed for the browser tests in CI "
                               "(.ci/run installs it)")
        pytest.skip("Chromium is not installed", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(root: Path, home: Path, env: dict | None = None):
    """Start JupyterLab at ``root`` as `make lab` does; yield its base URL and token."""
    port, token = free_port(), "coproduction-test-token"
    env = {**os.environ, **(env or {}), "HOME": str(home),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True"]
    log = open(home / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError((home / "lab.log").read_text())
            if re.search(r"http://127\.0\.0\.1:\d+/", (home / "lab.log").read_text()):
                break
            time.sleep(0.3)
        yield url, token
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()


@contextmanager
def voila_app(module: str, folder: Path, home: Path, port: int):
    """``coproduction app MODULE`` on 127.0.0.1, as a trainee starts it; yields the page's URL."""
    env = {**ENV, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    # The journal goes where a trainee's would (in ``folder``), not the test run's shared one,
    # so no other test's unfinished play is carried on here.
    env.pop("COPRODUCTION_JOURNAL", None)
    log_path = home / "app.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([str(BIN / "coproduction"), "app", module, "--folder", str(folder),
                             "--port", str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text())
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the app did not start:\n" + log_path.read_text())
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
