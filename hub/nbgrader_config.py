"""nbgrader settings for every account on the hub (installed into the shared environment).

The exchange is the shared folder through which trainers release assignments
and trainees submit them; which courses a person belongs to comes from the
hub's groups (nbgrader-<course> and formgrade-<course>).
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

c.Exchange.root = os.environ.get("COPRODUCTION_EXCHANGE", "/srv/nbgrader/exchange")
c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"

# Collect checks each submission before the grader copies it: it must belong to
# the account of the trainee it names, and hold only ordinary files and folders
# (no links, for example to the solutions). A refused submission is reported in
# the formgrader's collect log and that trainee's newest good one is collected.
c.ExchangeFactory.collect = "coproduction.hub.exchange.CheckedExchangeCollect"
