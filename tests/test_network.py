"""Start values, forward pass, loss, accuracy and per-neuron outputs: the 1-2-1 against the lesson, and any shape."""

from __future__ import annotations

import math

import numpy as np
import pytest
from beans.kernels.network import _forward, neuron_outputs, predict
from beans.kernels.shape import Shape

import beans


def lesson_forward(params, x):
    """The lesson's forward_propgation for one bean, on Python floats; ``params`` in PARAM_NAMES order."""
    p = dict(zip(beans.PARAM_NAMES, params, strict=True))
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    a1_1 = sig(p["w11_1"] * x + p["b1_1"])  # the lesson's names for each weight and bias
    a2_1 = sig(p["w12_1"] * x + p["b2_1"])
    return sig(p["w11_2"] * a1_1 + p["w21_2"] * a2_1 + p["b1_2"])


def test_each_name_is_the_parameter_the_lesson_gives_it():
    """results.json labels parameters by these names: each must be the one the network uses as such."""
    xs = np.linspace(0, 2, 7)
    for k, name in enumerate(beans.PARAM_NAMES):
        params = np.full(7, 0.3)
        params[k] = 2.5  # only this parameter stands out
        want = [lesson_forward(params.tolist(), x) for x in xs]
        np.testing.assert_allclose(beans.predict(params, xs), want, rtol=1e-15, atol=0, err_msg=name)
    assert len(set(beans.PARAM_NAMES)) == beans.N_PARAMS == 7


def test_init_params_uniform_unit_and_reproducible():
    p = beans.init_params(3)
    assert p.shape == (7,) and p.dtype == np.float64
    assert np.all((p >= 0) & (p < 1))
    np.testing.assert_array_equal(p, beans.init_params(3))
    assert not np.array_equal(p, beans.init_params(4))


def test_init_params_many_rows_do_not_depend_on_company():
    many = beans.init_params_many([5, 6, 7])
    assert many.shape == (3, 7)
    np.testing.assert_array_equal(many[1], beans.init_params(6))
    np.testing.assert_array_equal(beans.init_params_many([6])[0], many[1])


def test_the_lesson_init_named_is_todays_start_bit_for_bit():
    shape = beans.Shape((4, 4))
    np.testing.assert_array_equal(beans.init_params(3, init="lesson"), np.random.default_rng(3).random(7))
    np.testing.assert_array_equal(
        beans.init_params_many([2, 9], shape, "lesson"), beans.init_params_many([2, 9], shape)
    )


@pytest.mark.parametrize("init", ["xavier", "he", "normal:0.5"])
def test_other_inits_draw_centred_weights_scaled_by_fan_in_and_zero_biases(init):
    """Over many seeds each weight's spread is its layer's rule; every bias starts at exactly 0."""
    shape = beans.Shape((8, 3))
    starts = beans.init_params_many(range(4000), shape, init)
    for layer in range(shape.n_layers):
        fan_in, fan_out = shape.layer_sizes[layer], shape.layer_sizes[layer + 1]
        want_std = {
            "xavier": np.sqrt(6 / (fan_in + fan_out)) / np.sqrt(3),  # uniform on +-limit: std limit / sqrt(3)
            "he": np.sqrt(2 / fan_in),
            "normal:0.5": 0.5,
        }[init]
        for neuron in range(fan_out):
            first = shape.neuron_start(layer, neuron)
            weights = starts[:, first : first + fan_in]
            assert abs(weights.mean()) < 0.1 * want_std
            assert abs(weights.std() / want_std - 1) < 0.1, (layer, neuron)
            assert np.all(starts[:, first + fan_in] == 0) and not np.signbit(starts[:, first + fan_in]).any()
    if init == "xavier":
        limit = np.sqrt(6 / (1 + 8))
        assert np.abs(starts[:, shape.neuron_start(0, 0)]).max() <= limit


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("lesson", "lesson"), ("Xavier", "xavier"), ("he", "he"), ("normal", "normal:1"), ("normal:0.50", "normal:0.5")],
)
def test_init_names_have_one_written_form(text, canonical):
    assert beans.parse_init(text) == canonical


@pytest.mark.parametrize("text", ["uniform", "normal:0", "normal:-1", "normal:nan", "normal:inf", "he:2", "normal:x"])
def test_bad_inits_are_refused(text):
    with pytest.raises(ValueError, match="init|SCALE|scale"):
        beans.init_params(0, init=text)


def test_predict_matches_the_lessons_forward_pass(start):
    xs = np.linspace(0, 2, 11)
    got = beans.predict(start, xs)
    want = [lesson_forward(start.tolist(), x) for x in xs]
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


def test_predict_many_stacks_rows():
    many = beans.init_params_many([0, 1, 2])
    xs = np.linspace(0, 2, 5)
    out = beans.predict(many, xs)
    assert out.shape == (3, 5)
    np.testing.assert_array_equal(out[2], beans.predict(many[2], xs))


