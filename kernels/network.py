"""The network in numpy: start values, forward pass, loss, accuracy and each neuron's output.

One implementation for every ``Shape``; the lesson's 1-2-1 is ``Shape()``, the default.
Parameters travel as one flat float64 array in ``shape.param_names`` order (for the 1-2-1,
``PARAM_NAMES``); a batch of S seeds is an (S, P) array with one row per seed. Vectorised
over seeds, for plots and reports: training runs in the kernels (``kernels.many``,
``kernels.sgd``) and the plain-Python reference (``kernels.reference``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .checks import DEFAULT_INIT, as_data, as_rng, parse_init
from .shape import Shape, as_shape

LESSON = Shape()
PARAM_NAMES: tuple[str, ...] = LESSON.param_names  # w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2
N_PARAMS = LESSON.n_params
TOXIC_ABOVE = 0.5  # the lesson's call: a toxicity (or a prediction of it) above this means toxic


def _weight_spread(shape: Shape, init: str) -> np.ndarray:
    """Per parameter, the spread of its start value: a standard deviation (he, normal) or a
    half-width (xavier); 0 for every bias. float64 (P,)."""
    spread = np.zeros(shape.n_params)
    sizes = shape.layer_sizes
    for layer in range(shape.n_layers):
        fan_in, fan_out = sizes[layer], sizes[layer + 1]
        if init == "xavier":
            value = math.sqrt(6.0 / (fan_in + fan_out))
        elif init == "he":
            value = math.sqrt(2.0 / fan_in)
        else:
            value = float(init.partition(":")[2])
        for neuron in range(fan_out):
            first = shape.neuron_start(layer, neuron)
            spread[first : first + fan_in] = value  # the bias, at first + fan_in, stays 0
    return spread


def init_params(rng: int | np.random.Generator, shape: Shape = LESSON, init: str = DEFAULT_INIT) -> np.ndarray:
    """Start values for one seed, drawn in parameter order by the rule ``init`` names (``INITS``).

    ``lesson`` (the default) is uniform in [0, 1), the lesson's ``np.random.rand()`` per
    parameter. Returns float64, shape (shape.n_params,): (7,) for the 1-2-1.
    """
    shape = as_shape(shape)
    init = parse_init(init)
    gen = as_rng(rng, "rng")
    if init == "lesson":
        return gen.random(shape.n_params)
    spread = _weight_spread(shape, init)
    if init == "xavier":
        draws = (2.0 * gen.random(shape.n_params) - 1.0) * spread
    else:
        draws = gen.standard_normal(shape.n_params) * spread
    return np.where(spread > 0, draws, 0.0)  # biases exactly 0.0 (a negative draw times 0 is -0.0)


def init_params_many(seeds: Sequence[int], shape: Shape = LESSON, init: str = DEFAULT_INIT) -> np.ndarray:
    """Start values for many seeds: row i is ``init_params(seeds[i], shape, init)``.

    Each row comes from its own generator, so a seed's start never depends on which other
    seeds run beside it. Returns float64, shape (len(seeds), shape.n_params).
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    init = parse_init(init)
    return np.stack([init_params(as_rng(seed, "seeds"), shape, init) for seed in seeds])


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function that neither overflows nor warns for large |z|.

    For z >= 0 it is the lesson's ``1 / (1 + exp(-z))`` exactly; for z < 0 it uses the
    equal form ``exp(z) / (1 + exp(z))`` so ``exp`` never sees a large positive argument.
    """
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):  # exp(-|z|) -> 0.0 for huge |z| is the right answer
        e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def activate(z: np.ndarray, activation: str) -> np.ndarray:
    """A hidden neuron's output for net input ``z``; NaN stays NaN (a diverged seed shows)."""
    if activation == "sigmoid":
        return sigmoid(z)
    if activation == "tanh":
        return np.tanh(z)
    return np.where(z <= 0.0, 0.0, z)  # relu; NaN <= 0 is False, so NaN passes


