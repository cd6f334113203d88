"""beans imports and caches even when neither its install dir nor HOME is writable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kernels
from kernels import _numba_cache


def test_falls_back_to_a_temporary_numba_cache_dir(tmp_path):
    # a copy of the package whose __pycache__ is a plain file cannot host numba's cache,
    # and a HOME under /dev/null cannot host the user-wide one (tests may run as root,
    # so permission bits alone would not stop anything)
    site = tmp_path / "site"
    shutil.copytree(Path(kernels.__file__).parent, site / "kernels", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "kernels" / "__pycache__").write_text("not a directory")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(HOME="/dev/null/home", XDG_CACHE_HOME="/dev/null/cache", PYTHONPATH=str(site))
    code = (
        "import numpy as np, kernels, numba, os;"
        "print(numba.config.CACHE_DIR);"
        "print(kernels.sgd_jit(np.full(7, 0.5), np.array([0.5]), np.array([1.0]), 1, 0.03)[0])"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    cache_dir, first = run.stdout.split()
    assert "beans-numba-cache" in cache_dir
    assert Path(cache_dir).is_dir()
    assert float(first) != 0.5


def test_the_fallback_folder_is_made_private(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    got = Path(_numba_cache._private_temp_dir("beans-numba-cache-1000"))
    assert got == tmp_path / "beans-numba-cache-1000"
    assert got.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("plant", ["open folder", "symlink"])
def test_a_planted_fallback_folder_is_never_used(tmp_path, monkeypatch, plant):
    # numba unpickles the index files it finds in its cache dir: a folder another user made
    # (or links to) at the predictable path must not be it
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    planted = tmp_path / "beans-numba-cache-1000"
    if plant == "symlink":
        (tmp_path / "theirs").mkdir(mode=0o700)
        planted.symlink_to(tmp_path / "theirs")
    else:
        planted.mkdir()
        planted.chmod(0o777)
    got = Path(_numba_cache._private_temp_dir("beans-numba-cache-1000"))
    assert got.parent == tmp_path and got.name.startswith("beans-numba-cache-") and got != planted
    assert not got.is_symlink() and got.stat().st_mode & 0o777 == 0o700
