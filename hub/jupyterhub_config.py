"""JupyterHub for co-production cohorts on one machine.

The shape of The Littlest JupyterHub: real Unix accounts started with
LocalProcessSpawner, one shared environment every account can run (built
from the system's Python by `make hub-env`), nbgrader's exchange in a shared
folder, a formgrader per course as a hub-managed service for that course's
trainers, an idle culler, and the course's modules copied into each new home.

Cohorts come from Unix groups, which `coproduction hub accounts` makes:
everyone in ``nbgrader-<course>`` may sign in and take that course; people in
``formgrade-<course>`` also reach its formgrader at /services/<course>/.
Each course has a grader account ``grader-<course>`` owning the gradebook
(`coproduction hub course`). Restart the hub after adding a cohort.

Settings come from the environment, with defaults for a real install:

  COPRODUCTION_HUB_ENV      shared environment            /opt/coproduction
  COPRODUCTION_HUB_STATE    hub database, secrets          /srv/coproduction-hub
  COPRODUCTION_EXCHANGE     nbgrader's exchange            /srv/nbgrader/exchange
  COPRODUCTION_HUB_PORT     public port (127.0.0.1)        8000; the hub's own API
                            and the proxy's use the next two, courses from +10
  COPRODUCTION_HUB_AUTH     pam (Unix passwords) or demo (one shared password,
                            COPRODUCTION_HUB_DEMO_PASSWORD; for `make hub` only)
  COPRODUCTION_HUB_ADMIN_TOKEN  if set, a "cohort-admin" service with this token
                            may manage users, servers, groups and tokens (for IT
                            scripts and the end-to-end test)
"""

import grp
import os
import pwd
import shutil
import sys
from pathlib import Path

from coproduction.hub.folders import private_folder

c = get_config()  # noqa: F821 - provided by JupyterHub when it reads this file

HERE = Path(__file__).resolve().parent
ENV = Path(os.environ.get("COPRODUCTION_HUB_ENV", "/opt/coproduction"))
STATE = Path(os.environ.get("COPRODUCTION_HUB_STATE", "/srv/coproduction-hub"))
EXCHANGE = Path(os.environ.get("COPRODUCTION_EXCHANGE", "/srv/nbgrader/exchange"))
PORT = int(os.environ.get("COPRODUCTION_HUB_PORT", "8000"))
CONTENT = ENV / "share" / "coproduction" / "course"
SINGLEUSER = str(ENV / "bin" / "jupyterhub-singleuser")

# --- where the hub listens, and where it keeps its state ---------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
# The hub's database and cookie secret: only the hub's own account may open the
# folder, made so on every start, even if the folder was already there.
private_folder(STATE)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

# nbgrader's exchange: anyone may write, nobody may delete another's files.
EXCHANGE.mkdir(parents=True, exist_ok=True)
os.chmod(EXCHANGE, 0o1777)

# --- cohorts, from the Unix groups -------------------------------------------
cohort_groups = {g.gr_name: sorted(g.gr_mem) for g in grp.getgrall()
                 if g.gr_name.startswith(("nbgrader-", "formgrade-"))}
courses = sorted(name.split("-", 1)[1] for name in cohort_groups if name.startswith("nbgrader-"))
c.JupyterHub.load_groups = {name: {"users": members} for name, members in cohort_groups.items()}
c.Authenticator.allowed_users = {user for members in cohort_groups.values() for user in members}

if os.environ.get("COPRODUCTION_HUB_AUTH", "pam") == "demo":
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ.get("COPRODUCTION_HUB_DEMO_PASSWORD", "co-produce")
else:
    c.JupyterHub.authenticator_class = "pam"

# --- each person's own server -------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [SINGLEUSER]
# Straight into the course map (where to begin, and their own progress), as
# `make lab` opens: most trainees do not know what a launcher is for.
c.Spawner.default_url = "/lab/tree/coproduction/modules/00-start-here.ipynb"
c.Spawner.environment = {
    "COPRODUCTION_EXCHANGE": str(EXCHANGE),
    # People's own servers leave out nbgrader's tools for making and grading
    # assignments; trainers have those in their course's formgrader service.
    "JUPYTER_CONFIG_PATH": str(ENV / "etc" / "jupyter-trainee"),
}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# nbgrader asks the hub which course groups a person is in.
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server",
                                 "read:users:name!user", "read:users:groups!user"]


def deliver_course(spawner):
    """Copy the course's modules into a new home, once; later edits are the trainee's own."""
    account = pwd.getpwnam(spawner.user.name)
    target = Path(account.pw_dir) / "coproduction"
    if target.exists() or target.is_symlink() or not CONTENT.is_dir():
        return
    shutil.copytree(CONTENT, target)
    for path in [target, *target.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)


c.Spawner.pre_spawn_hook = deliver_course

# --- a formgrader per course, for that course's trainers ---------------------
services, roles = [], []
for n, course in enumerate(courses):
    try:
        grader = pwd.getpwnam(f"grader-{course}")
    except KeyError:
        continue  # the course folder is not set up yet: `coproduction hub course`
    port = PORT + 10 + n
    services.append({
        "name": course,
        "url": f"http://127.0.0.1:{port}",
        "command": [SINGLEUSER, f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
                    f"--ServerApp.root_dir={grader.pw_dir}/course"],
        "user": grader.pw_name,
        "cwd": f"{grader.pw_dir}/course",
        "environment": {"COPRODUCTION_EXCHANGE": str(EXCHANGE), "HOME": grader.pw_dir},
        "oauth_no_confirm": True,
    })
    # nbgrader asks the hub which courses the grader account serves, so it is a
    # hub user in the trainers' group (it never signs in: it has no password).
    c.JupyterHub.load_groups[f"formgrade-{course}"]["users"].append(grader.pw_name)
    c.Authenticator.allowed_users.add(grader.pw_name)
    roles.append({"name": f"formgrade-{course}", "groups": [f"formgrade-{course}"],
                  "scopes": [f"access:services!service={course}"]})
    roles.append({"name": f"grader-{course}", "services": [course],
                  "scopes": ["list:users", "read:users", "read:groups", "list:groups"]})

# --- stop servers nobody has used for an hour ---------------------------------
services.append({"name": "idle-culler",
                 "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"]})
roles.append({"name": "idle-culler", "services": ["idle-culler"],
              "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]})

# --- an optional token for IT's scripts ----------------------------------------
admin_token = os.environ.get("COPRODUCTION_HUB_ADMIN_TOKEN")
if admin_token:
    services.append({"name": "cohort-admin", "api_token": admin_token})
    roles.append({"name": "cohort-admin", "services": ["cohort-admin"],
                  "scopes": ["admin:users", "admin:servers", "admin:groups", "tokens",
                             "list:users", "read:users", "access:servers"]})

c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
