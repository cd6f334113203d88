"""codegen: generated modules carry beans.many's helpers, live in a private folder, vectorise, cache."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
from beans.kernels import codegen, many
from beans.kernels._jit import LANES_JIT
from beans.kernels.many_any import sgd_many_any

import beans
from beans.shape import Shape


def test_a_shape_is_written_once_to_a_file_named_by_its_source():
    shape = Shape((3,), "relu")
    module = codegen.kernel_module(shape)
    assert codegen.kernel_module(shape) is module
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


def test_modules_carry_kernels_many_helpers_verbatim():
    source = codegen.generated_source(Shape((2,)), 128)
    for helper in (many._exp.py_func, many._sigmoid.py_func, many._read_shared_flag._defn):
        assert inspect.getsource(helper) in source
    for name in ("_Q0", "_Q10", "_LN2_HI", "EXP_MAX_ARG", "_SHIFTER_BITS"):
        assert f"\n{name} = {getattr(many, name)!r}\n" in source


def test_the_generated_step_runs_in_simd_registers():
    shape = Shape((2, 3, 2))
    module = codegen.kernel_module(shape)
    # an uncached copy: a kernel loaded from numba's cache has no assembly to show
    step = numba.njit(**{**LANES_JIT, "cache": False})(module._sgd_block.py_func)
    xs, ys = beans.get_beans(5, 0)
    step(
        np.full(shape.n_params * module.B + module.SCRATCH, 0.5),
        8,
        np.array(shape.layer_sizes),
        0,
        xs,
        ys,
        1,
        np.full(module.B, 0.03),
    )
    asm = "\n".join(step.inspect_asm().values())
    assert re.search(r"vfmadd\w*pd\s+%[yz]mm", asm), "the lane loop did not vectorise"


@pytest.mark.parametrize(
    "hidden, generated, lanes",
    [((2,), True, 128), ((4, 4), True, 32), ((8, 8), True, 16), ((16, 16), False, 128), ((64, 64), False, 128)],
)
def test_big_nets_go_to_the_run_time_shaped_kernel_in_l1_sized_blocks(hidden, generated, lanes):
    shape = Shape(hidden)
    assert (shape.n_params <= codegen.GENERATED_MAX_PARAMS) == generated
    assert codegen.block_lanes(shape) == lanes


def test_a_compiled_shape_loads_from_numba_s_cache_in_a_new_process():
    shape = Shape((3,), "relu")
    sgd_many_any(np.full((1, shape.n_params), 0.5), *beans.get_beans(5, 0), 1, 0.03, shape)  # compiled and cached
    code = (
        "import numpy as np, beans\n"
        "from beans.shape import Shape\nfrom beans.kernels.many_any import sgd_many_any\n"
        "from beans.kernels import codegen\n"
        "shape = Shape((3,), 'relu')\n"
        "sgd_many_any(np.full((1, shape.n_params), 0.5), *beans.get_beans(5, 0), 1, 0.03, shape)\n"
        "stats = codegen.kernel_module(shape)._train_blocks.stats\n"
        "print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["1", "0"]
