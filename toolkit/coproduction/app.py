"""The modules as apps for trainees who do not code: Voilà pages on 127.0.0.1.

Voilà runs a module notebook and shows it as one page: the reading, the
scenario player, the self-check and the reflection boxes, live, with the
code hidden. It runs on this computer only and loads nothing from the web.
The pages are made from the trainee's own copy of the modules (see
``workspace``), so their journal is kept with their work, as in JupyterLab.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .paths import PACKAGE, UnknownName, unknown_message

DEFAULT_PORT = 8866
#: A Jupyter data folder holding voila/templates/coproduction: Voilà's page without its web fonts link.
TEMPLATES = PACKAGE / "jupyter_data"


def find_module(modules: Path, name: str) -> Path:
    """The notebook for ``name`` ('1', '01', '01-origins' or 'origins') in ``modules``."""
    notebooks = sorted(p for p in modules.glob("*.ipynb"))
    wanted = name.strip().removesuffix(".ipynb").lower()
    for path in notebooks:
        number, _, title = path.stem.partition("-")
        if wanted in (path.stem, title) or (wanted.isdigit() and int(wanted) == int(number)):
            return path
    raise UnknownName(unknown_message("module", name, [p.stem for p in notebooks]))


def voila_command(modules: Path, port: int = DEFAULT_PORT) -> list[str]:
    """The Voilà command line that serves every notebook in ``modules`` as an app."""
    return [sys.executable, "-m", "voila", str(modules), "--no-browser",
            "--Voila.ip=127.0.0.1", f"--Voila.port={port}", "--theme=light",
            "--template=coproduction",
            # A trainee should see a plain message, not a Python traceback.
            "--VoilaConfiguration.show_tracebacks=False",
            # The page shows outputs only; the code stays in the notebook.
            "--VoilaConfiguration.strip_sources=True"]


def voila_env(env: dict) -> dict:
    """``env`` with the course's Voilà template on Jupyter's data path."""
    extra = [str(TEMPLATES)] + ([env["JUPYTER_PATH"]] if env.get("JUPYTER_PATH") else [])
    return {**env, "JUPYTER_PATH": os.pathsep.join(extra), "MPLBACKEND": "agg"}


def page_url(modules: Path, module: str | None, port: int = DEFAULT_PORT) -> str:
    """Where the app is: one module's page, or the list of modules."""
    base = f"http://127.0.0.1:{port}"
    if module is None:
        return f"{base}/"
    return f"{base}/voila/render/{find_module(modules, module).name}"