def test_sigmoid_never_overflows_or_warns():
    with np.errstate(all="raise"):  # any overflow, underflow or invalid op would raise
        out = beans.sigmoid(np.array([-1e308, -800.0, -40.0, 0.0, 40.0, 800.0, 1e308]))
    assert out[0] == 0.0 and out[-1] == 1.0 and out[3] == 0.5
    assert np.all(np.diff(out) >= 0)


def test_mse_and_accuracy_by_hand():
    xs = np.array([0.0, 1.0, 2.0])
    params = beans.init_params(0)
    pred = np.array([lesson_forward(params.tolist(), x) for x in xs])
    ys = np.array([0.0, 1.0, 1.0])
    assert beans.mse(params, xs, ys) == pytest.approx(np.mean((ys - pred) ** 2), rel=1e-14)
    assert beans.accuracy(params, xs, ys) == pytest.approx(np.mean((pred > 0.5) == (ys > 0.5)))
    many = np.stack([params, params])
    assert beans.mse(many, xs, ys).shape == (2,)
    assert beans.accuracy(many, xs, ys).shape == (2,)


BAD_PARAMS = [
    (np.zeros(6), "shape"),
    (np.zeros((2, 6)), "shape"),
    (np.zeros((2, 2, 7)), "shape"),
    (np.array([np.nan] + [0.0] * 6), "finite"),
    (np.array([np.inf] + [0.0] * 6), "finite"),
]


@pytest.mark.parametrize("params, message", BAD_PARAMS)
@pytest.mark.parametrize("fn", ["predict", "mse", "accuracy"])
def test_bad_params_raise(fn, params, message):
    xs = np.linspace(0, 2, 4)
    args = (params, xs) if fn == "predict" else (params, xs, np.zeros(4))
    with pytest.raises(ValueError, match=message):
        getattr(beans, fn)(*args)


@pytest.mark.parametrize(
    "xs, ys, message",
    [
        (np.array([0.0, np.nan]), np.zeros(2), "xs must be finite"),
        (np.zeros((2, 2)), np.zeros(2), "xs must be a non-empty 1-d"),
        (np.array([]), np.array([]), "non-empty"),
        (np.zeros(3), np.zeros(2), "ys must have the same shape"),
        (np.zeros(2), np.array([0.0, np.inf]), "ys must be finite"),
    ],
)
def test_bad_data_raises(xs, ys, message):
    with pytest.raises(ValueError, match=message):
        beans.mse(beans.init_params(0), xs, ys)


def test_init_params_many_needs_seeds():
    with pytest.raises(ValueError, match="at least one"):
        beans.init_params_many([])
    with pytest.raises(ValueError, match="seeds"):
        beans.init_params_many([1, -2])


def test_predict_is_silent_and_saturated_for_huge_sizes():
    params = beans.init_params(0)
    with np.errstate(all="raise"):
        out = beans.predict(params, np.array([1e308, -1e308]))
    assert np.all((out >= 0) & (out <= 1))


def test_scalar_results_for_one_parameter_set():
    xs, ys = beans.get_beans(30, 0)
    assert isinstance(beans.mse(beans.init_params(0), xs, ys), float)
    assert isinstance(beans.accuracy(beans.init_params(0), xs, ys), float)


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
        assert predict(p, np.array([x]), shape)[0] == pytest.approx(want, rel=1e-14)


def test_neuron_outputs_give_each_hidden_layer_over_the_beans():
    shape = Shape((3, 5))
    params = beans.init_params_many([0], shape)[0]
    xs = np.linspace(0, 2, 7)
    first, second = neuron_outputs(params, xs, shape)
    assert first.shape == (3, 7) and second.shape == (5, 7)
    np.testing.assert_allclose(first[1], beans.sigmoid(params[2] * xs + params[3]), rtol=1e-15)  # w12_1, b2_1


def test_many_rows_stack_and_huge_weights_neither_warn_nor_fail():
    shape = Shape((4,), "relu")
    params = beans.init_params_many(range(3), shape)
    params[1] *= 1e300
    xs = np.linspace(0, 2, 5)
    with np.errstate(all="raise"):
        out = predict(params, xs, shape)
    assert out.shape == (3, 5)
    np.testing.assert_array_equal(out[2], predict(params[2], xs, shape))
    assert np.all((out >= 0) & (out <= 1))


def test_a_nan_parameter_shows_in_the_output_for_every_activation():
    for activation in ("sigmoid", "tanh", "relu"):  # relu's 0 below the kink must not hide NaN
        shape = Shape((2,), activation)
        params = np.full(shape.n_params, 0.5)
        params[0] = np.nan
        assert np.isnan(_forward(params, np.array([1.0]), shape)[0])
