"""The course with the network gone: every module notebook and a whole grading run.

Everything runs inside a new network namespace (``unshare``) in which only
loopback is up, as on a laptop with no wifi. On top of that, every Python
process started there carries an audit hook (Python's own ``sys.addaudithook``)
that writes down any attempt to reach an address other than this machine, so
an attempt that fails quietly, or is caught by the code that made it, still
fails the test. A control run proves the hook sees such an attempt.
"""

from __future__ import annotations

import ast
import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent

# Loaded by every Python process through PYTHONPATH: notes each attempt to reach
# another machine (a connection, a datagram, a name lookup) in the log file.
SITECUSTOMIZE = '''
import os, sys

_LOG = os.environ.get("COPRODUCTION_NET_LOG")
_LOCAL_NAMES = {None, "", "localhost", "127.0.0.1", "::1", "0.0.0.0", "ip6-localhost"}


def _local(host):
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    return host in _LOCAL_NAMES or str(host).startswith("127.")


def _note(what):
    with open(_LOG, "a") as log:
        log.write(what + "\\n")


def _hook(event, args):
    if event in ("socket.connect", "socket.sendto"):
        address = args[1]
        if isinstance(address, tuple) and not _local(address[0]):
            _note(f"{event} {address!r} from {sys.argv[:2]!r}")
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        if args and not _local(args[0]):
            _note(f"{event} {args[0]!r} from {sys.argv[:2]!r}")


if _LOG:
    sys.addaudithook(_hook)
'''

# Run inside the namespace: bring loopback up (a new namespace starts with it
# down), then do what a trainee and a trainer do, offline.
DRIVER = '''
import fcntl, json, socket, struct, subprocess, sys
from pathlib import Path

SIOCSIFFLAGS, IFF_UP = 0x8914, 0x1
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", IFF_UP))

plan = json.loads(sys.argv[1])
results = {}
for name, argv, cwd in plan:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=900)
    results[name] = [done.returncode, done.stdout[-3000:], done.stderr[-3000:]]
print(json.dumps(results))
'''


def _namespace_works() -> str | None:
    if shutil.which("unshare") is None:
        return "the unshare program is not installed"
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, text=True)
    if probe.returncode:
        return f"this machine does not allow a network namespace ({probe.stderr.strip()})"
    return None


def _offline(tmp: Path, plan: list) -> tuple[dict, list[str]]:
    hooks = tmp / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp / "network-attempts.log"
    log.write_text("")
    env = {**os.environ, "PYTHONPATH": str(hooks), "COPRODUCTION_NET_LOG": str(log),
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "HOME": str(tmp / "home"), "JUPYTER_PLATFORM_DIRS": "1"}
    (tmp / "home").mkdir()
    driver = tmp / "driver.py"
    driver.write_text(DRIVER)
    done = subprocess.run(["unshare", "-rn", sys.executable, str(driver), json.dumps(plan)],
                          env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), log.read_text().splitlines()


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory):
    reason = _namespace_works()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("offline")
    course = tmp / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    out = tmp / "executed"
    modules = sorted((ROOT / "modules").glob("*.ipynb"))
    plan = [[f"module {nb.name}",
             [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", str(nb),
              "--output-dir", str(out), "--ExecutePreprocessor.timeout=600"], str(ROOT)]
            for nb in modules]
    coproduction = str(BIN / "coproduction")
    plan += [["release", [coproduction, "release", "01-origins"], str(course)],
             ["cohort", [coproduction, "cohort", "01-origins", "--size", "4"], str(course)],
             ["autograde", [coproduction, "autograde", "01-origins", "--quiet"], str(course)],
             ["report", [coproduction, "report", "01-origins"], str(course)],
             # The control: an attempt to reach another machine, caught by the code that
             # made it, must still be noted.
             ["control", [sys.executable, "-c",
                          "import socket\ntry:\n socket.create_connection(('192.0.2.1', 80), 2)\n"
                          "except OSError as e:\n print('refused', e)"], str(tmp)]]
    results, attempts = _offline(tmp, plan)
    return {"results": results, "attempts": attempts, "modules": modules, "course": course}


def test_every_module_runs_with_no_network(offline_run):
    for nb in offline_run["modules"]:
        code, _, err = offline_run["results"][f"module {nb.name}"]
        assert code == 0, (nb.name, err)


def test_a_whole_grading_run_works_with_no_network(offline_run):
    results = offline_run["results"]
    for step in ("release", "cohort", "report"):
        assert results[step][0] == 0, (step, results[step][1], results[step][2])
    # The practice cohort holds broken submissions; as with nbgrader, a run in which any
    # submission failed ends with exit status 1, and the others are still graded.
    code, said, _ = results["autograde"]
    failed = int(re.search(r"(\d+) failed", said).group(1))
    assert failed > 0 and code == 1 and re.search(r"\d+ graded", said), said
    assert (offline_run["course"] / "reports" / "01-origins" / "grading-log.csv").is_file()


def test_nothing_tries_to_reach_another_machine(offline_run):
    real = [line for line in offline_run["attempts"] if "192.0.2.1" not in line]
    assert real == [], "\n".join(real)


def test_the_control_attempt_is_seen(offline_run):
    """The hook works: the one deliberate attempt is noted, and it failed."""
    assert "refused" in offline_run["results"]["control"][1]
    assert any("192.0.2.1" in line for line in offline_run["attempts"])


def test_driver_brings_up_only_loopback():
    """The namespace has loopback and nothing else (checked where it can be)."""
    reason = _namespace_works()
    if reason:
        pytest.skip(reason)
    listing = subprocess.run(["unshare", "-rn", sys.executable, "-c",
                              "import socket; print([n for _, n in socket.if_nameindex()])"],
                             capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    assert ast.literal_eval(listing.stdout.strip()) == ["lo"]
