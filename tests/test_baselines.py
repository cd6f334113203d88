"""sgd_numpy (seeds vectorised with numpy) against the lesson's loop and sgd_python."""

from __future__ import annotations

import numpy as np
import pytest

import beans
from beans.benchmark.baselines import sgd_numpy

LR = 0.03


@pytest.mark.parametrize("epochs", [1, 3])
def test_each_row_equals_the_lesson(bean_set, epochs, tol):
    xs, ys = bean_set
    starts = beans.init_params_many([0, 3, 11])
    got = sgd_numpy(starts, xs, ys, epochs, LR)
    want = np.stack([beans.sgd_lesson(p, xs, ys, epochs, LR) for p in starts])
    np.testing.assert_allclose(got, want, rtol=0, atol=tol.python)


@pytest.mark.parametrize("seeds", [1, 2, 17])
def test_each_row_equals_sgd_python(seeds, tol):
    xs, ys = beans.get_beans(50, 4)
    starts = beans.init_params_many(range(seeds))
    got = sgd_numpy(starts, xs, ys, 20, LR)
    want = np.stack([beans.sgd_python(p, xs, ys, 20, LR) for p in starts])
    assert got.shape == (seeds, 7)
    np.testing.assert_allclose(got, want, rtol=0, atol=tol.python)


def test_zero_epochs_return_the_start_and_input_is_untouched():
    xs, ys = beans.get_beans(20, 0)
    starts = beans.init_params_many([1, 2])
    before = starts.copy()
    np.testing.assert_array_equal(sgd_numpy(starts, xs, ys, 0, LR), before)
    sgd_numpy(starts, xs, ys, 2, LR)
    np.testing.assert_array_equal(starts, before)


def test_a_huge_learning_rate_blows_up_like_sgd_python():
    xs, ys = beans.get_beans(100, 0)
    starts = beans.init_params_many([0])
    got = sgd_numpy(starts, xs, ys, 20, 1e10)[0]
    np.testing.assert_allclose(got, beans.sgd_python(starts[0], xs, ys, 20, 1e10), rtol=1e-12)


GOOD_XS, GOOD_YS = np.linspace(0, 2, 5), np.array([0.0, 1.0, 1.0, 0.0, 0.0])
GOOD_P = np.full((2, 7), 0.5)


@pytest.mark.parametrize(
    "params, xs, ys, epochs, lr, match",
    [
        (np.full(7, 0.5), GOOD_XS, GOOD_YS, 1, LR, "shape"),
        (np.full((2, 6), 0.5), GOOD_XS, GOOD_YS, 1, LR, "shape"),
        (np.full((2, 7), np.nan), GOOD_XS, GOOD_YS, 1, LR, "finite"),
        (GOOD_P, GOOD_XS[:3], GOOD_YS, 1, LR, "same shape"),
        (GOOD_P, np.array([]), np.array([]), 1, LR, "non-empty"),
        (GOOD_P, GOOD_XS, GOOD_YS, -1, LR, "epochs"),
        (GOOD_P, GOOD_XS, GOOD_YS, 1.5, LR, "epochs"),
        (GOOD_P, GOOD_XS, GOOD_YS, 1, 0.0, "lr"),
        (GOOD_P, GOOD_XS, GOOD_YS, 1, float("inf"), "lr"),
    ],
)
def test_bad_input_raises_value_error(params, xs, ys, epochs, lr, match):
    with pytest.raises(ValueError, match=match):
        sgd_numpy(params, xs, ys, epochs, lr)