def _layer_outputs(params: np.ndarray, xs: np.ndarray, shape: Shape) -> list[np.ndarray]:
    """Every layer's outputs without checks: params (..., P), xs (n,) -> [(..., width, n)] per layer."""
    sizes = shape.layer_sizes
    lead = params.shape[:-1]
    a = xs[None, :]  # the input layer: one "neuron" whose output is the bean size
    outputs = []
    with np.errstate(over="ignore", invalid="ignore"):  # huge weights: inf -> 0/1, or NaN for a diverged seed
        for layer in range(shape.n_layers):
            fan_in, width = sizes[layer], sizes[layer + 1]
            block = params[..., shape.layer_offsets[layer] : shape.layer_offsets[layer + 1]]
            block = block.reshape(*lead, width, fan_in + 1)
            z = block[..., :fan_in] @ a + block[..., fan_in:]  # (..., width, n)
            a = sigmoid(z) if layer == shape.n_layers - 1 else activate(z, shape.activation)
            outputs.append(a)
    return outputs


def _forward(params: np.ndarray, xs: np.ndarray, shape: Shape) -> np.ndarray:
    """Network output without checks: params (P,) or (S, P), xs (n,) -> (n,) or (S, n)."""
    return _layer_outputs(params, xs, shape)[-1][..., 0, :]


def _mse(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, shape: Shape) -> np.ndarray:
    """Mean squared error without checks: () for (P,) params, (S,) for (S, P)."""
    return np.mean((ys - _forward(params, xs, shape)) ** 2, axis=-1)


def _accuracy(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, shape: Shape) -> np.ndarray:
    """Share of beans classified right without checks: () or (S,)."""
    return np.mean((_forward(params, xs, shape) > TOXIC_ABOVE) == (ys > TOXIC_ABOVE), axis=-1)


def predict(params: np.ndarray, xs: np.ndarray, shape: Shape = LESSON) -> np.ndarray:
    """The network's toxicity prediction for bean sizes ``xs``.

    Parameters
    ----------
    params : float64, shape (P,) or (S, P) with P = ``shape.n_params``
    xs : float64, shape (n,)
    shape : Shape, the lesson's 1-2-1 by default

    Returns
    -------
    float64, shape (n,) for one parameter set, (S, n) for S of them; values in [0, 1].
    """
    shape = as_shape(shape)
    return _forward(shape.check_params(params, many="either"), as_data(xs, "xs"), shape)


def mse(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, shape: Shape = LESSON) -> np.ndarray | float:
    """Mean squared error over the beans: a float for (P,) params, float64 (S,) for (S, P)."""
    shape = as_shape(shape)
    params = shape.check_params(params, many="either")
    xs = as_data(xs, "xs")
    out = _mse(params, xs, as_data(ys, "ys", like=xs), shape)
    return float(out) if out.ndim == 0 else out


def accuracy(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, shape: Shape = LESSON) -> np.ndarray | float:
    """Share of beans whose call (output above ``TOXIC_ABOVE`` = toxic) matches ``ys``'s.

    A float for (P,) params, float64 (S,) for (S, P).
    """
    shape = as_shape(shape)
    params = shape.check_params(params, many="either")
    xs = as_data(xs, "xs")
    out = _accuracy(params, xs, as_data(ys, "ys", like=xs), shape)
    return float(out) if out.ndim == 0 else out


def neuron_outputs(params: np.ndarray, xs: np.ndarray, shape: Shape = LESSON) -> list[np.ndarray]:
    """What each hidden neuron computes over ``xs``, for a "what each neuron does" figure.

    Parameters
    ----------
    params : float64, shape (P,), one parameter set
    xs : float64, shape (n,)
    shape : Shape, the lesson's 1-2-1 by default

    Returns
    -------
    list of float64 arrays, one per hidden layer, shape (width, n): row j is neuron j+1's output.
    """
    shape = as_shape(shape)
    return _layer_outputs(shape.check_params(params, many=False), as_data(xs, "xs"), shape)[:-1]
