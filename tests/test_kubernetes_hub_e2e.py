"""The Kubernetes values' hub, for real, on 127.0.0.1: JupyterHub 5.5.0 (as chart 4.4.0
runs it) with the values' sign-in settings, groups, services, roles and hub.extraConfig
(tests/k8s_hub_config.py), the formgrader as the hub's service with the grader account
of formgrader.yaml, and nbgrader's exchange used under per-trainee user ids.

Shown here: a name with no account cannot sign in, nor can anyone as the grader; the
formgrader answers a trainer, nbgrader finds its course through the hub with the
service's token, and a trainee is refused; with a user id each, a trainee cannot list
the exchange's submissions, while with the one shared id the old values used they can.
Needs root (to run as other user ids), setpriv, and npm for the proxy.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT

SIM = ROOT / ".venv-k8s"
HUB_ENV = Path(os.environ.get("COPRODUCTION_HUB_ENV", "/opt/coproduction"))
NEEDS = {"root": os.geteuid() == 0, "setpriv": bool(shutil.which("setpriv")),
         "unshare": bool(shutil.which("unshare")),
         "npm": bool(shutil.which("npm"))}
MISSING = [name for name, ok in NEEDS.items() if not ok]
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}")]
GRADER_UID, TRAINEE_GID = 1000, 100
KEEP_LOG = False


def _formgrader_command(port: int, hub_port: int, token: str, course: Path):
    """formgrader.yaml's container, as a process here: its own arguments and environment,
    with the cluster's addresses, the Secret and the volume replaced by this machine's."""
    from ruamel.yaml import YAML

    docs = YAML(typ="safe").load_all((ROOT / "hub" / "kubernetes" / "formgrader.yaml").read_text())
    [deployment] = [d for d in docs if d and d["kind"] == "Deployment"]
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    env = {}
    for item in container["env"]:
        if "valueFrom" in item:
            ref = item["valueFrom"]["secretKeyRef"]
            assert (ref["name"], ref["key"]) == ("hub", "hub.services.coproduction.apiToken")
            env[item["name"]] = token
        else:
            env[item["name"]] = item["value"]
    assert env["JUPYTERHUB_API_URL"] == "http://hub:8081/hub/api"
    env["JUPYTERHUB_API_URL"] = f"http://127.0.0.1:{hub_port}/hub/api"
    env["JUPYTERHUB_SERVICE_URL"] = f"http://127.0.0.1:{port}"
    args = [a.replace("/home/grader/course", str(course)) for a in container["args"]]
    assert args[0] == "jupyterhub-singleuser"
    # the test runs as root; in the cluster the formgrader is user 1000
    command = [SIM / "bin" / args[0], *args[1:], "--ServerApp.allow_root=True"]
    return command, {"PATH": f"{SIM / 'bin'}:/usr/bin:/bin", "HOME": str(course.parent), **env}


def _run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)


def _free_port_block(size: int = 8) -> int:
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


class Hub:
    def __init__(self, url, token, password, exchange, course):
        self.url, self.token, self.password = url, token, password
        self.exchange, self.course = exchange, course

    def api(self, method, path, token=None, **kw):
        import requests

        return requests.request(method, f"{self.url}/hub/api{path}", timeout=60,
                                headers={"Authorization": f"token {token or self.token}"}, **kw)

    def sign_in(self, name, password=None):
        """A browser's session after the hub's sign-in form, and the form's answer."""
        import requests

        session = requests.Session()
        session.get(f"{self.url}/hub/login", timeout=60)
        answer = session.post(f"{self.url}/hub/login", timeout=60, allow_redirects=False,
                              data={"username": name, "password": password or self.password,
                                    "_xsrf": session.cookies.get("_xsrf", "")})
        return session, answer


