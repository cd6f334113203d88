"""``sgd_numpy``: the lesson's loop vectorised across seeds with numpy arrays, no numba.

This is what a numpy user would write to train many seeds at once: each of the seven
parameters becomes an (S,) array and every line of the loop works on all seeds together.
The samples are still visited one by one (per-sample SGD), so each step pays numpy's
per-call overhead a few dozen times; that overhead, spread over S seeds, is what it measures.
The steps are ``sgd_python``'s own (``reference.sgd_steps``, on arrays instead of floats), so
results agree with it in all but the last bits (numpy's exp may differ from math.exp there).
"""

from __future__ import annotations

import numpy as np

from ..checks import as_data, as_params, check_epochs, check_lr
from .reference import sgd_steps


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
    params = as_params(params, "params", many=True)
    xs, ys = as_data(xs, "xs"), as_data(ys, "ys", like=xs)
    epochs, lr = check_epochs(epochs), check_lr(lr)
    # one contiguous (S,) array per parameter, through sgd_python's very steps
    weights = [params[:, k].copy() for k in range(params.shape[1])]
    samples = list(zip(xs.tolist(), ys.tolist(), strict=True))
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging seed goes to inf/NaN, as in sgd_jit
        trained = sgd_steps(weights, samples, epochs, lr, _sigmoid)
    return np.stack(trained, axis=1)
