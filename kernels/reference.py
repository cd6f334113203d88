"""``sgd_python``: the project's pure-Python reference loop (no numpy in the loop, no numba).

Same arithmetic as the lesson, operation for operation and in the same order, on Python
floats with ``math.exp``; the products are grouped as the lesson's left-to-right chains are,
so the results agree with the lesson to the last bit or two.
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import as_data, as_params, check_epochs, check_lr

# math.exp raises OverflowError above ~709.78; below this the lesson's sigmoid is ~exp(z).
_EXP_ARG_MAX = 709.0


def _sigmoid(z: float) -> float:
    """The lesson's ``1 / (1 + exp(-z))``, without math.exp's OverflowError for z << 0."""
    if z > -_EXP_ARG_MAX:
        return 1 / (1 + math.exp(-z))
    return math.exp(z)  # 1/(1+e^-z) = e^z/(1+e^z), and 1+e^z rounds to 1 here (NaN lands here too)


def sgd_python(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float) -> np.ndarray:
    """Per-sample SGD on the 1-2-1 network in plain Python.

    One epoch visits the beans in order; each sample computes all seven gradients from the
    parameters as they were before that sample, then applies the seven updates.

    Parameters
    ----------
    params : float64, shape (7,), in ``PARAM_NAMES`` order; not modified
    xs, ys : float64, shape (n,)
    epochs : int >= 0
    lr : float > 0

    Returns
    -------
    float64, shape (7,): the parameters after training.
    """
    params = as_params(params, "params", many=False)
    xs, ys = as_data(xs, "xs"), as_data(ys, "ys", like=xs)
    return sgd_python_unchecked(params, xs, ys, check_epochs(epochs), check_lr(lr))


def sgd_python_unchecked(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float) -> np.ndarray:
    """``sgd_python`` without input checks, for callers that checked already (NaN runs on)."""
    samples = list(zip(xs.tolist(), ys.tolist(), strict=True))
    trained = sgd_steps([float(v) for v in params], samples, epochs, lr, _sigmoid)
    return np.array(trained, dtype=np.float64)


def sgd_steps(weights: list, samples: list[tuple[float, float]], epochs: int, lr: float, sigmoid) -> list:
    """The lesson's per-sample SGD in plain Python operators, on whatever the seven weights are.

    Parameters
    ----------
    weights : the seven parameters in ``PARAM_NAMES`` order: floats (``sgd_python``), or
        float64 (S,) arrays, one value per seed (``sgd_numpy``); every operation is elementwise
    samples : (x, y) Python floats, visited in order every epoch
    sigmoid : the logistic function for that kind of weight (``math.exp`` or ``np.exp`` inside)

    Returns
    -------
    list of the seven trained parameters, in ``PARAM_NAMES`` order, of the weights' kind.
    """
    w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2 = weights
    for _ in range(epochs):
        for x, y in samples:
            a1_1 = sigmoid(w11_1 * x + b1_1)
            a2_1 = sigmoid(w12_1 * x + b2_1)
            a1_2 = sigmoid(w11_2 * a1_1 + w21_2 * a2_1 + b1_2)
            # the lesson's chains, grouped left to right as Python evaluates them there
            d_out = -2 * (y - a1_2) * (a1_2 * (1 - a1_2))
            d_h1 = d_out * w11_2 * (a1_1 * (1 - a1_1))
            d_h2 = d_out * w21_2 * (a2_1 * (1 - a2_1))
            w11_2, w21_2, b1_2 = w11_2 - lr * (d_out * a1_1), w21_2 - lr * (d_out * a2_1), b1_2 - lr * d_out
            w12_1, b2_1 = w12_1 - lr * (d_h2 * x), b2_1 - lr * d_h2
            w11_1, b1_1 = w11_1 - lr * (d_h1 * x), b1_1 - lr * d_h1
    return [w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2]
