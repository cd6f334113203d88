"""Why the lane kernels look the way they do: block widths and numba options, timed on one workload.

64 seeds x 100 beans x 1000 epochs of the lesson's 1-2-1 on one thread (group "layouts"), and
``sgd_many`` at 1 and all threads (group "threads"). Every variant is the generated kernel's
own source (``kernels.codegen.generated_source``) with one thing changed, loaded as a module of
its own, so nothing here is a second copy of the kernel:

- rows:            one seed at a time, the scalar one-seed kernel ``sgd_jit`` (libm exp)
- lanes-B:         the generated kernel in blocks of B lanes
- lanes-no-fma:    without fastmath 'contract' (no fused multiply-adds)
- lanes-py-errors: numba's default error_model='python' (zero check on every division)

ns per SGD step = time / (64 * 100 * 1000). Each variant is checked against sgd_jit.
"""

from __future__ import annotations

import numpy as np
import pytest
from beans.kernels import codegen
from beans.kernels._jit import LANES_JIT
from beans.kernels.many import train_rows_inplace
from beans.kernels.shape import Shape
from conftest import LR

import beans

SEEDS, EPOCHS = 64, 1000
STEPS = SEEDS * 100 * EPOCHS
LESSON = Shape()


def _module(lanes: int, drop: str | None = None):
    """The 1-2-1's generated kernel module in blocks of ``lanes``, without the numba option ``drop``."""
    source = codegen.generated_source(LESSON, lanes)
    if drop is not None:
        options = {k: v for k, v in LANES_JIT.items() if k != drop}
        source = source.replace(repr(LANES_JIT), repr(options)).replace(
            repr(dict(LANES_JIT, cache=False)), repr(dict(options, cache=False))
        )
    return codegen._load(source)


def _lanes_runner(module):
    def run(params, xs, ys):
        out = params.copy()
        train_rows_inplace(out, xs, ys, EPOCHS, LR, 1, LESSON, module=module)
        return out

    return run


def _rows_runner(params, xs, ys):
    return np.stack([beans.sgd_jit(row, xs, ys, EPOCHS, LR) for row in params])


VARIANTS = {
    "rows": lambda: _rows_runner,
    **{f"lanes-{b}": (lambda b=b: _lanes_runner(_module(b))) for b in (8, 16, 32, 64, 128)},
    "lanes-no-fma": lambda: _lanes_runner(_module(64, drop="fastmath")),
    "lanes-py-errors": lambda: _lanes_runner(_module(64, drop="error_model")),
}


@pytest.fixture(scope="module")
def workload(lesson_beans):
    xs, ys = lesson_beans
    start = beans.init_params_many(range(SEEDS))
    want = np.stack([beans.sgd_jit(p, xs, ys, EPOCHS, LR) for p in start])
    return start, xs, ys, want


@pytest.mark.benchmark(group="layouts (1 thread, 64 seeds)")
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_layout(benchmark, workload, variant):
    start, xs, ys, want = workload
    run = VARIANTS[variant]()
    run(start, xs, ys)  # compile before timing
    out = benchmark.pedantic(run, args=(start, xs, ys), rounds=5, warmup_rounds=1)
    benchmark.extra_info["ns_per_step"] = benchmark.stats.stats.median / STEPS * 1e9 if benchmark.stats else None
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-10)


@pytest.mark.benchmark(group="threads (sgd_many, 64 seeds)")
@pytest.mark.parametrize("threads", sorted({1, beans.max_threads()}))
def test_threads(benchmark, workload, threads):
    start, xs, ys, want = workload
    beans.sgd_many(start, xs, ys, 1, LR, threads=threads)
    out = benchmark.pedantic(
        beans.sgd_many, args=(start, xs, ys, EPOCHS, LR), kwargs={"threads": threads}, rounds=5, warmup_rounds=1
    )
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-10)
