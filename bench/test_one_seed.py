"""One seed, 100 beans: sgd_jit against the pure-Python loops, in one table.

ns per SGD step = mean time / (epochs * 100).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import LR

import beans

ENGINES = {
    "lesson": (beans.sgd_lesson, 2),
    "python": (beans.sgd_python, 10),
    "jit": (beans.sgd_jit, 5000),
}


@pytest.mark.benchmark(group="one-seed")
@pytest.mark.parametrize("engine", list(ENGINES))
def test_one_seed(benchmark, lesson_beans, engine):
    fn, epochs = ENGINES[engine]
    xs, ys = lesson_beans
    start = beans.init_params(0)
    fn(start, xs, ys, 1, LR)  # warm: compile the JIT before timing
    benchmark.extra_info["steps"] = epochs * xs.size
    out = benchmark(fn, start, xs, ys, epochs, LR)
    np.testing.assert_allclose(out, beans.sgd_python(start, xs, ys, epochs, LR), rtol=0, atol=1e-10)


@pytest.mark.benchmark(group="one-seed")
def test_one_seed_c_scalar(benchmark, lesson_beans, c_reference):
    """beans/benchmark/sgd_c.c's scalar loop, the latency-bound limit sgd_jit is compared with.

    A subprocess; no fused multiply-adds."""
    xs, ys = lesson_beans
    start = beans.init_params(0)[None, :]
    epochs = ENGINES["jit"][1]
    binary = c_reference("scalar")

    def run():
        return binary.run(start, xs, ys, epochs, LR, repeat=1)

    seconds, out = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info.update(
        steps=epochs * xs.size, c_ns_per_step=seconds[0] / (epochs * xs.size) * 1e9, cc_flags=" ".join(binary.flags)
    )
    # -ffp-contract=off: sgd_jit's arithmetic exactly (cli/c_reference.py CONTRACT)
    np.testing.assert_array_equal(out[0], beans.sgd_python(start[0], xs, ys, epochs, LR))
