"""One SGD step laid open: every value the lesson names, for its 1-2-1 and for any ``Shape``.

``lesson_step`` is the lesson's loop body, written as the lesson writes it, for one bean:
it returns every named quantity in the lesson's order, so a tutor can show them and compare
a learner's copy with them. ``LESSON_FORMULAS`` says how each is made from the others, for
telling which slip turns the lesson's value into a learner's. ``any_step`` is the same step for
any shape, with ``Shape``'s parameter names: forward values, deltas and gradients, as
``kernels.reference`` computes them. ``finite_difference`` checks a gradient without calculus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .network import _forward
from .reference import _activation, _sigmoid
from .shape import Shape, as_shape

LESSON = Shape()
LESSON_LR = 0.03  # the lesson's ``alpha``

# The quantities the lesson's loop names, in the order it computes them; the updated
# parameters come last, under the parameters' own names (as in the lesson).
FORWARD_NAMES = ("z1_1", "a1_1", "z2_1", "a2_1", "z1_2", "a1_2")
PARTIAL_NAMES = (
    "deda1_2",
    "da1_2dz1_2",
    "dz1_2dw11_2",
    "dz1_2dw21_2",
    "dz1_2db1_2",
    "dz1_2da1_1",
    "da1_1dz1_1",
    "dz1_1dw11_1",
    "dz1_1db1_1",
    "dz1_2da2_1",
    "da2_1dz2_1",
    "dz2_1dw12_1",
    "dz2_1db2_1",
)
GRADIENT_NAMES = ("dedw11_2", "dedw21_2", "dedb1_2", "dedw11_1", "dedb1_1", "dedw12_1", "dedb2_1")
# the order the lesson updates the parameters in
UPDATE_ORDER = ("w11_2", "w21_2", "b1_2", "w12_1", "b2_1", "w11_1", "b1_1")
# Every name of one step in the lesson's own line order (the partials and gradients interleave there).
LESSON_ORDER = (
    "x",
    "y",
    *FORWARD_NAMES,
    "e",
    "deda1_2",
    "da1_2dz1_2",
    "dz1_2dw11_2",
    "dz1_2dw21_2",
    "dedw11_2",
    "dedw21_2",
    "dz1_2db1_2",
    "dedb1_2",
    "dz1_2da1_1",
    "da1_1dz1_1",
    "dz1_1dw11_1",
    "dedw11_1",
    "dz1_1db1_1",
    "dedb1_1",
    "dz1_2da2_1",
    "da2_1dz2_1",
    "dz2_1dw12_1",
    "dedw12_1",
    "dz2_1db2_1",
    "dedb2_1",
    "alpha",
    *UPDATE_ORDER,
)

# How the lesson makes each name: (kind, operands). "sum" is a sum of products, each product a
# tuple of names or numbers; "sigmoid" and "dsigmoid" take a name (f(z), and f'(z) from a = f(z));
# "error" and "deda" take (y, a): (y - a)**2 and -2*(y - a);
# "update" is (parameter, its gradient). The updated parameters are keyed "<name>'".
LESSON_FORMULAS: dict[str, tuple[str, tuple]] = {
    "z1_1": ("sum", (("w11_1", "x"), ("b1_1",))),
    "a1_1": ("sigmoid", ("z1_1",)),
    "z2_1": ("sum", (("w12_1", "x"), ("b2_1",))),
    "a2_1": ("sigmoid", ("z2_1",)),
    "z1_2": ("sum", (("w11_2", "a1_1"), ("w21_2", "a2_1"), ("b1_2",))),
    "a1_2": ("sigmoid", ("z1_2",)),
    "e": ("error", ("y", "a1_2")),
    "deda1_2": ("deda", ("y", "a1_2")),
    "da1_2dz1_2": ("dsigmoid", ("a1_2",)),
    "dz1_2dw11_2": ("sum", (("a1_1",),)),
    "dz1_2dw21_2": ("sum", (("a2_1",),)),
    "dedw11_2": ("sum", (("deda1_2", "da1_2dz1_2", "dz1_2dw11_2"),)),
    "dedw21_2": ("sum", (("deda1_2", "da1_2dz1_2", "dz1_2dw21_2"),)),
    "dz1_2db1_2": ("sum", ((1,),)),
    "dedb1_2": ("sum", (("deda1_2", "da1_2dz1_2", "dz1_2db1_2"),)),
    "dz1_2da1_1": ("sum", (("w11_2",),)),
    "da1_1dz1_1": ("dsigmoid", ("a1_1",)),
    "dz1_1dw11_1": ("sum", (("x",),)),
    "dedw11_1": ("sum", (("deda1_2", "da1_2dz1_2", "dz1_2da1_1", "da1_1dz1_1", "dz1_1dw11_1"),)),
    "dz1_1db1_1": ("sum", ((1,),)),
    "dedb1_1": ("sum", (("deda1_2", "da1_2dz1_2", "dz1_2da1_1", "da1_1dz1_1", "dz1_1db1_1"),)),
    "dz1_2da2_1": ("sum", (("w21_2",),)),
    "da2_1dz2_1": ("dsigmoid", ("a2_1",)),
    "dz2_1dw12_1": ("sum", (("x",),)),
    "dedw12_1": ("sum", (("deda1_2", "da1_2dz1_2", "dz1_2da2_1", "da2_1dz2_1", "dz2_1dw12_1"),)),
    "dz2_1db2_1": ("sum", ((1,),)),
    "dedb2_1": ("sum", (("deda1_2", "da1_2dz1_2", "dz1_2da2_1", "da2_1dz2_1", "dz2_1db2_1"),)),
    "alpha": ("lr", ()),
    **{f"{name}'": ("update", (name, f"ded{name}")) for name in UPDATE_ORDER},
}


def evaluate(kind: str, operands: tuple, values: dict[str, float], lr: float = LESSON_LR) -> float:
    """One ``LESSON_FORMULAS`` entry, with the names' values taken from ``values``."""

    def value(term) -> float:
        return float(term) if isinstance(term, int | float) else values[term]

    if kind == "sum":
        return sum(math.prod(value(t) for t in product) for product in operands)
    if kind == "sigmoid":
        return _sigmoid(value(operands[0]))
    if kind == "dsigmoid":
        a = value(operands[0])
        return a * (1 - a)
    if kind == "error":
        return (value(operands[0]) - value(operands[1])) ** 2
    if kind == "deda":
        return -2 * (value(operands[0]) - value(operands[1]))
    if kind == "lr":
        return lr
    if kind == "update":
        return value(operands[0]) - values["alpha"] * value(operands[1])
    raise ValueError(f"unknown formula kind {kind!r}")


