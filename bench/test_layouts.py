"""Why sgd_many looks the way it does: layouts and numba options, timed on one workload.

64 seeds x 100 beans x 1000 epochs on one thread (group "layouts"), and the chosen kernel at
1 and all threads beside a variant that trains the blocks in place in the shared array instead
of in per-thread copies (group "threads"). Variants are the shipped kernel's own Python functions
recompiled with other options (uncached: numba's cache key ignores options), so nothing
here is a second copy of the kernel:

- rows:            one seed per prange iteration, the scalar one-seed kernel (libm exp)
- lanes-B:         the shipped lane kernel, all 64 seeds in blocks of B lanes
- lanes-no-fma:    without fastmath 'contract' (no fused multiply-adds)
- lanes-py-errors: numba's default error_model='python' (zero check on every division)

ns per SGD step = time / (64 * 100 * 1000). Each variant is checked against sgd_jit.
"""

from __future__ import annotations

import types

import numba
import numpy as np
import pytest
from beans.kernels import many
from beans.kernels._jit import LANES_JIT
from beans.kernels.sgd import _sgd_one
from conftest import LR

import beans

SEEDS, EPOCHS = 64, 1000
STEPS = SEEDS * 100 * EPOCHS


def _recompile(options: dict):
    """The lane kernels compiled afresh with ``options``: (block kernel, parallel driver)."""

    def clone(fn, **swap):
        py = fn.py_func
        return types.FunctionType(py.__code__, {**py.__globals__, **swap}, py.__name__, py.__defaults__)

    opts = {k: v for k, v in options.items() if k != "cache"}
    exp = numba.njit(**opts)(clone(many._exp))
    sigmoid = numba.njit(**opts)(clone(many._sigmoid, _exp=exp))
    block = numba.njit(**opts)(clone(many._sgd_block, _sigmoid=sigmoid))
    train_block = numba.njit(**opts)(clone(many._train_block, _sgd_block=block))
    return numba.njit(parallel=True, **opts)(clone(many._sgd_blocks, _train_block=train_block))


@numba.njit(parallel=True, error_model="numpy", fastmath={"contract"})
def _blocks_in_place(blocks, lanes, xs, ys, epochs, lr):
    for b in numba.prange(blocks.shape[0]):
        many._sgd_block(blocks[b], lanes[b], xs, ys, epochs, lr[b])


@numba.njit(parallel=True)
def _rows(params, xs, ys, epochs, lr):
    for s in numba.prange(params.shape[0]):
        _sgd_one(params[s], xs, ys, epochs, lr)


def _lanes_runner(blocks_kernel, width):
    def run(params, xs, ys):
        blocks, lanes = many.to_blocks(params, threads=max(1, SEEDS // width))
        blocks_kernel(blocks, lanes, xs, ys, EPOCHS, many.lane_blocks(LR, params.shape[0], blocks))
        return many.from_blocks(blocks, params.shape[0])

    return run


def _rows_runner(params, xs, ys):
    out = params.copy()
    _rows(out, xs, ys, EPOCHS, LR)
    return out


def _variants():
    shipped = many._sgd_blocks
    no_fma = {k: v for k, v in LANES_JIT.items() if k != "fastmath"}
    py_errors = {k: v for k, v in LANES_JIT.items() if k != "error_model"}
    return {
        "rows": lambda: _rows_runner,
        "lanes-8": lambda: _lanes_runner(shipped, 8),
        "lanes-16": lambda: _lanes_runner(shipped, 16),
        "lanes-32": lambda: _lanes_runner(shipped, 32),
        "lanes-64": lambda: _lanes_runner(shipped, 64),
        "lanes-no-fma": lambda: _lanes_runner(_recompile(no_fma), 64),
        "lanes-py-errors": lambda: _lanes_runner(_recompile(py_errors), 64),
    }


@pytest.fixture(scope="module")
def workload(lesson_beans):
    xs, ys = lesson_beans
    start = beans.init_params_many(range(SEEDS))
    want = np.stack([beans.sgd_jit(p, xs, ys, EPOCHS, LR) for p in start])
    return start, xs, ys, want


@pytest.mark.benchmark(group="layouts (1 thread, 64 seeds)")
@pytest.mark.parametrize("variant", list(_variants()))
def test_layout(benchmark, workload, variant):
    start, xs, ys, want = workload
    run = _variants()[variant]()
    previous = numba.get_num_threads()
    numba.set_num_threads(1)  # blocks run one after another: the per-core cost of each layout
    try:
        run(start, xs, ys)  # compile before timing
        out = benchmark.pedantic(run, args=(start, xs, ys), rounds=5, warmup_rounds=1)
    finally:
        numba.set_num_threads(previous)
    benchmark.extra_info["ns_per_step"] = benchmark.stats.stats.median / STEPS * 1e9 if benchmark.stats else None
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-10)


@pytest.mark.benchmark(group="threads (sgd_many, 64 seeds)")
@pytest.mark.parametrize("threads", sorted({1, beans.max_threads()}))
def test_threads(benchmark, workload, threads):
    start, xs, ys, want = workload
    beans.sgd_many(start, xs, ys, 1, LR, threads=threads)
    out = benchmark.pedantic(beans.sgd_many, args=(start, xs, ys, EPOCHS, LR, threads), rounds=5, warmup_rounds=1)
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-10)


@pytest.mark.benchmark(group="threads (sgd_many, 64 seeds)")
def test_threads_blocks_in_place(benchmark, workload):
    start, xs, ys, want = workload
    threads = beans.max_threads()

    def run():
        blocks, lanes = many.to_blocks(start, threads)
        _blocks_in_place(blocks, lanes, xs, ys, EPOCHS, many.lane_blocks(LR, start.shape[0], blocks))
        return many.from_blocks(blocks, start.shape[0])

    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        run()  # compile before timing
        out = benchmark.pedantic(run, rounds=5, warmup_rounds=1)
    finally:
        numba.set_num_threads(previous)
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-10)
