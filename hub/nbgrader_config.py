"""nbgrader settings for every account on the hub (installed into the shared environment).

The exchange is the shared folder through which trainers release assignments
and trainees submit them; which courses a person belongs to comes from the
hub's groups (nbgrader-<course> and formgrade-<course>).
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

c.Exchange.root = os.environ.get("COPRODUCTION_EXCHANGE", "/srv/nbgrader/exchange")
c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"
