"""kernels.step against the oracles: the lesson's loop, the reference loop and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from beans.kernels.step import (
    LESSON_FORMULAS,
    LESSON_ORDER,
    UPDATE_ORDER,
    any_step,
    evaluate,
    finite_difference,
    hidden_roles,
    lesson_step,
)

import beans

# central differences with h ~ 1e-6 are good to about this (h^2 times a third derivative, plus rounding)
FD_TOL = 1e-7


@pytest.mark.parametrize("bean", [0, 17, 99])
def test_lesson_step_is_one_step_of_the_lessons_loop(start, bean):
    xs, ys = beans.get_beans(100, 0)
    step = lesson_step(start, xs[bean], ys[bean], 0.03)
    after = np.array([step[name] for name in beans.PARAM_NAMES])
    expected = beans.sgd_lesson(start, xs[bean : bean + 1], ys[bean : bean + 1], 1, 0.03)
    np.testing.assert_array_equal(after, expected)


def test_lesson_gradients_equal_finite_differences(start):
    xs, ys = beans.get_beans(100, 0)
    step = lesson_step(start, xs[40], ys[40])
    grads = [step[f"ded{name}"] for name in beans.PARAM_NAMES]
    np.testing.assert_allclose(grads, finite_difference(start, xs[40], ys[40]), atol=FD_TOL)


def test_the_formula_table_says_how_the_lesson_makes_each_name(start):
    step = lesson_step(start, 0.7, 1.0)
    values = {**step, **dict(zip(beans.PARAM_NAMES, start.tolist(), strict=True))}  # parameters as before the step
    for name in LESSON_ORDER[2:]:
        kind, ops = LESSON_FORMULAS[f"{name}'" if name in UPDATE_ORDER else name]
        assert evaluate(kind, ops, values) == pytest.approx(step[name], rel=1e-14, abs=1e-15), name


@pytest.mark.parametrize("shape", [beans.Shape(), beans.Shape((3,), "tanh"), beans.Shape((2, 3), "relu")], ids=str)
def test_any_step_is_the_reference_loop_and_finite_differences(shape):
    params = beans.init_params(5, shape)
    step = any_step(params, 0.9, 1.0, 0.1, shape)
    np.testing.assert_array_equal(
        step.params_after, beans.sgd_python(params, np.array([0.9]), np.array([1.0]), 1, 0.1, shape)
    )
    np.testing.assert_allclose(step.gradients, finite_difference(params, 0.9, 1.0, shape), atol=FD_TOL)


def test_any_step_on_the_lesson_net_agrees_with_the_lesson(start):
    step = any_step(start, 1.1, 1.0, 0.03)
    lesson = lesson_step(start, 1.1, 1.0)
    np.testing.assert_allclose(step.gradients, [lesson[f"ded{n}"] for n in beans.PARAM_NAMES], rtol=1e-13)


def test_hidden_roles_name_the_edges_of_a_trained_hill():
    xs, ys = beans.get_beans(100, 0)
    trained = beans.sgd_python(beans.init_params(0), xs, ys, 5000, 0.03)
    roles = hidden_roles(trained)
    edges = sorted((r.edge_at, r.rising) for r in roles)
    # the toxic band is 0.8 < 0.7x + 0.5 < 1.4: sizes from about 0.43 to 1.29
    assert edges[0][0] == pytest.approx(0.43, abs=0.1) and edges[0][1]
    assert edges[1][0] == pytest.approx(1.29, abs=0.1) and not edges[1][1]
