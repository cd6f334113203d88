"""``sgd_many``: many independent seeds trained together, in parallel across threads.

Each seed's row follows exactly the arithmetic of ``sgd_jit``; a row never reads another, so
results do not depend on the thread count or on which thread ran which seed.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from kernels._checks import as_data, as_params, check_epochs, check_lr, check_threads
from kernels._jit import PARALLEL_JIT


@numba.njit(**PARALLEL_JIT)
def _sgd_rows(params, xs, ys, epochs, lr):
    """Train every row of ``params`` (float64 (S, 7), updated in place) independently."""
    n = xs.shape[0]
    for s in numba.prange(params.shape[0]):
        w11_1, b1_1, w12_1, b2_1 = params[s, 0], params[s, 1], params[s, 2], params[s, 3]
        w11_2, w21_2, b1_2 = params[s, 4], params[s, 5], params[s, 6]
        for _ in range(epochs):
            for i in range(n):
                x = xs[i]
                y = ys[i]
                a1_1 = 1.0 / (1.0 + math.exp(-(w11_1 * x + b1_1)))
                a2_1 = 1.0 / (1.0 + math.exp(-(w12_1 * x + b2_1)))
                a1_2 = 1.0 / (1.0 + math.exp(-(w11_2 * a1_1 + w21_2 * a2_1 + b1_2)))
                d_out = -2.0 * (y - a1_2) * (a1_2 * (1.0 - a1_2))
                d_h1 = d_out * w11_2 * (a1_1 * (1.0 - a1_1))
                d_h2 = d_out * w21_2 * (a2_1 * (1.0 - a2_1))
                w11_2 -= lr * (d_out * a1_1)
                w21_2 -= lr * (d_out * a2_1)
                b1_2 -= lr * d_out
                w12_1 -= lr * (d_h2 * x)
                b2_1 -= lr * d_h2
                w11_1 -= lr * (d_h1 * x)
                b1_1 -= lr * d_h1
        params[s, 0], params[s, 1], params[s, 2], params[s, 3] = w11_1, b1_1, w12_1, b2_1
        params[s, 4], params[s, 5], params[s, 6] = w11_2, w21_2, b1_2


def max_threads() -> int:
    """How many threads numba may use here (``NUMBA_NUM_THREADS``, all cores by default)."""
    return numba.config.NUMBA_NUM_THREADS


def sgd_many(
    params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float, threads: int | None = None
) -> np.ndarray:
    """Per-sample SGD on S independent parameter sets at once.

    Parameters
    ----------
    params : float64, shape (S, 7), one seed per row in ``PARAM_NAMES`` order; not modified
    xs, ys : float64, shape (n,)
    epochs : int >= 0
    lr : float > 0
    threads : int in [1, max_threads()], or None for all

    Returns
    -------
    float64, shape (S, 7): row s equals ``sgd_jit(params[s], ...)``; NaN/inf where a seed
    diverged.
    """
    out = as_params(params, "params", many=True).copy()
    xs, ys = as_data(xs, "xs"), as_data(ys, "ys", like=xs)
    epochs, lr = check_epochs(epochs), check_lr(lr)
    train_rows_inplace(out, xs, ys, epochs, lr, check_threads(threads, max_threads()))
    return out


def train_rows_inplace(
    params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float, threads: int
) -> None:
    """Run the kernel on checked input, updating ``params`` (float64 (S, 7), C order) in place.

    No finiteness check: the training driver lets diverged (NaN) rows run on, since a row
    never touches another.
    """
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        _sgd_rows(params, xs, ys, epochs, lr)
    finally:
        numba.set_num_threads(previous)
