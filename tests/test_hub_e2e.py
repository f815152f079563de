"""A real JupyterHub on 127.0.0.1, real Unix accounts, the whole cycle of an assignment.

The trainer releases Assignment 1 from the course's formgrader service; three
trainees fetch it in their own servers, answer (right, partly, blank) and
submit; one tries to read another's submission and is refused; one hands in
under another's name and one hands in a link to the grader's solutions, and
collect refuses both; the trainer collects, grades and releases feedback;
each trainee fetches their own. Then twenty trainees submit at the same
moment and every submission arrives.

Needs root (accounts, LocalProcessSpawner), the system's Python with venv,
and npm; CI has all three. The hub, its servers and every account it made are
removed at the end, whatever happens.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import ROOT
from grading_helpers import auto_points

HUB_ENV = Path(os.environ.get("COPRODUCTION_HUB_ENV", "/opt/coproduction"))
RUNUSER = shutil.which("runuser") or "runuser"
BIN = Path(sys.executable).parent
ASSIGNMENT = "01-origins"
NEEDS = {"root": os.geteuid() == 0, "useradd": bool(shutil.which("useradd")),
         "npm": bool(shutil.which("npm")), "runuser": bool(shutil.which("runuser")),
         "python3-venv": subprocess.run(["/usr/bin/python3", "-c", "import ensurepip"],
                                        capture_output=True).returncode == 0}
MISSING = [name for name, ok in NEEDS.items() if not ok]
if MISSING and os.environ.get("CI"):
    raise RuntimeError(f"the hub test needs {', '.join(MISSING)} in CI (.ci/run installs them)")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}")]


def _free_port_block(size: int = 16) -> int:
    """A port with the next ``size`` ports free as well (the hub uses several)."""
    for _ in range(200):
        base = secrets.randbelow(20000) + 20000
        try:
            for port in range(base, base + size):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports")


@dataclass
class Hub:
    url: str
    token: str
    course: str
    exchange: Path
    trainer: str
    trainees: list[str]
    crowd: list[str]
    tokens: dict = field(default_factory=dict)

    def api(self, method, path, token=None, **kw):
        import requests

        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers,
                                timeout=60, **kw)

    def token_for(self, user: str) -> str:
        if user not in self.tokens:
            r = self.api("POST", f"/users/{user}/tokens", json={"note": "end-to-end test"})
            assert r.status_code == 201, r.text
            self.tokens[user] = r.json()["token"]
        return self.tokens[user]

    def start(self, user: str) -> None:
        r = self.api("POST", f"/users/{user}/server")
        assert r.status_code in (201, 202), r.text
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            server = self.api("GET", f"/users/{user}").json()["servers"].get("", {})
            if server.get("ready"):
                return
            time.sleep(0.5)
        raise AssertionError(f"{user}'s server did not start")

    def as_user(self, user, method, path, **kw):
        import requests

        headers = {"Authorization": f"token {self.token_for(user)}"}
        return requests.request(method, f"{self.url}/user/{user}/{path}", headers=headers,
                                timeout=120, **kw)

    def formgrader(self, method, path, **kw):
        import requests

        headers = {"Authorization": f"token {self.token_for(self.trainer)}"}
        return requests.request(method, f"{self.url}/services/{self.course}/formgrader/api/{path}",
                                headers=headers, timeout=300, **kw)

    def nbgrader(self, user, *args, barrier=None):
        """Run nbgrader's command line as ``user``, in their home, as their own terminal would."""
        home = pwd.getpwnam(user).pw_dir
        port = int(self.url.rsplit(":", 1)[1]) + 1
        env = {"PATH": f"{HUB_ENV / 'bin'}:/usr/bin:/bin", "HOME": home,
               "COPRODUCTION_EXCHANGE": str(self.exchange),
               "JUPYTERHUB_API_URL": f"{self.url.rsplit(':', 1)[0]}:{port}/hub/api",
               "JUPYTERHUB_USER": user, "JUPYTERHUB_API_TOKEN": self.token_for(user)}
        if barrier is not None:
            barrier.wait(60)
        return _run(RUNUSER, "-u", user, "--", HUB_ENV / "bin" / "nbgrader", *args,
                    "--course", self.course, cwd=home, env=env)


def _ok(response) -> dict:
    assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    body = response.json()
    if isinstance(body, dict) and "success" in body:
        assert body["success"], body.get("error") or body.get("log") or body
    return body


