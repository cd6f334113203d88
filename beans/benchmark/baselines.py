"""Baselines for ``beans bench``: the lesson's 1-2-1 loop as a numpy user would write it.

Not part of beans' kernels: each is here to be timed against them. ``sgd_numpy`` is what a
numpy user would write to train many seeds at once: each of the seven parameters becomes an
(S,) array and every line of the loop works on all seeds together. The samples are still
visited one by one (per-sample SGD), so each step pays numpy's per-call overhead a few dozen
times; that overhead, spread over S seeds, is what it measures. The steps are the lesson's
arithmetic with the seven parameters as named locals, on arrays instead of floats, so results
agree with ``kernels.sgd_python`` in all but the last bits (numpy's exp may differ from
math.exp there).
"""

from __future__ import annotations

import numpy as np

from ..kernels.checks import as_data, check_epochs, check_lr
from ..kernels.network import LESSON


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp(-z) overflows to inf for z << 0 and 1/(1+inf) is 0.0, within 1e-308 of the reference
    return 1 / (1 + np.exp(-z))


def sgd_numpy(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float) -> np.ndarray:
    """Per-sample SGD on S independent parameter sets, one numpy array operation per seed-wide step.

    Parameters
    ----------
    params : float64, shape (S, 7), one seed per row in ``PARAM_NAMES`` order; not modified
    xs, ys : float64, shape (n,)
    epochs : int >= 0
    lr : float > 0

    Returns
    -------
    float64, shape (S, 7): row s equals ``sgd_python(params[s], ...)`` in all but the last bits; NaN/inf where
    a seed diverged.
    """
    params = LESSON.check_params(params, "params", many=True)
    xs, ys = as_data(xs, "xs"), as_data(ys, "ys", like=xs)
    epochs, lr = check_epochs(epochs), check_lr(lr)
    w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2 = (params[:, k].copy() for k in range(7))  # (S,) each
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging seed goes to inf/NaN, as in sgd_jit
        for _ in range(epochs):
            for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
                a1_1 = _sigmoid(w11_1 * x + b1_1)
                a2_1 = _sigmoid(w12_1 * x + b2_1)
                a1_2 = _sigmoid(w11_2 * a1_1 + w21_2 * a2_1 + b1_2)
                # the lesson's chains, grouped left to right as Python evaluates them there
                d_out = -2 * (y - a1_2) * (a1_2 * (1 - a1_2))
                d_h1 = d_out * w11_2 * (a1_1 * (1 - a1_1))
                d_h2 = d_out * w21_2 * (a2_1 * (1 - a2_1))
                w11_2, w21_2, b1_2 = w11_2 - lr * (d_out * a1_1), w21_2 - lr * (d_out * a2_1), b1_2 - lr * d_out
                w12_1, b2_1 = w12_1 - lr * (d_h2 * x), b2_1 - lr * d_h2
                w11_1, b1_1 = w11_1 - lr * (d_h1 * x), b1_1 - lr * d_h1
    return np.stack([w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2], axis=1)
