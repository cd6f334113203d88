"""Shape: sizes, parameter names and order, start values, parsing and limits."""

from __future__ import annotations

import re

import numpy as np
import pytest
from beans.kernels.shape import MAX_HIDDEN_LAYERS, MAX_WIDTH, Shape, parse_hidden

import beans

SHAPES = [(1,), (2,), (3,), (8,), (4, 4), (2, 3, 2), (12, 10)]


def test_the_lessons_shape_is_the_default_and_keeps_its_names():
    shape = Shape()
    assert shape.param_names == beans.PARAM_NAMES
    assert shape.n_params == beans.N_PARAMS == 7
    assert shape.layer_sizes == (1, 2, 1)
    assert str(shape) == "1-2-1 sigmoid"


@pytest.mark.parametrize("hidden", SHAPES)
def test_parameter_count_and_offsets_follow_the_layer_sizes(hidden):
    shape = Shape(hidden)
    sizes = shape.layer_sizes
    counts = [(sizes[layer] + 1) * sizes[layer + 1] for layer in range(len(sizes) - 1)]
    assert shape.n_params == sum(counts) == len(shape.param_names)
    assert np.diff(shape.layer_offsets).tolist() == counts
    assert len(set(shape.param_names)) == shape.n_params


@pytest.mark.parametrize("hidden", SHAPES)
def test_names_say_where_each_parameter_sits(hidden):
    shape = Shape(hidden)
    for layer in range(shape.n_layers):
        fan_in = shape.layer_sizes[layer]
        for j in range(shape.layer_sizes[layer + 1]):
            start = shape.neuron_start(layer, j)
            assert shape.param_names[start + fan_in] == f"b{j + 1}_{layer + 1}"
            for i in range(fan_in):
                name = shape.param_names[start + i]
                assert name.replace(".", "") == f"w{i + 1}{j + 1}_{layer + 1}"
                assert ("." in name) == (i + 1 > 9 or j + 1 > 9)


def test_names_without_a_dot_hold_single_digits():
    names = Shape((12, 10)).param_names
    assert "w1.12_1" in names and "w12.1_2" in names and "w10.1_3" in names and "w11_2" in names
    assert all(re.fullmatch(r"w\d\d_\d|w\d+\.\d+_\d|b\d+_\d", n) for n in names)


@pytest.mark.parametrize("hidden, activation, text", [((4, 4), "tanh", "1-4-4-1 tanh"), ((16,), "relu", "1-16-1 relu")])
def test_str_shows_the_structure(hidden, activation, text):
    shape = Shape(hidden, activation)
    assert str(shape) == text
    assert Shape.parse(shape.hidden_text, activation) == shape


def test_start_values_are_unit_uniform_and_do_not_depend_on_company():
    shape = Shape((4, 4))
    rows = beans.init_params_many([3, 4, 5], shape)
    assert rows.shape == (3, shape.n_params) and rows.dtype == np.float64
    assert np.all((rows >= 0) & (rows < 1))
    np.testing.assert_array_equal(beans.init_params_many([4], shape)[0], rows[1])
    np.testing.assert_array_equal(rows[0], np.random.default_rng(3).random(shape.n_params))


@pytest.mark.parametrize("text, hidden", [("2", (2,)), ("4x4", (4, 4)), ("2x3x2", (2, 3, 2)), (" 16 ", (16,))])
def test_parse_hidden_reads_widths(text, hidden):
    assert parse_hidden(text) == hidden


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "widths joined by 'x'"),
        ("abc", "widths joined by 'x'"),
        ("2xx3", "widths joined by 'x'"),
        ("-1", "widths joined by 'x'"),
        ("4,4", "widths joined by 'x'"),
        ("0", "1 to 64 neurons, got 0"),
        ("4x0", "1 to 64 neurons, got 0"),
        (str(MAX_WIDTH + 1), f"1 to 64 neurons, got {MAX_WIDTH + 1}"),
        ("x".join(["2"] * (MAX_HIDDEN_LAYERS + 1)), "1 to 8 hidden layers, got 9"),
    ],
)
def test_parse_hidden_refuses_with_one_clear_line(text, message):
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        parse_hidden(text)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(hidden=(2,), activation="softmax"), "activation must be one of sigmoid, tanh, relu"),
        (dict(hidden=()), "1 to 8 hidden layers, got 0"),
        (dict(hidden=(2, True)), "hidden must be a sequence of layer widths"),
        (dict(hidden="4x4"), "hidden must be a sequence of layer widths"),
        (dict(hidden=(65,)), "1 to 64 neurons"),
    ],
)
def test_bad_shapes_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Shape(**kwargs)


def test_a_list_of_widths_becomes_the_same_hashable_shape():
    assert Shape([4, np.int64(4)]) == Shape((4, 4))
    assert hash(Shape([4, 4])) == hash(Shape((4, 4)))


def test_check_params_names_the_expected_shape():
    shape = Shape((3,))
    with pytest.raises(ValueError, match=re.escape("params must have shape (S, 10) with S >= 1 for a 1-3-1 sigmoid")):
        shape.check_params(np.zeros((2, 7)))
    with pytest.raises(ValueError, match="params must be finite"):
        shape.check_params(np.full((1, 10), np.nan))
    assert shape.check_params(np.zeros(10), many="either").shape == (10,)
