"""``sgd_jit``: the lesson's loop as a numba kernel on a flat (7,) float64 parameter array.

The readable one: one seed, the lesson's 1-2-1 only, seven named locals. ``sgd_many`` is the
fast path for many seeds and any shape.

The kernel ``_sgd_one`` holds the parameters in locals and repeats the lesson's arithmetic
in the lesson's order; ``sgd_jit`` validates input and copies, so callers' arrays never
change. Keep every jitted helper the kernel calls in this module (numba's cache does not
notice edits to helpers in other files).
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import SCALAR_JIT, numba
from .checks import as_data, check_epochs, check_lr
from .network import LESSON


@numba.njit(**SCALAR_JIT)
def _sigmoid(z):
    # exp(-z) overflows to inf for z << 0 and 1/(1+inf) is 0.0: no special case needed here
    return 1.0 / (1.0 + math.exp(-z))


@numba.njit(**SCALAR_JIT)
def _sgd_one(params, xs, ys, epochs, lr):
    """Train ``params`` (float64 (7,), updated in place) for ``epochs`` passes over (xs, ys)."""
    w11_1, b1_1, w12_1, b2_1 = params[0], params[1], params[2], params[3]
    w11_2, w21_2, b1_2 = params[4], params[5], params[6]
    n = xs.shape[0]
    for _ in range(epochs):
        for i in range(n):
            x = xs[i]
            y = ys[i]
            a1_1 = _sigmoid(w11_1 * x + b1_1)
            a2_1 = _sigmoid(w12_1 * x + b2_1)
            a1_2 = _sigmoid(w11_2 * a1_1 + w21_2 * a2_1 + b1_2)
            # the lesson's product chains, grouped left to right as it evaluates them
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
    params[0], params[1], params[2], params[3] = w11_1, b1_1, w12_1, b2_1
    params[4], params[5], params[6] = w11_2, w21_2, b1_2


def sgd_jit(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float) -> np.ndarray:
    """Per-sample SGD on one parameter set, compiled with numba.

    Parameters
    ----------
    params : float64, shape (7,), in ``PARAM_NAMES`` order; not modified
    xs, ys : float64, shape (n,)
    epochs : int >= 0
    lr : float > 0

    Returns
    -------
    float64, shape (7,): the parameters after training (NaN/inf if training diverged).
    """
    out = LESSON.check_params(params, "params", many=False).copy()
    xs, ys = as_data(xs, "xs"), as_data(ys, "ys", like=xs)
    _sgd_one(out, xs, ys, check_epochs(epochs), check_lr(lr))
    return out