def lesson_step(params: np.ndarray, x: float, y: float, lr: float = LESSON_LR) -> dict[str, float]:
    """The lesson's loop body for one bean: every name it computes, in ``LESSON_ORDER``.

    Parameters
    ----------
    params : float64 (7,), the lesson's parameters before the step (``PARAM_NAMES`` order)
    x, y : the bean's size and toxicity
    lr : the lesson's ``alpha``

    Returns
    -------
    dict from each name of ``LESSON_ORDER`` to a float; the parameters' names hold their
    values after the step. Bit for bit what ``sgd_lesson`` computes for this bean.
    """
    w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2 = (float(v) for v in params)
    # numpy scalars as in the lesson, where x = xs[i] is one
    x, y = np.float64(x), np.float64(y)

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    with np.errstate(over="ignore"):
        # the lesson's lines, in its order
        z1_1 = w11_1 * x + b1_1
        a1_1 = sigmoid(z1_1)
        z2_1 = w12_1 * x + b2_1
        a2_1 = sigmoid(z2_1)
        z1_2 = w11_2 * a1_1 + w21_2 * a2_1 + b1_2
        a1_2 = sigmoid(z1_2)
        e = (y - a1_2) ** 2
        deda1_2 = -2 * (y - a1_2)
        da1_2dz1_2 = a1_2 * (1 - a1_2)
        dz1_2dw11_2 = a1_1
        dz1_2dw21_2 = a2_1
        dedw11_2 = deda1_2 * da1_2dz1_2 * dz1_2dw11_2
        dedw21_2 = deda1_2 * da1_2dz1_2 * dz1_2dw21_2
        dz1_2db1_2 = 1
        dedb1_2 = deda1_2 * da1_2dz1_2 * dz1_2db1_2
        dz1_2da1_1 = w11_2
        da1_1dz1_1 = a1_1 * (1 - a1_1)
        dz1_1dw11_1 = x
        dedw11_1 = deda1_2 * da1_2dz1_2 * dz1_2da1_1 * da1_1dz1_1 * dz1_1dw11_1
        dz1_1db1_1 = 1
        dedb1_1 = deda1_2 * da1_2dz1_2 * dz1_2da1_1 * da1_1dz1_1 * dz1_1db1_1
        dz1_2da2_1 = w21_2
        da2_1dz2_1 = a2_1 * (1 - a2_1)
        dz2_1dw12_1 = x
        dedw12_1 = deda1_2 * da1_2dz1_2 * dz1_2da2_1 * da2_1dz2_1 * dz2_1dw12_1
        dz2_1db2_1 = 1
        dedb2_1 = deda1_2 * da1_2dz1_2 * dz1_2da2_1 * da2_1dz2_1 * dz2_1db2_1
        alpha = lr
        w11_2 = w11_2 - alpha * dedw11_2
        w21_2 = w21_2 - alpha * dedw21_2
        b1_2 = b1_2 - alpha * dedb1_2
        w12_1 = w12_1 - alpha * dedw12_1
        b2_1 = b2_1 - alpha * dedb2_1
        w11_1 = w11_1 - alpha * dedw11_1
        b1_1 = b1_1 - alpha * dedb1_1
    named = locals()
    return {name: float(named[name]) for name in LESSON_ORDER}


