"""codegen: generated modules live in a private folder, vectorise, and load from numba's cache."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numba
import numpy as np
import pytest
from beans.kernels import codegen
from beans.kernels._jit import LANES_JIT
from beans.kernels.many import sgd_many, train_rows_inplace
from beans.kernels.shape import Shape

import beans


def test_a_shape_is_written_once_to_a_file_named_by_its_source():
    shape = Shape((3,), "relu")
    module = codegen.kernel_module(shape)
    path = Path(module.__file__)
    assert path.parent == codegen.generated_dir()
    assert path.read_text() == codegen.generated_source(shape, module.B)
    assert Path(codegen.kernel_module(Shape((3,), "tanh")).__file__) != path


def test_the_folder_is_private():
    info = os.lstat(codegen.generated_dir())
    assert info.st_uid == os.getuid() and not info.st_mode & 0o077


def test_a_folder_others_can_write_to_is_never_used(tmp_path, monkeypatch):
    shared = tmp_path / "numba-cache"
    (shared / "beans-kernels").mkdir(parents=True)
    (shared / "beans-kernels").chmod(0o777)
    monkeypatch.setattr(codegen.numba.config, "CACHE_DIR", str(shared))
    monkeypatch.setattr(codegen, "_folder", None)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    got = codegen.generated_dir()
    assert got != shared / "beans-kernels" and got.parent == tmp_path
    assert not os.lstat(got).st_mode & 0o077


def _uncached_assembly(module, shape: Shape) -> str:
    """The assembly of an uncached copy of ``module``'s kernel, run once on ``shape``.

    A kernel loaded from numba's cache has no assembly to show.
    """
    entry = numba.njit(**{**LANES_JIT, "cache": False})(module._train_blocks.py_func)
    copy = SimpleNamespace(B=module.B, SCRATCH=module.SCRATCH, _train_blocks=entry)
    train_rows_inplace(np.full((8, shape.n_params), 0.5), *beans.get_beans(5, 0), 1, 0.03, 1, shape, module=copy)
    return "\n".join(entry.inspect_asm().values())


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="reads x86-64 assembly")
def test_the_generated_step_runs_in_simd_registers():
    shape = Shape((2, 3, 2))
    asm = _uncached_assembly(codegen.kernel_module(shape), shape)
    assert re.search(r"vfmadd\w*pd\s+%[yz]mm", asm), "the lane loop did not vectorise"


def test_a_compiled_shape_loads_from_numba_s_cache_in_a_new_process():
    shape = Shape((3,), "relu")
    sgd_many(np.full((1, shape.n_params), 0.5), *beans.get_beans(5, 0), 1, 0.03, shape)  # compiled and cached
    code = (
        "import numpy as np, beans\n"
        "from beans.kernels.shape import Shape\nfrom beans.kernels.many import sgd_many\n"
        "from beans.kernels import codegen\n"
        "shape = Shape((3,), 'relu')\n"
        "sgd_many(np.full((1, shape.n_params), 0.5), *beans.get_beans(5, 0), 1, 0.03, shape)\n"
        "stats = codegen.kernel_module(shape)._train_blocks.stats\n"
        "print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["1", "0"]


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="reads x86-64 assembly")
def test_the_run_time_shaped_step_runs_in_simd_registers():
    shape = Shape((3, 2), "tanh")
    asm = _uncached_assembly(codegen.kernel_module(shape, max_generated_params=0), shape)
    assert re.search(r"vfmadd\w*pd\s+%[yz]mm", asm), "the lane loops did not vectorise"