@pytest.fixture(scope="module")
def hub():
    if not (SIM / ".installed-stamp").exists():
        built = _run("make", "-s", "k8s-sim-env", cwd=ROOT)
        assert built.returncode == 0, built.stdout + built.stderr
    built = _run("make", "-s", "hub-env", "hub-proxy", f"HUB_ENV={HUB_ENV}", cwd=ROOT)
    assert built.returncode == 0, built.stdout + built.stderr
    # Not under the test's temporary folder: other user ids must be able to reach it.
    base = Path(f"/srv/coproduction-k8s-e2e-{secrets.token_hex(3)}")
    base.mkdir(parents=True, mode=0o755)
    state, course, exchange = base / "state", base / "grader" / "course", base / "exchange"
    for folder in (state, course, exchange):
        folder.mkdir(parents=True)
    # The exchange's top folder as formgrader.yaml's first container leaves it.
    os.chown(exchange, GRADER_UID, TRAINEE_GID)
    exchange.chmod(0o3777)
    # What the image's /etc/jupyter/nbgrader_config.py and the course folder's give it.
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'coproduction'\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "c.Authenticator.plugin_class = 'nbgrader.auth.JupyterHubAuthPlugin'\n")
    port, token, password = _free_port_block(), secrets.token_hex(16), secrets.token_hex(8)
    env = {**os.environ, "K8S_E2E_STATE": str(state), "K8S_E2E_PORT": str(port),
           "K8S_E2E_COURSE": str(course), "K8S_E2E_PASSWORD": password,
           "K8S_E2E_TOKEN": token,
           "K8S_E2E_PROXY": str(ROOT / "hub" / "node_modules" / ".bin" /
                                "configurable-http-proxy")}
    log = open(base / "hub.log", "w")
    formgrader = None
    config = ROOT / "tests" / "k8s_hub_config.py"
    proc = subprocess.Popen([SIM / "bin" / "jupyterhub", "-f", config],
                            cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    state_ = Hub(f"http://127.0.0.1:{port}", f"{token}-cohort-admin", password, exchange, course)
    state_.service_token = f"{token}-coproduction"
    state_.log = base / "hub.log"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if state_.api("GET", "/").status_code == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, state_.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the hub did not start"
            time.sleep(0.5)
        command, fg_env = _formgrader_command(port + 5, port + 1, state_.service_token, course)
        formgrader = subprocess.Popen([str(a) for a in command], cwd=course, env=fg_env,
                                      stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        # IT's script, as README.md step 6 does it: accounts, then the course groups.
        made = state_.api("POST", "/users", json={"usernames": ["tess", "ada", "bo"]})
        assert made.status_code == 201, made.text
        for group, users in (("nbgrader-coproduction", ["ada", "bo"]),
                             ("formgrade-coproduction", ["tess"])):
            added = state_.api("POST", f"/groups/{group}/users", json={"users": users})
            assert added.status_code == 200, added.text
        yield state_
    finally:
        for running in (formgrader, proc):
            if running is None:
                continue
            try:
                os.killpg(running.pid, signal.SIGTERM)
                running.wait(30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                if running.poll() is None:
                    os.killpg(running.pid, signal.SIGKILL)
        log.close()
        shutil.copy(base / "hub.log", "/tmp/k8s-e2e-last-hub.log") if KEEP_LOG else None
        shutil.rmtree(base, ignore_errors=True)


def test_only_accounts_sign_in(hub):
    _, stranger = hub.sign_in("stranger")
    assert stranger.status_code == 403, stranger.status_code
    _, grader = hub.sign_in("grader-coproduction")
    assert grader.status_code == 403, grader.status_code
    _, wrong = hub.sign_in("ada", "not-the-password")
    assert wrong.status_code == 403
    _, ada = hub.sign_in("ada")
    assert ada.status_code == 302, ada.text[-500:]
    # the stranger was not made an account by trying
    assert hub.api("GET", "/users/stranger").status_code == 404


def test_nbgrader_finds_the_course_with_the_formgraders_token(hub):
    code = ("from nbgrader.auth.jupyterhub import JupyterHubAuthPlugin as P; "
            "import json; print(json.dumps(sorted(P().get_student_courses('*'))))")
    env = {**os.environ, "JUPYTERHUB_USER": "grader-coproduction",
           "JUPYTERHUB_API_TOKEN": hub.service_token,
           "JUPYTERHUB_API_URL": hub.url.rsplit(":", 1)[0] + ":"
           + str(int(hub.url.rsplit(":", 1)[1]) + 1) + "/hub/api"}
    found = _run(SIM / "bin" / "python", "-c", code, env=env)
    assert found.returncode == 0, found.stderr[-2000:]
    assert json.loads(found.stdout) == ["coproduction"]


def _formgrader(session, hub):
    return session.get(f"{hub.url}/services/coproduction/formgrader/api/assignments",
                       timeout=120)


def test_the_formgrader_answers_a_trainer_and_refuses_a_trainee(hub):
    deadline = time.monotonic() + 90
    tess, _ = hub.sign_in("tess")
    while (answer := _formgrader(tess, hub)).status_code in (502, 503):
        assert time.monotonic() < deadline, hub.log.read_text()[-3000:]
        time.sleep(1)
    assert answer.status_code == 200, answer.text[-1000:]
    assert answer.json() == [] or isinstance(answer.json(), list)
    assert "JupyterhubApiError" not in hub.log.read_text()
    ada, _ = hub.sign_in("ada")
    assert _formgrader(ada, hub).status_code == 403


def _in_pod(uid, home, *command, groups="0,100"):
    """``command`` as in a trainee's pod: user ``uid``, group 100, groups 0 and 100 (the
    pod's supplemental and fs groups), and the passwd entry the image's start script
    writes for an unknown user id (jovyan, with that id), seen only by this process."""
    passwd = home.parent / f"passwd-{uid}"
    passwd.write_text(Path("/etc/passwd").read_text()
                      + f"jovyan:x:{uid}:{TRAINEE_GID}::{home}:/bin/bash\n")
    # a private mount namespace: the host's own /etc/passwd is never changed
    return _run("unshare", "--mount", "--", "sh", "-c",
                'p="$1"; u="$2"; g="$3"; s="$4"; shift 4; mount --bind "$p" /etc/passwd && '
                'exec setpriv --reuid="$u" --regid="$g" --groups="$s" -- "$@"',
                "sh", passwd, uid, TRAINEE_GID, groups, *command, cwd=home,
                env={"PATH": f"{HUB_ENV / 'bin'}:/usr/bin:/bin", "HOME": str(home)})


def _as(uid, gid, user, home, *args):
    """nbgrader as trainee ``user`` runs it in their server (JUPYTERHUB_USER names them)."""
    return _in_pod(uid, home, "env", f"JUPYTERHUB_USER={user}", HUB_ENV / "bin" / "nbgrader",
                   *args, "--course", "coproduction",
                   f"--Exchange.root={home.parent.parent / 'exchange'}",
                   "--Authenticator.plugin_class=nbgrader.auth.NoAuthPlugin")


def test_a_trainee_cannot_list_or_read_another_trainees_submission(hub):
    import nbformat

    base = hub.exchange.parent
    release = hub.course / "release" / "a1"
    release.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Hi")]),
                   release / "a1.ipynb")
    for path in [hub.course.parent, *hub.course.parent.rglob("*")]:
        os.chown(path, GRADER_UID, TRAINEE_GID)
    # the grader (user 1000, as in formgrader.yaml) releases
    released = _run("setpriv", f"--reuid={GRADER_UID}", f"--regid={TRAINEE_GID}",
                    "--clear-groups", "--", HUB_ENV / "bin" / "nbgrader", "release_assignment",
                    "a1", f"--Exchange.root={hub.exchange}",
                    "--Authenticator.plugin_class=nbgrader.auth.NoAuthPlugin",
                    cwd=hub.course, env={"PATH": "/usr/bin:/bin", "HOME": str(hub.course.parent)})
    assert released.returncode == 0, released.stdout + released.stderr
    homes = {}
    for user, uid in (("ada", 100001), ("bo", 100002)):
        homes[user] = base / "homes" / user
        homes[user].mkdir(parents=True)
        os.chown(homes[user], uid, TRAINEE_GID)
        fetched = _as(uid, TRAINEE_GID, user, homes[user], "fetch_assignment", "a1")
        assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    submitted = _as(100001, TRAINEE_GID, "ada", homes["ada"], "submit", "a1")
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    inbound = hub.exchange / "coproduction" / "inbound"
    [ada_submission] = list(inbound.glob("ada+a1+*"))
    assert ada_submission.stat().st_uid == 100001
    # bo, under his own id, cannot see what is in the inbound folder
    peek = _as(100002, TRAINEE_GID, "bo", homes["bo"], "list", "--inbound")
    assert "ada+a1" not in peek.stdout + peek.stderr
    listing = _in_pod(100002, homes["bo"], "ls", inbound)
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    # nbgrader leaves the submission folder itself open (mode 777) so the grader can
    # remove it: what keeps it from other trainees is that its name, with a random
    # part, cannot be listed. That part of the name is there:
    assert len(ada_submission.name.rsplit("+", 1)[1]) >= 12
    # With the one shared id of the old values (every server user 1000, the inbound
    # folder's owner), the same look shows every submission: what per-trainee ids fix.
    shared = _run("setpriv", f"--reuid={GRADER_UID}", f"--regid={TRAINEE_GID}",
                  "--clear-groups", "--", "ls", inbound)
    assert ada_submission.name in shared.stdout
