"""The lane kernels' own exp and sigmoid (kernels._lane_helpers), on their own, over the whole double range."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from beans.kernels._lane_helpers import EXP_MAX_ARG, EXP_MIN_ARG, _exp, _sigmoid

ULP = 2.0**-52
EXP_REL_BOUND = 2 * ULP  # stated in kernels._lane_helpers._exp's docstring
SIGMOID_REL_BOUND = 4 * ULP
SMALLEST_NORMAL = 2.2250738585072014e-308


def each(kernel):
    """A jitted loop applying the scalar jitted ``kernel`` to every value of a float64 array."""

    @numba.njit
    def apply(values):
        out = np.empty_like(values)
        for i in range(values.size):
            out[i] = kernel(values[i])
        return out

    return apply


exp_each, sigmoid_each = each(_exp), each(_sigmoid)


def exact_sigmoid(z: float) -> float:
    """A careful reference: the overflow-free form on each side."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z) if z > -745.2 else 0.0
    return e / (1.0 + e)


def test_exp_is_within_two_ulp_on_its_domain():
    rng = np.random.default_rng(0)
    xs = np.concatenate(
        [
            rng.uniform(EXP_MIN_ARG, 709.78, 1_000_000),
            rng.uniform(-1, 1, 200_000),
            np.linspace(-40, 40, 100_001),
            [EXP_MIN_ARG, 709.78, 0.0, -0.0, 1e-300, -1e-300],
        ]
    )
    want = np.array([math.exp(x) for x in xs])
    rel = np.abs(exp_each(xs) - want) / want
    assert rel.max() <= EXP_REL_BOUND, rel.max() / ULP


def test_exp_is_exactly_one_at_zero():
    assert exp_each(np.array([0.0, -0.0])).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("x", [709.79, 709.8, 710.0, 1e10, 1e308, np.inf])
def test_exp_overflows_to_inf_like_libm(x):
    assert exp_each(np.array([x]))[0] == np.inf


@pytest.mark.parametrize("x", [-708.0001, -745.2, -1e10, -1e308, -np.inf])
def test_exp_below_its_domain_gives_a_tiny_positive_value(x):
    # not a subnormal exp(x), but exp(-708); its caller adds it to 1, where it vanishes
    value = exp_each(np.array([x]))[0]
    assert 0 < value <= math.exp(EXP_MIN_ARG) * (1 + EXP_REL_BOUND)
    assert 1.0 + value == 1.0


def test_exp_propagates_nan():
    assert np.isnan(exp_each(np.array([np.nan]))[0])


def test_exp_domain_constants_match_libm():
    with pytest.raises(OverflowError):
        math.exp(EXP_MAX_ARG)
    assert math.exp(EXP_MIN_ARG) >= SMALLEST_NORMAL


def test_sigmoid_over_the_whole_double_range():
    rng = np.random.default_rng(1)
    magnitudes = 10.0 ** rng.uniform(-300, 308, 200_000)
    zs = np.concatenate(
        [
            magnitudes * rng.choice([-1.0, 1.0], magnitudes.size),
            rng.uniform(-50, 50, 200_000),
            rng.uniform(-760, 760, 100_000),
            [0.0, -0.0, 36.0, 37.5, 708.0, 709.78, 745.2, -708.0, -709.78, -745.2, 1e308, -1e308],
        ]
    )
    got = sigmoid_each(zs)
    want = np.array([exact_sigmoid(z) for z in zs])
    normal = want >= SMALLEST_NORMAL
    rel = np.abs(got[normal] - want[normal]) / want[normal]
    assert rel.max() <= SIGMOID_REL_BOUND, rel.max() / ULP
    # below the normal range 1/(1+exp(-z)) goes subnormal, then 0 once exp(-z) overflows
    assert np.all(np.abs(got[~normal] - want[~normal]) < SMALLEST_NORMAL)
    assert np.all((got >= 0) & (got <= 1))


def test_sigmoid_saturates_at_infinities_and_propagates_nan():
    out = sigmoid_each(np.array([np.inf, -np.inf, np.nan]))
    assert out[0] == 1.0 and out[1] == 0.0 and np.isnan(out[2])
