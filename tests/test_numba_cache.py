"""numba's cache for the kernels: beans imports and caches even when neither its install dir nor
HOME is writable, and never loads code compiled with numba options other than today's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import beans.kernels
import pytest

import beans
from beans.numba_cache import could_hold_files


def _copy_of_the_package(site: Path) -> Path:
    """The installed layout (beans/, beans/kernels/, beans/cli/) copied under ``site``; returns kernels/."""
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(Path(beans.__file__).parent, site / "beans", ignore=skip)
    shutil.copytree(Path(beans.kernels.__file__).parent, site / "beans" / "kernels", ignore=skip)
    return site / "beans" / "kernels"


def test_falls_back_to_a_temporary_numba_cache_dir(tmp_path):
    # a copy of the package whose __pycache__ is a plain file cannot host numba's cache,
    # and a HOME under /dev/null cannot host the user-wide one (tests may run as root,
    # so permission bits alone would not stop anything)
    kernels_dir = _copy_of_the_package(tmp_path / "site")
    (kernels_dir / "__pycache__").write_text("not a directory")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(HOME="/dev/null/home", XDG_CACHE_HOME="/dev/null/cache", PYTHONPATH=str(tmp_path / "site"))
    code = (
        "import numpy as np, beans.kernels as k, numba, os;"
        "print(numba.config.CACHE_DIR, os.environ.get('NUMBA_CACHE_DIR'));"
        "print(k.sgd_jit(np.full(7, 0.5), np.array([0.5]), np.array([1.0]), 1, 0.03)[0])"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    cache_dir, environ, first = run.stdout.split()
    assert "beans-numba-cache" in cache_dir and Path(cache_dir).is_dir()
    assert environ == "None"  # a library sets no environment variables
    assert float(first) != 0.5


def test_importing_the_kernels_makes_no_folder_when_numba_has_a_place(tmp_path):
    kernels_dir = _copy_of_the_package(tmp_path / "site")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPATH=str(tmp_path / "site"))
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    run = subprocess.run([sys.executable, "-c", "import beans.kernels"], cwd=tmp_path, env=env, capture_output=True)
    assert run.returncode == 0, run.stderr
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not (tmp_path / "home").exists() and not (tmp_path / "cache").exists()
    assert kernels_dir.is_dir()


def test_could_hold_files_looks_without_making_anything(tmp_path):
    assert could_hold_files(tmp_path / "a" / "b")
    assert not (tmp_path / "a").exists()
    (tmp_path / "file").write_text("")
    assert not could_hold_files(tmp_path / "file")
    assert not could_hold_files(tmp_path / "file" / "below")


# sgd_many on 8 seeds for 300 epochs: the first parameters' bits, and whether the parallel driver
# came from numba's cache
_SGD_MANY = (
    "import beans.kernels as k, beans.kernels.many as m;"
    "xs, ys = k.get_beans(100, 0);"
    "p = k.sgd_many(k.init_params_many(range(8)), xs, ys, 300, 0.03);"
    "print(sum(m._sgd_blocks.stats.cache_hits.values()), *[v.hex() for v in p.ravel()])"
)


@pytest.mark.slow  # compiles afresh in new processes
def test_an_edited_numba_option_is_compiled_afresh_not_loaded_from_the_cache(tmp_path):
    kernels_dir = _copy_of_the_package(tmp_path / "site")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPATH=str(tmp_path / "site"))

    def sgd_many(**extra_env) -> tuple[int, list[str]]:
        run = subprocess.run(
            [sys.executable, "-c", _SGD_MANY], cwd=tmp_path, env={**env, **extra_env}, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        hits, *params = run.stdout.split()
        return int(hits), params

    assert sgd_many()[0] == 0  # compiled, into the copy's __pycache__
    warm_hits, fused = sgd_many()
    assert warm_hits > 0  # the cache is in use

    jit = kernels_dir / "_jit.py"
    source = jit.read_text()
    assert source.count(', fastmath={"contract"}') == 1
    jit.write_text(source.replace(', fastmath={"contract"}', ""))  # no fused multiply-adds
    hits, after_edit = sgd_many()
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    _, fresh = sgd_many(NUMBA_CACHE_DIR=str(fresh_dir))  # a cache-less compile with the edited options

    assert hits == 0 and after_edit == fresh
    assert after_edit != fused  # fusing or not moves the last bits: the edit took effect
    assert sgd_many() == (warm_hits, after_edit)  # and the new code is cached in turn


def test_the_options_fingerprint_does_not_depend_on_string_hashing():
    """Sets print in hash order, which changes from run to run: a naive fingerprint would drop the cache every run."""
    code = (
        "from beans.numba_cache import options_fingerprint as f;print(f({'X_JIT': {'fastmath': {'a', 'b', 'c', 'd'}}}))"
    )
    prints = {
        subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(prints) == 1 and len(prints.pop().strip()) == 64
