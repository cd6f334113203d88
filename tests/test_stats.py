"""The Wilson interval against the bounds it is defined by: the roots of a quadratic in the true share."""

from __future__ import annotations

import numpy as np
import pytest

from beans.stats import Z95, wilson_interval


def reference_bounds(k: int, n: int, z: float) -> tuple[float, float]:
    """The shares p0 at which k of n sits exactly z standard errors away: (k/n - p0)^2 n = z^2 p0 (1 - p0).

    Written out, (n + z^2) p0^2 - (2k + z^2) p0 + k^2/n = 0; its two roots are the interval's ends.
    """
    roots = np.sort(np.roots([n + z * z, -(2 * k + z * z), k * k / n]).real)
    return float(roots[0]), float(roots[1])


@pytest.mark.parametrize(
    ("k", "n"), [(0, 1), (1, 1), (0, 20), (20, 20), (2, 2), (95, 100), (48, 50), (7, 13), (1, 1000)]
)
def test_the_interval_is_the_quadratics_two_roots(k, n):
    low, high = wilson_interval(k, n)
    want_low, want_high = reference_bounds(k, n, Z95)
    assert low == pytest.approx(max(want_low, 0.0), abs=1e-12)
    assert high == pytest.approx(min(want_high, 1.0), abs=1e-12)
    assert 0 <= low <= k / n <= high <= 1


def test_the_ends_at_none_and_all_are_exact():
    """At k = 0 the low end is 0 and the high end z^2 / (n + z^2); at k = n the mirror image."""
    for n in (1, 2, 20, 100):
        edge = Z95**2 / (n + Z95**2)
        assert wilson_interval(0, n) == (0.0, pytest.approx(edge, rel=1e-12))
        assert wilson_interval(n, n) == (pytest.approx(1 - edge, rel=1e-12), 1.0)


def test_two_of_two_does_not_outrank_95_of_100():
    assert wilson_interval(2, 2)[0] < wilson_interval(95, 100)[0]


def test_z_is_the_normal_975_quantile():
    from statistics import NormalDist

    assert NormalDist().inv_cdf(0.975) == pytest.approx(Z95, rel=1e-15)


@pytest.mark.parametrize(("k", "n"), [(-1, 5), (6, 5), (0, 0), (1.0, 2), (True, 2)])
def test_impossible_counts_are_refused(k, n):
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson_interval(k, n)
