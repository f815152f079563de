"""A JupyterHub configuration: the Kubernetes values' hub, run on 127.0.0.1 by
tests/test_kubernetes_hub_e2e.py under JupyterHub 5.5.0 (.venv-k8s).

Everything the values set for the hub itself is taken as the chart applies it
(tests/k8s_sim.py): sign-in settings, groups, services, roles, and the
hub.extraConfig with its refusals. What a cluster would provide is replaced:

- the organisation's sign-in by ``StandInSignIn`` (one password, known to the test,
  for every name; which names get in is left to the values' settings);
- the formgrader Deployment's address by 127.0.0.1 (the test starts the formgrader with
  formgrader.yaml's own arguments and environment);
- the cluster's addresses by ports on 127.0.0.1; trainees' servers are never started.

Settings come from the environment: K8S_E2E_STATE (a folder), K8S_E2E_PORT,
K8S_E2E_PASSWORD, K8S_E2E_PROXY,
K8S_E2E_TOKEN (each service's token is it, a dash and the service's name).
"""

import os
import sys
from pathlib import Path

from jupyterhub.auth import Authenticator

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from k8s_sim import CHART_DEFAULTS, chart_config, merge, run_extra_config  # noqa: E402
from ruamel.yaml import YAML  # noqa: E402

c = get_config()  # noqa: F821 - provided by JupyterHub when it reads this file

STATE = Path(os.environ["K8S_E2E_STATE"])
PORT = int(os.environ["K8S_E2E_PORT"])


class StandInSignIn(Authenticator):
    """Stands in for the organisation's sign-in service: it vouches for any name given
    with the test's password. Whether that name may then use the hub is decided by the
    values' own settings (allow_all, allow_existing_users, blocked_users)."""

    async def authenticate(self, handler, data):
        """The name, if the password is the test's; otherwise nobody."""
        if data.get("password") == os.environ["K8S_E2E_PASSWORD"]:
            return data.get("username")
        return None


values = CHART_DEFAULTS
for path in [HERE.parent / "hub" / "kubernetes" / "values.yaml"]:
    values = merge(values, YAML(typ="safe").load(path.read_text()))
values = merge(values, {"singleuser": {"image": {"name": "registry.example.org/e2e",
                                                 "tag": "e2e"}}})
chart = chart_config(values)
chart.JupyterHub.authenticator_class = StandInSignIn
run_extra_config(chart, values)  # the values' refusals run here too
c.merge(chart)

# --- what the cluster would provide, on one machine ------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.ConfigurableHTTPProxy.command = [os.environ["K8S_E2E_PROXY"]]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

services = []
for service in c.JupyterHub.services:
    service = dict(service)
    # the chart would generate these; the test knows them to act as each service
    service["api_token"] = os.environ["K8S_E2E_TOKEN"] + "-" + service["name"]
    if service["name"] == "coproduction":
        # the formgrader Deployment: the test starts it on this port, from formgrader.yaml
        service["url"] = f"http://127.0.0.1:{PORT + 5}"
    elif service["name"] == "hub-idle-culler":
        service["command"] = [sys.executable, *service["command"][1:]]
    services.append(service)
c.JupyterHub.services = services
