"""Forward pass, loss, accuracy and per-neuron outputs for any shape."""

from __future__ import annotations

import math

import numpy as np
import pytest
from beans.kernels.network_any import _forward, accuracy_any, mse_any, neuron_outputs, predict_any

import beans
from beans.shape import Shape


def test_the_lessons_shape_predicts_as_network_does():
    params = beans.init_params_many(range(4))
    xs, ys = beans.get_beans(30, 0)
    np.testing.assert_array_equal(predict_any(params, xs, Shape()), beans.predict(params, xs))
    np.testing.assert_array_equal(mse_any(params, xs, ys, Shape()), beans.mse(params, xs, ys))
    np.testing.assert_array_equal(accuracy_any(params, xs, ys, Shape()), beans.accuracy(params, xs, ys))
    assert isinstance(mse_any(params[0], xs, ys, Shape()), float)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_a_two_layer_net_matches_a_hand_written_forward_pass(activation):
    shape = Shape((2, 1), activation)
    f = {"sigmoid": lambda z: 1 / (1 + math.exp(-z)), "tanh": math.tanh, "relu": lambda z: max(z, 0.0)}[activation]
    p = np.random.default_rng(1).uniform(-1, 1, shape.n_params)
    w11_1, b1_1, w12_1, b2_1, w11_2, w21_2, b1_2, w11_3, b1_3 = p
    for x in (0.2, 1.3):
        h1, h2 = f(w11_1 * x + b1_1), f(w12_1 * x + b2_1)
        g = f(w11_2 * h1 + w21_2 * h2 + b1_2)
        want = 1 / (1 + math.exp(-(w11_3 * g + b1_3)))
        assert predict_any(p, np.array([x]), shape)[0] == pytest.approx(want, rel=1e-14)


def test_neuron_outputs_give_each_hidden_layer_over_the_beans():
    shape = Shape((3, 5))
    params = shape.init_params_many([0])[0]
    xs = np.linspace(0, 2, 7)
    first, second = neuron_outputs(params, xs, shape)
    assert first.shape == (3, 7) and second.shape == (5, 7)
    np.testing.assert_allclose(first[1], beans.sigmoid(params[2] * xs + params[3]), rtol=1e-15)  # w12_1, b2_1


def test_many_rows_stack_and_huge_weights_neither_warn_nor_fail():
    shape = Shape((4,), "relu")
    params = shape.init_params_many(range(3))
    params[1] *= 1e300
    xs = np.linspace(0, 2, 5)
    with np.errstate(all="raise"):
        out = predict_any(params, xs, shape)
    assert out.shape == (3, 5)
    np.testing.assert_array_equal(out[2], predict_any(params[2], xs, shape))
    assert np.all((out >= 0) & (out <= 1))


def test_a_nan_parameter_shows_in_the_output_for_every_activation():
    for activation in ("sigmoid", "tanh", "relu"):  # relu's 0 below the kink must not hide NaN
        shape = Shape((2,), activation)
        params = np.full(shape.n_params, 0.5)
        params[0] = np.nan
        assert np.isnan(_forward(params, np.array([1.0]), shape)[0])
