"""Forward pass, loss, accuracy and per-neuron outputs for any ``Shape``, in numpy.

Vectorised over seeds: params (S, P) give outputs (S, n). For plots and reports; training
runs in the kernels (``kernels.many_any``) and the plain-Python reference
(``kernels.reference_any``). Numpy only.
"""

from __future__ import annotations

import numpy as np

from ..checks import as_data
from ..shape import Shape, as_shape
from .network import TOXIC_ABOVE, sigmoid


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


def predict_any(params: np.ndarray, xs: np.ndarray, shape: Shape) -> np.ndarray:
    """The network's toxicity prediction for bean sizes ``xs``.

    Parameters
    ----------
    params : float64, shape (P,) or (S, P) with P = ``shape.n_params``
    xs : float64, shape (n,)
    shape : Shape

    Returns
    -------
    float64, shape (n,) for one parameter set, (S, n) for S of them; values in [0, 1].
    """
    shape = as_shape(shape)
    return _forward(shape.check_params(params, many="either"), as_data(xs, "xs"), shape)


def mse_any(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, shape: Shape) -> np.ndarray | float:
    """Mean squared error over the beans: a float for (P,) params, float64 (S,) for (S, P)."""
    shape = as_shape(shape)
    params = shape.check_params(params, many="either")
    xs = as_data(xs, "xs")
    out = _mse(params, xs, as_data(ys, "ys", like=xs), shape)
    return float(out) if out.ndim == 0 else out


def accuracy_any(params: np.ndarray, xs: np.ndarray, ys: np.ndarray, shape: Shape) -> np.ndarray | float:
    """Share of beans whose call (output above ``TOXIC_ABOVE`` = toxic) matches ``ys``'s.

    A float for (P,) params, float64 (S,) for (S, P).
    """
    shape = as_shape(shape)
    params = shape.check_params(params, many="either")
    xs = as_data(xs, "xs")
    out = _accuracy(params, xs, as_data(ys, "ys", like=xs), shape)
    return float(out) if out.ndim == 0 else out


def neuron_outputs(params: np.ndarray, xs: np.ndarray, shape: Shape) -> list[np.ndarray]:
    """What each hidden neuron computes over ``xs``, for a "what each neuron does" figure.

    Parameters
    ----------
    params : float64, shape (P,), one parameter set
    xs : float64, shape (n,)
    shape : Shape

    Returns
    -------
    list of float64 arrays, one per hidden layer, shape (width, n): row j is neuron j+1's output.
    """
    shape = as_shape(shape)
    return _layer_outputs(shape.check_params(params, many=False), as_data(xs, "xs"), shape)[:-1]
