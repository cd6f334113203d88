"""``sgd_python``: the pure-Python reference loop for any ``Shape``, the oracle of every fast kernel.

Plain Python floats and ``math.exp``, no numpy in the loop, no numba. The arithmetic is the
lesson's, operation for operation and in the same order, generalised to any depth and width;
for the lesson's 1-2-1 (``Shape()``) it agrees with the lesson's own loop to the last bit or two:

- a neuron's net input is ``w1*a1 + w2*a2 + ... + b``, summed left to right (``w11_1 * x + b1_1``);
- the output delta is ``-2*(y - a) * (a*(1 - a))``;
- a hidden neuron's delta is ``(d1*w1 + d2*w2 + ...) * f'`` over the neurons it feeds
  (one of them in the lesson: ``d_out * w11_2 * (a1_1*(1 - a1_1))``);
- every update ``w - lr*(d*a)`` and ``b - lr*d`` uses the parameters as they were before the
  sample.

Hidden activations: sigmoid (``f' = a*(1 - a)``), tanh (``math.tanh``, ``f' = 1 - a*a``) and
relu (``0 if z <= 0 else z``, so NaN passes; ``f' = 1 if a > 0 else 0``).
"""

from __future__ import annotations

import math

import numpy as np

from .checks import as_data, check_epochs, check_lr
from .shape import Shape, as_shape

# math.exp raises OverflowError above ~709.78; below this the lesson's sigmoid is ~exp(z).
_EXP_ARG_MAX = 709.0


def _sigmoid(z: float) -> float:
    """The lesson's ``1 / (1 + exp(-z))``, without math.exp's OverflowError for z << 0."""
    if z > -_EXP_ARG_MAX:
        return 1 / (1 + math.exp(-z))
    return math.exp(z)  # 1/(1+e^-z) = e^z/(1+e^z), and 1+e^z rounds to 1 here (NaN lands here too)


def _activation(name: str):
    """The hidden neurons' (f(z), f' from f(z)) as plain-float functions."""
    if name == "sigmoid":
        return _sigmoid, lambda a: a * (1 - a)
    if name == "tanh":
        return math.tanh, lambda a: 1 - a * a
    return (lambda z: 0.0 if z <= 0 else z), (lambda a: 1.0 if a > 0 else 0.0)


def sgd_python(
    params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float, shape: Shape = Shape()
) -> np.ndarray:
    """Per-sample SGD on a network of any ``shape`` in plain Python.

    Parameters
    ----------
    params : float64, shape (P,) with P = ``shape.n_params``, in ``shape.param_names`` order; not modified
    xs, ys : float64, shape (n,)
    epochs : int >= 0
    lr : float > 0
    shape : Shape, the lesson's 1-2-1 by default

    Returns
    -------
    float64, shape (P,): the parameters after training.
    """
    shape = as_shape(shape)
    params = shape.check_params(params, many=False)
    xs, ys = as_data(xs, "xs"), as_data(ys, "ys", like=xs)
    return sgd_python_unchecked(params, xs, ys, check_epochs(epochs), check_lr(lr), shape)


def sgd_python_unchecked(
    params: np.ndarray, xs: np.ndarray, ys: np.ndarray, epochs: int, lr: float, shape: Shape
) -> np.ndarray:
    """``sgd_python`` without input checks, for callers that checked already (NaN runs on)."""
    p = [float(v) for v in params]
    f, df = _activation(shape.activation)
    sizes = shape.layer_sizes
    last = shape.n_layers - 1
    # (first parameter index, fan-in, width) per layer
    layers = [(shape.layer_offsets[layer], sizes[layer], sizes[layer + 1]) for layer in range(shape.n_layers)]
    for _ in range(epochs):
        for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
            outs = [[x]]  # each layer's outputs, the input first
            for layer, (start, fan_in, width) in enumerate(layers):
                act = _sigmoid if layer == last else f
                prev, out = outs[-1], []
                for j in range(width):
                    k = start + j * (fan_in + 1)
                    z = p[k] * prev[0]
                    for i in range(1, fan_in):
                        z = z + p[k + i] * prev[i]
                    out.append(act(z + p[k + fan_in]))
                outs.append(out)
            a = outs[-1][0]
            deltas = [None] * len(layers)
            deltas[last] = [-2 * (y - a) * (a * (1 - a))]
            for layer in range(last - 1, -1, -1):
                above_start, width, above_width = layers[layer + 1][0], layers[layer][2], layers[layer + 1][2]
                above = deltas[layer + 1]
                layer_deltas = []
                for i in range(width):
                    # neuron i feeds neuron j of the layer above through weight above_start + j*(width+1) + i
                    back = above[0] * p[above_start + i]
                    for j in range(1, above_width):
                        back = back + above[j] * p[above_start + j * (width + 1) + i]
                    layer_deltas.append(back * df(outs[layer + 1][i]))
                deltas[layer] = layer_deltas
            # every gradient above came from the parameters before this sample: now update
            for layer, (start, fan_in, width) in enumerate(layers):
                prev = outs[layer]
                for j in range(width):
                    k, d = start + j * (fan_in + 1), deltas[layer][j]
                    for i in range(fan_in):
                        p[k + i] = p[k + i] - lr * (d * prev[i])
                    p[k + fan_in] = p[k + fan_in] - lr * d
    return np.array(p, dtype=np.float64)
