"""The hub of hub/kubernetes/values.yaml as chart 4.4.0 would configure it, without a cluster.

Run with the Python of .venv-k8s (JupyterHub 5.5.0, KubeSpawner 7.0.0, oauthenticator,
as the chart's hub image ships them), never the project's own environment:

    .venv-k8s/bin/python tests/k8s_sim.py VALUES.yaml [MORE.yaml ...]

The values files are merged over the chart defaults this project relies on (as
``helm --values`` does: mappings merge, lists and numbers replace), applied to a
JupyterHub configuration the way the chart's own jupyterhub_config.py applies
those keys (singleuser.* to KubeSpawner, hub.config, hub.services, hub.loadRoles,
then each hub.extraConfig entry), and then:

- if the extraConfig refuses to start, prints {"refused": "<its message>"};
- otherwise builds a KubeSpawner for two trainees (hub user ids 1 and 2) against a
  stand-in API address nothing listens on (no request is made), and prints their
  pod and volume-claim manifests, the sign-in settings and what the authenticator
  says to a name with no account, plus the hub's services, roles and groups.

The chart's mapping is written out here for the keys values.yaml uses; it is not
the chart's own file, which needs a running cluster's Secrets and Services.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import sys
import tempfile
from types import SimpleNamespace

from jupyterhub.utils import maybe_future
from ruamel.yaml import YAML
from traitlets.config import Config

# The defaults of chart 4.4.0's values.yaml that matter here.
CHART_DEFAULTS = {
    "hub": {"config": {"JupyterHub": {"admin_access": True, "authenticator_class": "dummy"}},
            "services": {}, "loadRoles": {}, "extraConfig": {}},
    "singleuser": {
        "image": {"name": "quay.io/jupyterhub/k8s-singleuser-sample", "tag": "4.4.0",
                  "pullPolicy": None},
        "uid": 1000, "fsGid": 100, "cmd": "jupyterhub-singleuser", "defaultUrl": None,
        "startTimeout": 300, "allowPrivilegeEscalation": False, "extraEnv": {},
        "memory": {"limit": None, "guarantee": "1G"}, "cpu": {"limit": None, "guarantee": None},
        "storage": {"type": "dynamic", "capacity": "10Gi", "homeMountPath": "/home/jovyan",
                    "dynamic": {"storageClass": None, "pvcNameTemplate": "claim-{user_server}",
                                "volumeNameTemplate": "volume-{user_server}",
                                "storageAccessModes": ["ReadWriteOnce"]},
                    "extraVolumes": [], "extraVolumeMounts": []},
        "lifecycleHooks": None,
    },
    "cull": {"enabled": True, "timeout": 3600, "every": 600, "users": False},
    "scheduling": {"userScheduler": {"enabled": True}, "podPriority": {"enabled": False}},
}
RELEASE = "coproduction"
TRAINEES = [SimpleNamespace(id=1, name="ada"), SimpleNamespace(id=2, name="bo")]


def merge(base, over):
    """``over`` merged into ``base`` as Helm merges values files."""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return copy.deepcopy(over)
    out = copy.deepcopy(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge(out.get(key), value)
    return out


def _set(section, trait, value):
    if value is not None:
        section[trait] = value


def chart_config(values: dict) -> Config:
    """The JupyterHub configuration the chart makes from ``values`` (the keys used here)."""
    c = Config()
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    su = values["singleuser"]
    k = c.KubeSpawner
    for trait, value in [
        ("start_timeout", su.get("startTimeout")),
        ("image_pull_policy", su["image"].get("pullPolicy")),
        ("uid", su.get("uid")), ("fs_gid", su.get("fsGid")),
        ("lifecycle_hooks", su.get("lifecycleHooks")),
        ("mem_limit", su["memory"].get("limit")), ("mem_guarantee", su["memory"].get("guarantee")),
        ("cpu_limit", su["cpu"].get("limit")), ("cpu_guarantee", su["cpu"].get("guarantee")),
        ("environment", su.get("extraEnv") or None),
        ("allow_privilege_escalation", su.get("allowPrivilegeEscalation")),
    ]:
        _set(k, trait, value)
    image = su["image"]["name"]
    if su["image"].get("tag"):
        image = f"{image}:{su['image']['tag']}"
    k.image = image
    if values["scheduling"]["userScheduler"]["enabled"]:
        k.scheduler_name = f"{RELEASE}-user-scheduler"
    storage = su["storage"]
    k.volumes, k.volume_mounts = [], []
    if storage["type"] == "dynamic":
        dynamic = storage["dynamic"]
        k.pvc_name_template = dynamic["pvcNameTemplate"]
        k.storage_pvc_ensure = True
        _set(k, "storage_class", dynamic.get("storageClass"))
        _set(k, "storage_access_modes", dynamic.get("storageAccessModes"))
        _set(k, "storage_capacity", storage.get("capacity"))
        k.volumes = [{"name": dynamic["volumeNameTemplate"],
                      "persistentVolumeClaim": {"claimName": dynamic["pvcNameTemplate"]}}]
        k.volume_mounts = [{"mountPath": storage["homeMountPath"],
                            "name": dynamic["volumeNameTemplate"]}]
    k.volumes.extend(storage.get("extraVolumes") or [])
    k.volume_mounts.extend(storage.get("extraVolumeMounts") or [])
    _set(c.Spawner, "cmd", su.get("cmd"))
    _set(c.Spawner, "default_url", su.get("defaultUrl"))

    c.JupyterHub.services, c.JupyterHub.load_roles = [], []
    for name, service in (values["hub"].get("services") or {}).items():
        service = {"name": name, **service}
        # the chart generates a token for every service and keeps it in the hub Secret
        service["api_token"] = service.pop("apiToken", None) or f"generated-token-{name}"
        c.JupyterHub.services.append(service)
    for name, role in (values["hub"].get("loadRoles") or {}).items():
        c.JupyterHub.load_roles.append({"name": name, **role})
    cull = values["cull"]
    if cull["enabled"]:
        c.JupyterHub.services.append({"name": "hub-idle-culler", "command": [
            "python3", "-m", "jupyterhub_idle_culler", f"--timeout={cull['timeout']}",
            f"--cull-every={cull['every']}"]})
        c.JupyterHub.load_roles.append({
            "name": "hub-idle-culler", "services": ["hub-idle-culler"],
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]})
    for app, cfg in (values["hub"].get("config") or {}).items():
        c[app].update(cfg)
    return c


def run_extra_config(c: Config, values: dict) -> None:
    """Each hub.extraConfig entry in name order, as the chart runs them (after the rest)."""
    for name, code in sorted((values["hub"].get("extraConfig") or {}).items()):
        exec(compile(code, f"hub.extraConfig.{name}", "exec"), {"c": c})


def _stand_in_cluster() -> None:
    """A kube-config naming an API address nothing listens on: KubeSpawner reads it to set
    up its client, and making manifests sends nothing."""
    folder = tempfile.mkdtemp(prefix="k8s-sim-")
    path = os.path.join(folder, "kubeconfig")
    with open(path, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "Config", "current-context": "sim",
                   "clusters": [{"name": "sim", "cluster": {"server": "http://127.0.0.1:9"}}],
                   "users": [{"name": "sim", "user": {"token": "sim"}}],
                   "contexts": [{"name": "sim", "context": {"cluster": "sim", "user": "sim"}}]},
                  f)
    os.environ["KUBECONFIG"] = path
    os.environ.pop("KUBERNETES_SERVICE_HOST", None)


async def trainees_pods(c: Config) -> dict:
    """Each stand-in trainee's pod and claim, as KubeSpawner 7.0.0 makes them from ``c``."""
    from kubernetes_asyncio.client import ApiClient
    from kubespawner import KubeSpawner

    c = copy.deepcopy(c)
    hub = SimpleNamespace(public_host="", url="http://hub:8081/hub/", base_url="/",
                          api_url="http://hub:8081/hub/api")
    out = {}
    for trainee in TRAINEES:
        user = SimpleNamespace(id=trainee.id, name=trainee.name, url=f"/user/{trainee.name}/",
                               escaped_name=trainee.name)
        spawner = KubeSpawner(config=c, user=user, hub=hub, _mock=True)
        spawner.api_token = f"token-{trainee.name}"
        pod = await spawner.get_pod_manifest()
        claim = spawner.get_pvc_manifest()
        api = ApiClient()
        out[trainee.name] = {"pod": api.sanitize_for_serialization(pod),
                             "claim": api.sanitize_for_serialization(claim)}
        await api.close()
    return out


