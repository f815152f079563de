"""The Kubernetes hub's settings, loaded with the versions chart 4.4.0 runs, without a cluster.

tests/k8s_sim.py applies values.yaml as the chart does, runs its hub.extraConfig
under JupyterHub 5.5.0, and builds the pods KubeSpawner 7.0.0 would start for two
trainees. It runs in .venv-k8s (`make k8s-sim-env`, a prerequisite of `make test`),
because the project's own hub pins JupyterHub 6.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from conftest import ROOT

K8S = ROOT / "hub" / "kubernetes"
SIM_PYTHON = ROOT / ".venv-k8s" / "bin" / "python"
IMAGE = """
singleuser:
  image:
    name: registry.example.org/coproduction-toolkit-singleuser
    tag: abc1234
"""
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sim_env():
    """.venv-k8s, built here if `make test` has not built it already."""
    if not (ROOT / ".venv-k8s" / ".installed-stamp").exists():
        built = subprocess.run(["make", "-s", "k8s-sim-env"], cwd=ROOT, capture_output=True,
                               text=True)
        if built.returncode != 0:
            if "No matching distribution" in built.stderr or "connection" in built.stderr.lower():
                pytest.skip("pip could not reach PyPI to build .venv-k8s: " + built.stderr[-300:])
            raise AssertionError(built.stdout + built.stderr)
    return SIM_PYTHON


def _sim(sim_env, tmp_path, *overlays: str, sign_in=True) -> dict:
    files = [K8S / "values.yaml"]
    if sign_in:
        files.append(K8S / "sign-in.example.yaml")
    for n, text in enumerate(overlays):
        path = tmp_path / f"overlay{n}.yaml"
        path.write_text(text)
        files.append(path)
    out = subprocess.run([sim_env, ROOT / "tests" / "k8s_sim.py", *files], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def hub(sim_env, tmp_path_factory):
    """The simulated hub with the example sign-in and an image, as README.md installs it."""
    return _sim(sim_env, tmp_path_factory.mktemp("sim"), IMAGE)


def _pod(hub, name):
    return hub["trainees"][name]["pod"]


def test_the_simulation_runs_the_versions_the_chart_ships(sim_env):
    pins = dict(line.split("==") for line in (K8S / "sim-requirements.txt").read_text().split()
                if "==" in line)
    out = subprocess.run([sim_env, "-c", "import importlib.metadata as m, json; print(json.dumps("
                          "{n: m.version(n) for n in ['jupyterhub', 'jupyterhub-kubespawner']}))"],
                         capture_output=True, text=True)
    versions = json.loads(out.stdout)
    assert versions == {"jupyterhub": "5.5.0", "jupyterhub-kubespawner": "7.0.0"}
    assert pins["jupyterhub"] == versions["jupyterhub"]
    for text in ((K8S / "values.yaml").read_text(), (K8S / "README.md").read_text()):
        assert "--version 4.4.0" in text


def test_each_trainee_runs_under_their_own_user_id(hub):
    ada, bo = (_pod(hub, n)["spec"] for n in ("ada", "bo"))
    ids = [p["containers"][0]["securityContext"]["runAsUser"] for p in (ada, bo)]
    assert ids == [100001, 100002]  # 100000 + the hub's user id
    for spec in (ada, bo):
        assert spec["containers"][0]["securityContext"]["runAsGroup"] == 100
        assert spec["containers"][0]["securityContext"]["allowPrivilegeEscalation"] is False
        # group 0 lets the image's start script write the passwd entry nbgrader needs
        assert spec["securityContext"]["supplementalGroups"] == [0]
        # the home is made group-writable only when it is not yet: no walk at each start
        assert spec["securityContext"]["fsGroup"] == 100
        assert spec["securityContext"]["fsGroupChangePolicy"] == "OnRootMismatch"


def test_each_trainee_has_their_own_home_and_the_shared_exchange(hub):
    claims = {}
    for name in ("ada", "bo"):
        spec = _pod(hub, name)["spec"]
        volumes = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in spec["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in spec["containers"][0]["volumeMounts"]}
        assert volumes[mounts["/srv/nbgrader/exchange"]] == "nbgrader-exchange"
        claims[name] = volumes[mounts["/home/jovyan"]]
        claim = hub["trainees"][name]["claim"]
        assert claim["metadata"]["name"] == claims[name]
        assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
        assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert claims == {"ada": "claim-ada", "bo": "claim-bo"}


def test_limits_image_command_and_start_page(hub):
    container = _pod(hub, "ada")["spec"]["containers"][0]
    mib = 1024 * 1024
    assert container["resources"] == {"limits": {"cpu": 1.0, "memory": 512 * mib},
                                      "requests": {"cpu": 0.05, "memory": 256 * mib}}
    assert container["image"] == "registry.example.org/coproduction-toolkit-singleuser:abc1234"
    # args, so the image's tini and start script still run first
    assert container["args"] == ["jupyterhub-singleuser"] and "command" not in container
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["JUPYTER_CONFIG_PATH"] == "/opt/coproduction/etc/jupyter-trainee"
    one_machine = re.search(r'^c\.Spawner\.default_url = "([^"]+)"',
                            (ROOT / "hub" / "jupyterhub_config.py").read_text(), re.M).group(1)
    assert hub["default_url"] == env["JUPYTERHUB_DEFAULT_URL"] == one_machine
    assert container["lifecycle"]["postStart"]["exec"]["command"][0] == "sh"


def test_only_accounts_sign_in_and_never_as_the_grader(hub):
    assert hub["sign_in"] == {
        "class": "AzureAdOAuthenticator", "allow_all": False, "allow_existing_users": True,
        "manage_groups": False, "stranger_allowed": False, "trainee_allowed": True,
        "grader_refused": True, "trainee_refused": False}


def test_the_formgrader_service_may_read_what_nbgrader_asks_for(hub):
    roles = {r["name"]: r for r in hub["roles"]}
    formgrader = roles["formgrader-coproduction"]
    assert formgrader["services"] == ["coproduction"]
    # GET /users/<name> (courses), GET /groups, POST/DELETE /groups/nbgrader-<course>/users
    assert {"read:users", "list:users", "list:groups",
            "groups!group=nbgrader-coproduction"} <= set(formgrader["scopes"])
    assert hub["groups"]["formgrade-coproduction"]["users"] == ["grader-coproduction"]
    assert roles["formgrade-coproduction"]["groups"] == ["formgrade-coproduction"]
    services = {s["name"]: s for s in hub["services"]}
    assert services["coproduction"]["url"] == "http://formgrader-coproduction:8888"
    assert "read:users:groups!user" in hub["server_token_scopes"]


@pytest.mark.parametrize("overlay, says", [
    ("", "'dummy' is DummyAuthenticator"),
    ("hub:\n  config:\n    JupyterHub:\n      authenticator_class: shared-password\n",
     "SharedPasswordAuthenticator"),
    ("hub:\n  config:\n    JupyterHub:\n      authenticator_class: pam\n", "PAMAuthenticator"),
    ("hub:\n  config:\n    JupyterHub:\n      authenticator_class: nosuch.Authenticator\n",
     "is not installed"),
    ("hub:\n  config:\n    DummyAuthenticator:\n      password: x\n"
     "    JupyterHub:\n      authenticator_class: jupyterhub.auth.DummyAuthenticator\n",
     "DummyAuthenticator"),
])
def test_the_hub_refuses_to_start_without_a_real_sign_in(sim_env, tmp_path, overlay, says):
    result = _sim(sim_env, tmp_path, IMAGE, overlay, sign_in=bool(overlay))
    assert says in result.get("refused", ""), result.get("refused")
    assert "hub/kubernetes/README.md" in result["refused"]


@pytest.mark.parametrize("overlay, says", [
    ("hub:\n  config:\n    AzureAdOAuthenticator:\n      allow_all: true\n",
     "AzureAdOAuthenticator.allow_all is true"),
    ("hub:\n  config:\n    Authenticator:\n      allow_all: true\n",
     "Authenticator.allow_all is true"),
    ("hub:\n  config:\n    Authenticator:\n      allow_all: null\n",
     "allow_all must be false"),
])
def test_the_hub_refuses_to_start_if_anything_lets_every_name_in(sim_env, tmp_path, overlay,
                                                                 says):
    result = _sim(sim_env, tmp_path, IMAGE, overlay)
    assert says in result.get("refused", ""), result


def test_the_hub_refuses_to_start_with_the_charts_sample_image(sim_env, tmp_path):
    result = _sim(sim_env, tmp_path)
    assert "the trainees' image is not set" in result.get("refused", ""), result
