"""Many seeds at once, 64 seeds x 100 beans: sgd_many, sgd_numpy and the C lanes loop.

Group "many-seeds". ns per SGD step = time / (64 * 100 * epochs); each row records its step
count in ``extra_info["steps"]``. The C rows run beans/benchmark/sgd_c.c in a subprocess: the timed
call includes starting it and passing the workload, and ``extra_info`` also holds the
ns per step the binary measured around its loop alone.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import LR

import beans
from beans.benchmark.baselines import sgd_numpy

SEEDS = 64
EPOCHS = {"jit": 1000, "numpy": 5, "c": 1000}
TOL = 1e-9  # against sgd_jit / sgd_python per parameter (issue 5's bound)


@pytest.fixture(scope="module")
def workload(lesson_beans):
    xs, ys = lesson_beans
    return beans.init_params_many(range(SEEDS)), xs, ys


@pytest.fixture(scope="module")
def jit_answer(workload):
    """sgd_jit seed by seed: what every fast many-seed engine must reproduce."""
    params, xs, ys = workload
    return np.stack([beans.sgd_jit(row, xs, ys, EPOCHS["jit"], LR) for row in params])


@pytest.mark.benchmark(group="many-seeds")
@pytest.mark.parametrize("threads", ["1", "all"])
def test_sgd_many(benchmark, workload, jit_answer, threads):
    params, xs, ys = workload
    n_threads = 1 if threads == "1" else beans.max_threads()
    beans.sgd_many(params[:2], xs, ys, 1, LR, threads=n_threads)  # warm: compile or load the JIT
    benchmark.extra_info.update(steps=SEEDS * xs.size * EPOCHS["jit"], threads=n_threads)
    out = benchmark(beans.sgd_many, params, xs, ys, EPOCHS["jit"], LR, threads=n_threads)
    np.testing.assert_allclose(out, jit_answer, rtol=0, atol=TOL)


@pytest.mark.benchmark(group="many-seeds")
def test_sgd_numpy(benchmark, workload):
    params, xs, ys = workload
    epochs = EPOCHS["numpy"]
    benchmark.extra_info["steps"] = SEEDS * xs.size * epochs
    out = benchmark.pedantic(sgd_numpy, args=(params, xs, ys, epochs, LR), rounds=3, iterations=1)
    want = np.stack([beans.sgd_python(row, xs, ys, epochs, LR) for row in params])
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-12)


@pytest.mark.benchmark(group="many-seeds")
def test_c_lanes(benchmark, workload, jit_answer, c_reference):
    params, xs, ys = workload
    steps = SEEDS * xs.size * EPOCHS["c"]
    binary = c_reference("lanes")

    def run():
        return binary.run(params, xs, ys, EPOCHS["c"], LR, repeat=1)

    seconds, out = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    flags = " ".join(binary.flags)
    benchmark.extra_info.update(steps=steps, c_ns_per_step=seconds[0] / steps * 1e9, cc_flags=flags)
    np.testing.assert_allclose(out, jit_answer, rtol=0, atol=TOL)