@dataclass(frozen=True)
class Step:
    """One SGD step on one bean, for any shape; arrays in the shape's parameter order.

    ``z`` and ``a`` hold, per layer with parameters (output last), each neuron's net input and
    output; ``delta`` each neuron's de/dz. ``gradients`` (P,) is de/dp for every parameter,
    ``params_after`` (P,) the parameters once the step is taken.
    """

    shape: Shape
    x: float
    y: float
    lr: float
    params_before: np.ndarray
    z: list[list[float]]
    a: list[list[float]]
    e: float
    delta: list[list[float]]
    gradients: np.ndarray
    params_after: np.ndarray


def any_step(params: np.ndarray, x: float, y: float, lr: float, shape: Shape = LESSON) -> Step:
    """One step of ``kernels.reference``'s arithmetic, keeping every value it computes.

    Parameters
    ----------
    params : float64 (P,) in ``shape.param_names`` order; not modified
    x, y : the bean's size and toxicity
    lr : float > 0
    shape : Shape

    Returns
    -------
    Step; its ``params_after`` equals ``sgd_python`` for one epoch over this one bean.
    """
    shape = as_shape(shape)
    params = shape.check_params(params, many=False)
    p = [float(v) for v in params]
    f, df = _activation(shape.activation)
    sizes, last = shape.layer_sizes, shape.n_layers - 1
    x, y = float(x), float(y)
    outs, zs = [[x]], []
    for layer in range(shape.n_layers):
        act = _sigmoid if layer == last else f
        z_row, out = [], []
        for j in range(sizes[layer + 1]):
            k = shape.neuron_start(layer, j)
            z = p[k] * outs[-1][0]
            for i in range(1, sizes[layer]):
                z = z + p[k + i] * outs[-1][i]
            z = z + p[k + sizes[layer]]
            z_row.append(z)
            out.append(act(z))
        zs.append(z_row)
        outs.append(out)
    a = outs[-1][0]
    deltas = [[] for _ in range(shape.n_layers)]
    deltas[last] = [-2 * (y - a) * (a * (1 - a))]
    for layer in range(last - 1, -1, -1):
        for i in range(sizes[layer + 1]):
            above = [deltas[layer + 1][j] * p[shape.neuron_start(layer + 1, j) + i] for j in range(sizes[layer + 2])]
            back = above[0]
            for term in above[1:]:
                back = back + term
            deltas[layer].append(back * df(outs[layer + 1][i]))
    grads = [0.0] * shape.n_params
    for layer in range(shape.n_layers):
        for j in range(sizes[layer + 1]):
            k, d = shape.neuron_start(layer, j), deltas[layer][j]
            for i in range(sizes[layer]):
                grads[k + i] = d * outs[layer][i]
            grads[k + sizes[layer]] = d
    gradients = np.array(grads)
    after = np.array([v - lr * g for v, g in zip(p, grads, strict=True)])
    return Step(shape, x, y, lr, params.copy(), zs, outs[1:], (y - a) ** 2, deltas, gradients, after)


def finite_difference(params: np.ndarray, x: float, y: float, shape: Shape = LESSON, h: float = 1e-6) -> np.ndarray:
    """de/dp for every parameter by central differences of e = (y - output)^2, float64 (P,).

    ``h`` is scaled by each parameter's size (at least 1), so the check stays meaningful for
    large weights; its error is of order h^2 times the third derivative.
    """
    shape = as_shape(shape)
    params = shape.check_params(params, many=False)
    xs = np.array([float(x)])
    out = np.empty(shape.n_params)
    for k in range(shape.n_params):
        step = h * max(1.0, abs(params[k]))
        up, down = params.copy(), params.copy()
        up[k] += step
        down[k] -= step
        e_up = (y - _forward(up, xs, shape)[0]) ** 2
        e_down = (y - _forward(down, xs, shape)[0]) ** 2
        out[k] = (e_up - e_down) / (2 * step)
    return out


@dataclass(frozen=True)
class HiddenRole:
    """What a first-layer neuron adds to the output, over the beans' sizes.

    ``edge_at`` is the size where its step is half way (``-b/w``; None for w = 0), ``rising``
    whether its share of the output (its outgoing weight times its step) goes up there.
    """

    neuron: int  # 1-based, as in the parameter names
    edge_at: float | None
    rising: bool


def hidden_roles(params: np.ndarray, shape: Shape = LESSON) -> list[HiddenRole]:
    """For a net with one hidden layer: where each hidden neuron's step is, and which way it moves the output."""
    shape = as_shape(shape)
    params = shape.check_params(params, many=False)
    if len(shape.hidden) != 1:
        raise ValueError(f"hidden_roles needs one hidden layer, got {shape}")
    roles = []
    for j in range(shape.hidden[0]):
        k = shape.neuron_start(0, j)
        w, b = params[k], params[k + 1]
        out_weight = params[shape.neuron_start(1, 0) + j]
        edge = None if w == 0 else float(-b / w)
        roles.append(HiddenRole(j + 1, edge, bool(w * out_weight > 0)))
    return roles