def _run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def hub():
    built = _run("make", "-s", "hub-env", "hub-proxy", f"HUB_ENV={HUB_ENV}", cwd=ROOT)
    assert built.returncode == 0, built.stdout + built.stderr
    tag = secrets.token_hex(3)
    course, prefix = f"e2e{tag}", f"e{tag}"
    trainer, trainees = f"{prefix}-tr", [f"{prefix}-t{n}" for n in (1, 2, 3)]
    crowd = [f"{prefix}-s{n:02d}" for n in range(1, 21)]
    base = Path(f"/srv/coproduction-e2e-{tag}")
    base.mkdir(parents=True, mode=0o755)
    # The hub's state folder already there and open to all: the hub must close it.
    (base / "state").mkdir(mode=0o755)
    cohort = base / "cohort.csv"
    cohort.write_text("username,role\n" + f"{trainer},trainer\n" +
                      "".join(f"{u},trainee\n" for u in trainees + crowd))
    port = _free_port_block()
    admin = secrets.token_hex(16)
    env = {**os.environ, "COPRODUCTION_HUB_ENV": str(HUB_ENV),
           "COPRODUCTION_HUB_STATE": str(base / "state"),
           "COPRODUCTION_EXCHANGE": str(base / "exchange"), "COPRODUCTION_HUB_PORT": str(port),
           "COPRODUCTION_HUB_AUTH": "demo", "COPRODUCTION_HUB_ADMIN_TOKEN": admin}
    proc = None
    log = open(base / "hub.log", "w")
    try:
        made = _run(BIN / "coproduction", "hub", "accounts", cohort, "--course-id", course)
        assert made.returncode == 0, made.stderr
        set_up = _run(BIN / "coproduction", "hub", "course", "--course-id", course,
                      "--source", ROOT, "--env", HUB_ENV)
        assert set_up.returncode == 0, set_up.stderr
        proc = subprocess.Popen([BIN / "jupyterhub", "-f", ROOT / "hub" / "jupyterhub_config.py"],
                                cwd=base, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        state = Hub(f"http://127.0.0.1:{port}", admin, course, base / "exchange", trainer,
                    trainees, crowd)
        deadline = time.monotonic() + 120
        while True:
            try:
                if state.api("GET", "/").status_code == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, (base / "hub.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the hub did not start"
            time.sleep(0.5)
        # the formgrader service takes a moment longer than the hub
        deadline = time.monotonic() + 60
        while state.formgrader("GET", "assignments").status_code != 200:
            assert time.monotonic() < deadline, (base / "hub.log").read_text()[-3000:]
            time.sleep(1)
        yield state
    finally:
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        people = [trainer, *trainees, *crowd, f"grader-{course}"]
        for user in people:
            _run("pkill", "-KILL", "-u", user)
        for user in people:
            _run("userdel", "--remove", user)
        for group in (f"nbgrader-{course}", f"formgrade-{course}"):
            _run("groupdel", group)
        shutil.rmtree(base, ignore_errors=True)


def _answered(kind: str, released: dict) -> dict:
    from coproduction.grading.cohort import make_notebook

    source = json.loads((ROOT / "solutions" / ASSIGNMENT / "origins.ipynb").read_text())
    return json.loads(make_notebook(kind, released, source))


def _inbound(hub: Hub, user: str) -> Path:
    [folder] = (hub.exchange / hub.course / "inbound").glob(f"{user}+{ASSIGNMENT}+*")
    return folder


def _nbgrader_time(later: float = 1.0) -> str:
    """A time as nbgrader's submit writes it, a little after now."""
    when = datetime.now(timezone.utc) + timedelta(seconds=later)
    return when.strftime("%Y-%m-%d %H:%M:%S.%f %Z")


def _hand_in_as(hub: Hub, user: str, victim: str) -> Path:
    """``user`` submits their own notebook under ``victim``'s name; the folder it made."""
    inbound = hub.exchange / hub.course / "inbound"
    before = set(inbound.glob(f"{victim}+{ASSIGNMENT}+*"))
    time.sleep(1)  # so it is newer than anything the victim handed in
    cheat = hub.nbgrader(user, "submit", ASSIGNMENT, "--student", victim,
                         "--Authenticator.plugin_class=nbgrader.auth.NoAuthPlugin")
    assert cheat.returncode == 0, cheat.stdout + cheat.stderr
    [forged] = set(inbound.glob(f"{victim}+{ASSIGNMENT}+*")) - before
    assert forged.stat().st_uid == pwd.getpwnam(user).pw_uid
    return forged


def test_whole_cycle(hub):
    # The trainer releases Assignment 1 from the course's formgrader.
    assignments = _ok(hub.formgrader("GET", "assignments"))
    # the formgrader knows every assignment of the course
    assert [a["name"] for a in assignments] == sorted(
        p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    _ok(hub.formgrader("POST", f"assignment/{ASSIGNMENT}/release"))

    # Each trainee: own server, course delivered, fetch, answer, submit.
    for user, kind in zip(hub.trainees, ("correct", "partial", "blank")):
        hub.start(user)
        modules = hub.as_user(user, "GET", "api/contents/coproduction/modules").json()
        names = [item["name"] for item in modules["content"]]
        # the course map the hub opens first, and Module 1
        assert {"00-start-here.ipynb", "01-origins.ipynb"} <= set(names)
        # a trainee's own server has no formgrader: that is the trainers' service
        assert hub.as_user(user, "GET", "formgrader/api/assignments").status_code == 404
        _ok(hub.as_user(user, "POST", "assignments/fetch",
                        data={"assignment_id": ASSIGNMENT, "course_id": hub.course}))
        path = f"api/contents/{ASSIGNMENT}/origins.ipynb"
        released = hub.as_user(user, "GET", path).json()["content"]
        saved = hub.as_user(user, "PUT", path, json={"type": "notebook",
                                                     "content": _answered(kind, released)})
        assert saved.status_code == 200, saved.text
        _ok(hub.as_user(user, "POST", "assignments/submit",
                        data={"assignment_id": ASSIGNMENT, "course_id": hub.course}))

    # A trainee cannot find or read another trainee's submission. The folder of
    # submissions cannot be listed, and each one is named with a random part
    # (nbgrader's own scheme), so nothing can be reached by name or pattern.
    first, second = hub.trainees[0], hub.trainees[1]
    inbound = hub.exchange / hub.course / "inbound"
    listing = _run(RUNUSER, "-u", second, "--", "ls", inbound)
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    by_pattern = _run(RUNUSER, "-u", second, "--", "sh", "-c",
                      f"cat {inbound}/{first}+{ASSIGNMENT}+*/origins.ipynb")
    assert by_pattern.returncode != 0 and "No such file" in by_pattern.stderr
    random_part = _inbound(hub, first).name.rsplit("+", 1)[1]
    assert len(random_part) >= 12  # 72 random bits
    mine = hub.as_user(second, "GET", "assignments", params={"course_id": hub.course}).json()
    seen = {s["student_id"] for a in mine["value"] for s in a.get("submissions", [])}
    assert first not in json.dumps(mine) and seen <= {second}

    # Two trainees try to cheat before the trainer collects. The second hands in
    # under the first one's name (nbgrader's own submit, told another name and
    # to skip its course check, both of which a trainee controls); the third
    # puts a link to the grader's solutions into the exchange as their work.
    grader = pwd.getpwnam(f"grader-{hub.course}")
    course_dir = Path(grader.pw_dir) / "course"
    third = hub.trainees[2]
    forged = _hand_in_as(hub, second, first)
    solutions = course_dir / "solutions" / ASSIGNMENT / "origins.ipynb"
    assert solutions.is_file()
    stamp = _nbgrader_time()
    link = inbound / f"{third}+{ASSIGNMENT}+{stamp}+{secrets.token_urlsafe(9)}"
    made = _run(RUNUSER, "-u", third, "--", "sh", "-c",
                'mkdir "$1" && ln -s "$2" "$1/origins.ipynb" && '
                'printf %s "$3" > "$1/timestamp.txt"',
                "sh", link, solutions, stamp)
    assert made.returncode == 0, made.stderr
    assert (link / "origins.ipynb").is_symlink()

    # The trainer collects: both are refused, in words the trainer can read in
    # the formgrader, and each trainee's own work is collected instead.
    log = _ok(hub.formgrader("POST", f"assignment/{ASSIGNMENT}/collect"))["log"]
    assert (f"Refused a submission of '{ASSIGNMENT}' that claims to be from {first}: its "
            f"folder belongs to the account {second}, not to {first}") in log
    assert forged.name in log
    assert f"claims to be from {third}: 'origins.ipynb' is a link to {solutions}" in log
    submitted = course_dir / "submitted"
    for user in hub.trainees:
        own = Path(pwd.getpwnam(user).pw_dir) / ASSIGNMENT / "origins.ipynb"
        assert (submitted / user / ASSIGNMENT / "origins.ipynb").read_bytes() == own.read_bytes()
    assert solutions.read_bytes() != (submitted / third / ASSIGNMENT / "origins.ipynb").read_bytes()

    # Collecting again later (the formgrader always updates) leaves the first
    # trainee's collected work exactly as it was, though a newer forgery waits.
    collected = {p.name: p.read_bytes() for p in (submitted / first / ASSIGNMENT).iterdir()}
    _hand_in_as(hub, second, first)
    again = _ok(hub.formgrader("POST", f"assignment/{ASSIGNMENT}/collect"))["log"]
    assert f"its folder belongs to the account {second}" in again
    assert collected == {p.name: p.read_bytes() for p in (submitted / first / ASSIGNMENT).iterdir()}

    # The trainer grades (the command a trainer types in the formgrader's
    # terminal), then makes and releases feedback.
    graded = _run(RUNUSER, "-u", grader.pw_name, "--", HUB_ENV / "bin" / "coproduction",
                  "autograde", ASSIGNMENT, "--quiet", cwd=course_dir,
                  env={**os.environ, "HOME": grader.pw_dir,
                       "COPRODUCTION_EXCHANGE": str(hub.exchange)})
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "Graded 3 of 3 submission(s)" in graded.stdout
    scores = {s["student"]: s["score"] for s in
              _ok(hub.formgrader("GET", f"submissions/{ASSIGNMENT}"))}
    full = auto_points()
    assert full > 0 and scores[hub.trainees[0]] == full and scores[hub.trainees[2]] == 0.0
    assert 0 < scores[hub.trainees[1]] < full
    _ok(hub.formgrader("POST", f"assignment/{ASSIGNMENT}/generate_feedback"))
    _ok(hub.formgrader("POST", f"assignment/{ASSIGNMENT}/release_feedback"))

    # Each trainee fetches their own feedback, with their own score in it.
    for user in hub.trainees:
        _ok(hub.as_user(user, "POST", "assignments/fetch_feedback",
                        data={"assignment_id": ASSIGNMENT, "course_id": hub.course}))
        folder = hub.as_user(user, "GET", f"api/contents/{ASSIGNMENT}/feedback").json()
        [stamp] = [item["path"] for item in folder["content"]]
        page = hub.as_user(user, "GET", f"api/contents/{stamp}/origins.html").json()
        assert f"{scores[user]:g}" in page["content"] or str(scores[user]) in page["content"]
    for user in hub.trainees:
        assert hub.api("DELETE", f"/users/{user}/server").status_code in (202, 204)


def test_the_hubs_state_folder_is_private(hub):
    # It existed before the hub started, open to everyone (see the fixture).
    state = (hub.exchange.parent / "state").stat()
    assert (state.st_uid, stat.S_IMODE(state.st_mode)) == (0, 0o700)


def test_twenty_trainees_submit_at_the_same_moment(hub):
    as_trainee = hub.nbgrader
    with ThreadPoolExecutor(len(hub.crowd)) as pool:
        fetched = list(pool.map(lambda u: as_trainee(u, "fetch_assignment", ASSIGNMENT),
                                hub.crowd))
    assert all(r.returncode == 0 for r in fetched), [r.stderr[-500:] for r in fetched if r.returncode]
    barrier = threading.Barrier(len(hub.crowd))
    with ThreadPoolExecutor(len(hub.crowd)) as pool:
        submitted = list(pool.map(lambda u: as_trainee(u, "submit", ASSIGNMENT,
                                                        barrier=barrier), hub.crowd))
    assert all(r.returncode == 0 for r in submitted), [r.stderr[-500:] for r in submitted if r.returncode]
    arrived = {p.name.split("+")[0] for p in (hub.exchange / hub.course / "inbound").iterdir()}
    assert set(hub.crowd) <= arrived
    _ok(hub.formgrader("POST", f"assignment/{ASSIGNMENT}/collect"))
    course_dir = Path(pwd.getpwnam(f"grader-{hub.course}").pw_dir) / "course"
    collected = {p.name for p in (course_dir / "submitted").iterdir()
                 if (p / ASSIGNMENT / "origins.ipynb").is_file()}
    assert set(hub.crowd) <= collected
