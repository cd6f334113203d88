"""beans imports and caches even when neither its install dir nor HOME is writable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import kernels


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
