"""512-bit vectors (kernels._cpu): set only where AVX-512 is, never over the user's choice, same bits."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import llvmlite.binding as llvm
import numpy as np
import pytest
from beans.kernels import _cpu
from beans.kernels._cpu import numba_cpu_env
from beans.kernels.shape import Shape

import beans

AVX512 = "+64bit,+avx,+avx2,+avx512f,+avx512dq,+fma,-amx-tile"
AVX2 = "+64bit,+avx,+avx2,-avx512f,+fma"


def test_avx512_cpus_get_their_own_features_without_prefer_256_bit():
    env = numba_cpu_env("sapphirerapids", AVX512, {})
    assert env == {"NUMBA_CPU_NAME": "sapphirerapids", "NUMBA_CPU_FEATURES": AVX512 + ",-prefer-256-bit"}


@pytest.mark.parametrize(
    "features, environ",
    [
        (AVX2, {}),  # no AVX-512: numba's own choice
        ("+avx2,+avx512fp16", {}),  # a name that merely starts with avx512f is not avx512f
        (AVX512, {"NUMBA_CPU_NAME": "generic"}),  # the user's choice stands
        (AVX512, {"NUMBA_CPU_FEATURES": "+avx2"}),
        (AVX512, {"BEANS_512_BIT": "0"}),  # opted out
    ],
)
def test_numba_is_left_alone(features, environ):
    assert numba_cpu_env("somecpu", features, environ) == {}


_RUN = """
import json, sys
{patch}
import beans
from beans.kernels._cpu import wide_vectors
from beans.kernels.shape import Shape
xs, ys = beans.get_beans(30, 1)
out = {{}}
start = beans.init_params_many(range(11))
out["many"] = beans.sgd_many(start, xs, ys, 20, 0.03).tolist()
shape = Shape((3,), "tanh")
out["1-3-1 tanh"] = beans.sgd_many(beans.init_params_many(range(11), shape), xs, ys, 20, 0.03, shape).tolist()
out["wide"] = wide_vectors()  # numba's CPU options are set once a kernel has loaded
print(json.dumps(out))
"""
# llvmlite reporting a CPU without AVX-512, whatever this one has
_NO_AVX512 = """
import llvmlite.binding as llvm
class _Features:
    def flatten(self):
        return "+64bit,+avx,+avx2,-avx512f,+fma"
llvm.get_host_cpu_features = lambda: _Features()
"""


def _run(patch: str = "", **env) -> dict:
    """_RUN in a fresh process whose environment has none of beans' or numba's CPU settings but ``env``."""
    unset = ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES", _cpu.OPT_OUT)
    environ = {k: v for k, v in os.environ.items() if k not in unset}
    done = subprocess.run(
        [sys.executable, "-c", _RUN.format(patch=patch)],
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "not a recognized" not in done.stderr  # LLVM knows the CPU name given
    return json.loads(done.stdout)


@pytest.mark.slow
def test_the_kernels_give_the_same_bits_at_either_vector_width():
    as_beans_chooses = _run()  # 512-bit vectors where the CPU has AVX-512
    assert as_beans_chooses.pop("wide") is ("+avx512f" in llvm.get_host_cpu_features().flatten().split(","))
    narrow = _run(BEANS_512_BIT="0")  # numba's default (256-bit on AVX-512 CPUs)
    no_avx512 = _run(_NO_AVX512)  # a CPU without AVX-512, as llvmlite would report it
    assert narrow.pop("wide") is False and no_avx512.pop("wide") is False
    here = {}  # and this process, whichever width it runs at
    xs, ys = beans.get_beans(30, 1)
    here["many"] = beans.sgd_many(beans.init_params_many(range(11)), xs, ys, 20, 0.03).tolist()
    shape = Shape((3,), "tanh")
    here["1-3-1 tanh"] = beans.sgd_many(beans.init_params_many(range(11), shape), xs, ys, 20, 0.03, shape).tolist()
    for key in here:
        for other in (as_beans_chooses, narrow, no_avx512):
            np.testing.assert_array_equal(np.array(other[key]), np.array(here[key]), err_msg=key)


def test_a_process_that_loaded_numba_first_keeps_its_children_at_its_width():
    code = (
        "import os, numba\n"
        "from beans.kernels import _cpu, _jit\n"
        "print(_cpu.CHANGED == {}, os.environ.get('BEANS_512_BIT'), 'NUMBA_CPU_NAME' in os.environ)"
    )
    unset = ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES", _cpu.OPT_OUT)
    environ = {k: v for k, v in os.environ.items() if k not in unset}
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "0", "False"]


# The CLI's entry point in a fresh process, noting who imports numba first: _cpu must set the
# vector width before numba loads, so kernels._jit (which does that) must be the importer.
_FIRST_NUMBA = """
import json, sys
from pathlib import Path

noted = Path(sys.argv[1])

class FirstNumba:
    def find_spec(self, name, path=None, target=None):
        if name == "numba" and "numba" not in sys.modules:
            noted.write_text(json.dumps("beans.kernels._jit" in sys.modules))
        return None  # the import itself goes on as usual

sys.meta_path.insert(0, FirstNumba())
sys.argv = ["beans", *sys.argv[2:]]
from beans.cli.app import main
main()
"""


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--seeds", "2", "--epochs", "3", "--no-plot", "-q", "--out", "out"],
        ["sweep", "--lr", "0.03", "--seeds", "2", "--epochs", "3", "--no-plot", "-q", "--out", "out"],
        [
            "bench",
            "--quick",
            "--seeds",
            "2",
            "--epochs",
            "2",
            "--repeat",
            "1",
            "--no-compile",
            "--engines",
            "jit-many-1",
        ],
    ],
    ids=lambda args: args[0],
)
def test_numba_is_first_imported_by_the_module_that_sets_its_vector_width(tmp_path, args):
    noted = tmp_path / "jit-was-loading.json"
    cmd = [sys.executable, "-c", _FIRST_NUMBA, str(noted), *args]
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(noted.read_text()) is True
