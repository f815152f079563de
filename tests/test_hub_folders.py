"""The hub's state folder is private on every start, not only when it is first made."""

from __future__ import annotations

import os
import stat

import pytest

from coproduction.hub.folders import private_folder


def test_a_new_folder_is_private(tmp_path):
    made = private_folder(tmp_path / "srv" / "coproduction-hub")
    assert made.is_dir() and stat.S_IMODE(made.stat().st_mode) == 0o700


def test_an_existing_open_folder_is_tightened(tmp_path):
    state = tmp_path / "coproduction-hub"
    state.mkdir()
    state.chmod(0o777)
    (state / "jupyterhub.sqlite").write_text("")
    private_folder(state)
    info = state.stat()
    assert stat.S_IMODE(info.st_mode) == 0o700
    assert (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid())
    assert (state / "jupyterhub.sqlite").exists()  # what is in it is kept


@pytest.mark.skipif(os.geteuid() != 0, reason="handing a folder to another owner needs root")
def test_a_folder_owned_by_someone_else_is_taken_back(tmp_path):
    state = tmp_path / "coproduction-hub"
    state.mkdir(mode=0o755)
    os.chown(state, 65534, 65534)  # nobody
    private_folder(state)
    assert (state.stat().st_uid, stat.S_IMODE(state.stat().st_mode)) == (0, 0o700)


def test_a_file_in_the_way_is_explained(tmp_path):
    (tmp_path / "coproduction-hub").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match="is not a folder. Move it out of the way"):
        private_folder(tmp_path / "coproduction-hub")
