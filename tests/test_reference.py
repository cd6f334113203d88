"""sgd_python, the oracle of the fast kernels: against the lesson (1-2-1) and finite differences (any shape)."""

from __future__ import annotations

import numpy as np
import pytest
from beans.kernels.network import _forward, _layer_outputs, mse
from beans.kernels.reference import sgd_python, sgd_python_unchecked
from beans.kernels.shape import Shape

import beans

LR = 0.03
FD_STEP = 1e-5  # central differences: truncation ~FD_STEP**2, rounding ~1e-16 / FD_STEP
FD_RTOL, FD_ATOL = 1e-6, 1e-13


@pytest.mark.parametrize("epochs", [1, 4])
def test_the_lessons_shape_equals_the_lesson(bean_set, start, epochs, tol):
    xs, ys = bean_set
    got = sgd_python(start, xs, ys, epochs, LR, Shape())
    np.testing.assert_allclose(got, beans.sgd_lesson(start, xs, ys, epochs, LR), rtol=0, atol=tol.python)


def _squared_error(params, x, y, shape):
    return (y - _forward(params, np.array([x]), shape)[0]) ** 2


def _away_from_kinks(params, xs, shape):
    """No hidden relu net input within 1e-3 of 0, where the finite difference would straddle the kink."""
    sizes, out = shape.layer_sizes, _layer_outputs(params, xs, shape)
    a = xs[None, :]
    for layer in range(shape.n_layers - 1):
        block = params[shape.layer_offsets[layer] : shape.layer_offsets[layer + 1]].reshape(
            sizes[layer + 1], sizes[layer] + 1
        )
        z = block[:, :-1] @ a + block[:, -1:]
        if np.abs(z).min() < 1e-3:
            return False
        a = out[layer]
    return True


@pytest.mark.parametrize("hidden", [(1,), (2,), (3,), (4, 4), (2, 3, 2)])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_one_step_is_lr_times_the_finite_difference_gradient(hidden, activation):
    shape = Shape(hidden, activation)
    rng = np.random.default_rng(sum(hidden))
    # weights of both signs so relu neurons sit on both sides of the kink; away from it
    start = rng.uniform(-1, 1, shape.n_params)
    while not _away_from_kinks(start, np.array([0.3, 1.7]), shape):
        start = rng.uniform(-1, 1, shape.n_params)
    for x, y in [(0.3, 0.0), (1.7, 1.0)]:
        step = start - sgd_python(start, np.array([x]), np.array([y]), 1, LR, shape)
        grad = np.empty(shape.n_params)
        for k in range(shape.n_params):
            up, down = start.copy(), start.copy()
            up[k] += FD_STEP
            down[k] -= FD_STEP
            grad[k] = (_squared_error(up, x, y, shape) - _squared_error(down, x, y, shape)) / (2 * FD_STEP)
        np.testing.assert_allclose(step, LR * grad, rtol=FD_RTOL, atol=FD_ATOL)


def test_a_relu_net_learns_the_hill():
    xs, ys = beans.get_beans(60, 0)
    shape = Shape((4,), "relu")
    start = np.random.default_rng(0).uniform(-1, 1, shape.n_params)
    trained = sgd_python(start, xs, ys, 300, 0.1, shape)
    assert mse(trained, xs, ys, shape) < mse(start, xs, ys, shape)


def test_a_nan_parameter_spreads_to_the_whole_net():
    shape = Shape((3,), "relu")
    start = np.full(shape.n_params, 0.5)
    start[0] = np.nan
    out = sgd_python_unchecked(start, np.array([0.5, 1.0]), np.array([1.0, 0.0]), 2, LR, shape)
    assert np.isnan(out).all()


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(params=np.zeros(7)), "params must have shape"),
        (dict(shape=(4, 4)), "shape must be a beans.Shape"),
        (dict(epochs=-1), "epochs must be >= 0"),
        (dict(lr=0.0), "lr must be finite and > 0"),
        (dict(ys=np.zeros(3)), "ys must have the same shape"),
    ],
)
def test_bad_input_raises(change, message):
    shape = Shape((4, 4))
    args = dict(params=np.zeros(shape.n_params), xs=np.array([0.1, 0.2]), ys=np.array([0.0, 1.0]))
    args.update(epochs=1, lr=LR, shape=shape)
    args.update(change)
    with pytest.raises(ValueError, match=message):
        sgd_python(**args)
