"""Folders at predictable /tmp paths are used only when no one else can control them."""

from __future__ import annotations

import os

import pytest
from beans.kernels.private_dir import is_private, make_private, private_dir


def test_a_new_folder_is_made_private_and_used(tmp_path):
    path = tmp_path / "parent" / "beans-x-1000"
    assert private_dir(path, prefix="beans-x-") == path
    assert path.stat().st_mode & 0o777 == 0o700
    assert is_private(path)


def test_an_existing_private_folder_is_reused(tmp_path):
    path = tmp_path / "mine"
    path.mkdir(mode=0o755)  # others may read, not write: fine
    assert make_private(path)
    assert private_dir(path, prefix="beans-x-") == path


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777])
def test_a_folder_others_can_write_is_refused_for_a_fresh_one(tmp_path, monkeypatch, mode):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    planted = tmp_path / "beans-x-1000"
    planted.mkdir()
    planted.chmod(mode)
    got = private_dir(planted, prefix="beans-x-")
    assert got != planted and got.parent == tmp_path and got.name.startswith("beans-x-")
    assert is_private(got)


def test_a_symlink_is_refused_even_to_a_private_folder(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "beans-x-1000"
    link.symlink_to(target)
    got = private_dir(link, prefix="beans-x-")
    assert got not in (link, target) and is_private(got)


def test_a_file_in_the_way_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    blocker = tmp_path / "beans-x-1000"
    blocker.write_text("")
    assert not make_private(blocker)
    assert private_dir(blocker, prefix="beans-x-").is_dir()


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to make a folder owned by someone else")
def test_a_folder_owned_by_someone_else_is_refused(tmp_path):
    path = tmp_path / "theirs"
    path.mkdir(mode=0o700)
    os.chown(path, 65534, 65534)
    assert not is_private(path)