async def sign_in(c: Config) -> dict:
    """What the configured authenticator does with a stranger, a trainee and the grader."""
    from jupyterhub.app import JupyterHub

    hub = JupyterHub(config=c)
    auth = hub.authenticator_class(config=c)
    # The hub adds the accounts it has to allowed_users at start (allow_existing_users).
    auth.allowed_users = set(auth.allowed_users) | {t.name for t in TRAINEES}

    def model(name):
        # what a sign-in service hands the hub for a person who is not an admin
        return {"name": name, "admin": False, "auth_state": {}}

    return {
        "class": type(auth).__name__, "allow_all": auth.allow_all,
        "allow_existing_users": auth.allow_existing_users,
        "manage_groups": auth.manage_groups,
        "stranger_allowed": bool(await auth.check_allowed("stranger", model("stranger"))),
        "trainee_allowed": bool(await auth.check_allowed("ada", model("ada"))),
        "grader_refused": await _refused(auth, model("grader-coproduction")),
        "trainee_refused": await _refused(auth, model("ada")),
    }


async def _refused(auth, authentication) -> bool:
    """Whether the sign-in's last step (post_auth_hook) turns this person away."""
    from tornado import web

    if auth.post_auth_hook is None:
        return False
    try:
        await maybe_future(auth.post_auth_hook(auth, None, authentication))
    except web.HTTPError as refusal:
        return refusal.status_code == 403
    return False


def main(paths: list[str]) -> dict:
    """The simulated hub's settings for the values files in ``paths`` (see the module doc)."""
    _stand_in_cluster()  # before the Kubernetes client is imported: it reads KUBECONFIG then
    values = CHART_DEFAULTS
    for path in paths:
        with open(path) as f:
            values = merge(values, YAML(typ="safe").load(f) or {})
    c = chart_config(values)
    try:
        run_extra_config(c, values)
    except SystemExit as refusal:
        return {"refused": str(refusal)}
    return {
        "trainees": asyncio.run(trainees_pods(c)),
        "sign_in": asyncio.run(sign_in(c)),
        "services": c.JupyterHub.services,
        "roles": c.JupyterHub.load_roles,
        "groups": c.JupyterHub.load_groups,
        "server_token_scopes": c.Spawner.server_token_scopes,
        "default_url": c.Spawner.default_url,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), default=str))
