"""The peer a user would pick instead: JAX at its best on the same job, beside sgd_many.

Skipped unless JAX is installed (it is no dependency of beans): ``pip install jax``.
JAX's best form of this loop, as far as we know: float64, per-seed parameters as seven
scalars, ``lax.scan`` over samples inside ``lax.scan`` over epochs, ``vmap`` over seeds,
one ``jit`` for the whole job. Group "peer: jax"; ns per step = time / (seeds * epochs * 100).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import LR

import beans

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

SEEDS, EPOCHS = 50, 1000


def _sgd_jax(epochs: int, lr: float):
    """A jitted (S, 7), (n,), (n,) -> (S, 7) function: the lesson's loop in JAX."""

    def sigmoid(z):
        return 1.0 / (1.0 + jnp.exp(-z))

    def sample(p, xy):
        w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2 = p
        x, y = xy
        a1_1 = sigmoid(w11_1 * x + b1_1)
        a2_1 = sigmoid(w12_1 * x + b2_1)
        a1_2 = sigmoid(w11_2 * a1_1 + w21_2 * a2_1 + b1_2)
        d_out = -2.0 * (y - a1_2) * (a1_2 * (1.0 - a1_2))
        d_h1 = d_out * w11_2 * (a1_1 * (1.0 - a1_1))
        d_h2 = d_out * w21_2 * (a2_1 * (1.0 - a2_1))
        return (
            w11_1 - lr * (d_h1 * x),
            b1_1 - lr * d_h1,
            w12_1 - lr * (d_h2 * x),
            b2_1 - lr * d_h2,
            w11_2 - lr * (d_out * a1_1),
            w21_2 - lr * (d_out * a2_1),
            b1_2 - lr * d_out,
        ), None

    def one_seed(row, xs, ys):
        def epoch(p, _):
            return jax.lax.scan(sample, p, (xs, ys))[0], None

        p, _ = jax.lax.scan(epoch, tuple(row[k] for k in range(7)), None, length=epochs)
        return jnp.stack(p)

    return jax.jit(jax.vmap(one_seed, in_axes=(0, None, None)))


@pytest.fixture(scope="module")
def job(lesson_beans):
    xs, ys = lesson_beans
    return beans.init_params_many(range(SEEDS)), xs, ys


@pytest.mark.benchmark(group="peer: jax vs sgd_many (50 seeds)")
def test_jax(benchmark, job):
    start, xs, ys = job
    fn = _sgd_jax(EPOCHS, LR)

    def run():
        return np.asarray(fn(start, xs, ys).block_until_ready())

    run()  # compile
    out = benchmark.pedantic(run, rounds=3, warmup_rounds=0)
    benchmark.extra_info["steps"] = SEEDS * EPOCHS * xs.size
    np.testing.assert_allclose(out, beans.sgd_many(start, xs, ys, EPOCHS, LR), rtol=0, atol=1e-9)


@pytest.mark.benchmark(group="peer: jax vs sgd_many (50 seeds)")
@pytest.mark.parametrize("threads", sorted({1, beans.max_threads()}))
def test_sgd_many(benchmark, job, threads):
    start, xs, ys = job
    beans.sgd_many(start, xs, ys, 1, LR, threads=threads)
    benchmark.extra_info["steps"] = SEEDS * EPOCHS * xs.size
    benchmark.pedantic(beans.sgd_many, args=(start, xs, ys, EPOCHS, LR, threads), rounds=3, warmup_rounds=1)
