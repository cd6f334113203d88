"""The peer a user would pick instead: JAX at its best on the same job, beside sgd_many.

Skipped unless JAX is installed (it is no dependency of beans): ``pip install "beans[peers]"``.
The JAX code is ``beans.benchmark.peers.train_jax``, the very row ``beans bench --peers``
times: float64, per-seed parameters as seven scalars, ``lax.scan`` over samples inside a
``lax.fori_loop`` over epochs, ``vmap`` over seeds, one ``jit`` for the whole job.
Group "peer: jax"; ns per step = time / (seeds * epochs * 100).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import LR

import beans

pytest.importorskip("jax", reason='JAX is not installed: pip install "beans[peers]"')

from beans.benchmark.peers import train_jax  # noqa: E402

SEEDS, EPOCHS = 50, 1000


@pytest.fixture(scope="module")
def job(lesson_beans):
    xs, ys = lesson_beans
    return beans.init_params_many(range(SEEDS)), xs, ys


@pytest.mark.benchmark(group="peer: jax vs sgd_many (50 seeds)")
def test_jax(benchmark, job):
    start, xs, ys = job
    train_jax(start, xs, ys, 1, LR)  # compile (epochs and lr are traced: no recompile below)
    out = benchmark.pedantic(train_jax, args=(start, xs, ys, EPOCHS, LR), rounds=3, warmup_rounds=0)
    benchmark.extra_info["steps"] = SEEDS * EPOCHS * xs.size
    np.testing.assert_allclose(out, beans.sgd_many(start, xs, ys, EPOCHS, LR), rtol=0, atol=1e-9)


@pytest.mark.benchmark(group="peer: jax vs sgd_many (50 seeds)")
@pytest.mark.parametrize("threads", sorted({1, beans.max_threads()}))
def test_sgd_many(benchmark, job, threads):
    start, xs, ys = job
    beans.sgd_many(start, xs, ys, 1, LR, threads=threads)
    benchmark.extra_info["steps"] = SEEDS * EPOCHS * xs.size
    benchmark.pedantic(
        beans.sgd_many, args=(start, xs, ys, EPOCHS, LR), kwargs={"threads": threads}, rounds=3, warmup_rounds=1
    )
