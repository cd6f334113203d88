"""The lesson's 1-2-1 network: parameter layout, start values, forward pass, loss, accuracy.

Parameters travel as one flat float64 array in the order of ``PARAM_NAMES``; a batch of
S seeds is an (S, 7) array with one row per seed. Names follow the lesson:
``w11_1`` is the weight of neuron 1 on input 1 in layer 1, ``b1_2`` the bias of neuron 1
in layer 2, and so on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..checks import as_data, as_params, as_rng

PARAM_NAMES: tuple[str, ...] = ("w11_1", "b1_1", "w12_1", "b2_1", "w11_2", "w21_2", "b1_2")
N_PARAMS = len(PARAM_NAMES)
TOXIC_ABOVE = 0.5  # the lesson's call: a toxicity (or a prediction of it) above this means toxic


def init_params(rng: int | np.random.Generator) -> np.ndarray:
    """Seven start values uniform in [0, 1), like the lesson's seven ``np.random.rand()``.

    Returns float64, shape (7,).
    """
    return as_rng(rng, "rng").random(N_PARAMS)


def init_params_many(seeds: Sequence[int]) -> np.ndarray:
    """Start values for many seeds: row i is ``init_params(seeds[i])``.

    Each row comes from its own generator, so a seed's start never depends on which
    other seeds run beside it. Returns float64, shape (len(seeds), 7).
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    return np.stack([init_params(as_rng(seed, "seeds")) for seed in seeds])


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function that neither overflows nor warns for large |z|.

    For z >= 0 it is the lesson's ``1 / (1 + exp(-z))`` exactly; for z < 0 it uses the
    equal form ``exp(z) / (1 + exp(z))`` so ``exp`` never sees a large positive argument.
    """
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):  # exp(-|z|) -> 0.0 for huge |z| is the right answer
        e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _forward(params: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Network output without input checks. params (7,) or (S, 7); xs (n,) -> (n,) or (S, n)."""
    p = params[..., :, None]  # (..., 7, 1) broadcasts each parameter against xs
    w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2 = (p[..., k, :] for k in range(N_PARAMS))
    with np.errstate(over="ignore"):  # w*x may overflow to +-inf for huge sizes: sigmoid makes it 0 or 1
        a1_1 = sigmoid(w11_1 * xs + b1_1)
        a2_1 = sigmoid(w12_1 * xs + b2_1)
        return sigmoid(w11_2 * a1_1 + w21_2 * a2_1 + b1_2)


def _mse(params: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Mean squared error without input checks: () for (7,) params, (S,) for (S, 7)."""
    return np.mean((ys - _forward(params, xs)) ** 2, axis=-1)


def _accuracy(params: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Share of beans classified right without input checks: () or (S,)."""
    return np.mean((_forward(params, xs) > TOXIC_ABOVE) == (ys > TOXIC_ABOVE), axis=-1)


def predict(params: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """The network's toxicity prediction for bean sizes ``xs``.

    Parameters
    ----------
    params : float64, shape (7,) or (S, 7)
    xs : float64, shape (n,)

    Returns
    -------
    float64, shape (n,) for one parameter set, (S, n) for S of them; values in [0, 1].
    """
    params = as_params(params, "params", many="either")
    return _forward(params, as_data(xs, "xs"))


def mse(params: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray | float:
    """Mean squared error over the beans: a float for (7,) params, shape (S,) for (S, 7)."""
    params = as_params(params, "params", many="either")
    xs, ys = as_data(xs, "xs"), as_data(ys, "ys", like=xs)
    out = _mse(params, xs, ys)
    return float(out) if out.ndim == 0 else out


def accuracy(params: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray | float:
    """Share of beans whose 0/1 call (above ``TOXIC_ABOVE`` means toxic) matches ``ys``'s.

    A float for (7,) params, shape (S,) for (S, 7).
    """
    params = as_params(params, "params", many="either")
    xs, ys = as_data(xs, "xs"), as_data(ys, "ys", like=xs)
    out = _accuracy(params, xs, ys)
    return float(out) if out.ndim == 0 else out
