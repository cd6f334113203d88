"""sgd_python and sgd_jit against the lesson's own loop, finite differences, convergence."""

from __future__ import annotations

import numpy as np
import pytest

import beans

LR = 0.03


@pytest.mark.parametrize("epochs", [1, 4])
@pytest.mark.parametrize(("fn", "within"), [(beans.sgd_python, "python"), (beans.sgd_jit, "jit")])
def test_each_loop_equals_the_lesson(bean_set, start, epochs, fn, within, tol):
    xs, ys = bean_set
    want = beans.sgd_lesson(start, xs, ys, epochs, LR)
    got = fn(start, xs, ys, epochs, LR)
    np.testing.assert_allclose(got, want, rtol=0, atol=getattr(tol, within))


def test_jit_equals_python_after_full_training(tol):
    xs, ys = beans.get_beans(100, 0)
    start = beans.init_params(7)
    np.testing.assert_allclose(
        beans.sgd_jit(start, xs, ys, 300, LR), beans.sgd_python(start, xs, ys, 300, LR), rtol=0, atol=tol.jit
    )


@pytest.mark.parametrize("fn", [beans.sgd_python, beans.sgd_jit, beans.sgd_lesson])
def test_zero_epochs_return_the_start_and_input_is_untouched(fn, start):
    xs, ys = beans.get_beans(20, 0)
    before = start.copy()
    out = fn(start, xs, ys, 0, LR)
    np.testing.assert_array_equal(out, before)
    fn(start, xs, ys, 2, LR)
    np.testing.assert_array_equal(start, before)


def squared_error(params, x, y):
    return (y - beans.predict(params, np.array([x]))[0]) ** 2


@pytest.mark.parametrize("fn", [beans.sgd_python, beans.sgd_jit])
@pytest.mark.parametrize("x, y", [(0.3, 0.0), (0.9, 1.0), (1.7, 0.0)])
def test_one_step_is_lr_times_the_finite_difference_gradient(fn, start, x, y):
    step = start - fn(start, np.array([x]), np.array([y]), 1, LR)
    h = 1e-6
    grad = np.empty(7)
    for k in range(7):
        up, down = start.copy(), start.copy()
        up[k] += h
        down[k] -= h
        grad[k] = (squared_error(up, x, y) - squared_error(down, x, y)) / (2 * h)
    np.testing.assert_allclose(step, LR * grad, rtol=1e-6, atol=1e-13)


def test_lessons_settings_converge_on_most_seeds():
    xs, ys = beans.get_beans(100, 0)
    accs = [beans.accuracy(beans.sgd_jit(beans.init_params(s), xs, ys, 5000, LR), xs, ys) for s in range(10)]
    assert sum(a >= 0.95 for a in accs) >= 8, accs


def test_a_huge_learning_rate_blows_up_the_same_way_in_both_loops():
    # the sigmoids saturate, so the weights run off to huge finite values rather than NaN
    xs, ys = beans.get_beans(100, 0)
    start = beans.init_params(0)
    jit, python = beans.sgd_jit(start, xs, ys, 20, 1e10), beans.sgd_python(start, xs, ys, 20, 1e10)
    assert np.abs(jit).max() > 1e8
    np.testing.assert_allclose(jit, python, rtol=1e-12)


def test_the_kernel_propagates_nan_instead_of_hiding_it():
    from beans.kernels.sgd import _sgd_one  # the wrapper refuses NaN, so feed the kernel directly

    params = beans.init_params(0)
    params[0] = np.nan
    xs, ys = beans.get_beans(10, 0)
    _sgd_one(params, xs, ys, 3, LR)
    assert np.isnan(params).all()


@pytest.mark.parametrize("fn", [beans.sgd_python, beans.sgd_jit])
@pytest.mark.parametrize(
    "change, message",
    [
        (dict(params=np.zeros(5)), "params must have shape"),
        (dict(params=np.zeros((2, 7))), "params must have shape"),
        (dict(params=np.full(7, np.nan)), "params must be finite"),
        (dict(xs=np.array([0.1, np.nan])), "xs must be finite"),
        (dict(ys=np.zeros(3)), "ys must have the same shape"),
        (dict(epochs=-1), "epochs must be >= 0"),
        (dict(epochs=1.5), "epochs must be an integer"),
        (dict(lr=0.0), "lr must be finite and > 0"),
        (dict(lr=-0.1), "lr must be finite and > 0"),
        (dict(lr=float("nan")), "lr must be finite and > 0"),
        (dict(lr="fast"), "lr must be a number"),
    ],
)
def test_bad_input_raises_with_a_useful_message(fn, change, message):
    args = dict(params=beans.init_params(0), xs=np.array([0.1, 0.2]), ys=np.array([0.0, 1.0]), epochs=1, lr=LR)
    args.update(change)
    with pytest.raises(ValueError, match=message):
        fn(**args)
