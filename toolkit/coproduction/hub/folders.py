"""The hub's own folders, kept private every time the hub starts."""

from __future__ import annotations

import os
from pathlib import Path


def private_folder(path: str | Path) -> Path:
    """Make ``path`` a folder only the hub's own account can open (mode 700), and return it.

    The hub keeps its database and the secret that signs people's sign-in
    cookies here. Making the folder with mode 700 is not enough: a folder that
    already exists (made by hand, restored from a backup, left by an older
    version) keeps whatever permissions it had. So the owner and mode are set
    on every start.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except FileExistsError:
        pass  # reported just below, in plain words
    if not path.is_dir():
        raise NotADirectoryError(
            f"{path} should be the folder where the hub keeps its own files, but it is not a "
            "folder. Move it out of the way, or set COPRODUCTION_HUB_STATE to another place.")
    os.chown(path, os.geteuid(), os.getegid())
    os.chmod(path, 0o700)
    return path
