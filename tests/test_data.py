"""get_beans against the lesson's own ``dataset.get_beans``, kept verbatim in tests/lesson/dataset.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import beans


def lesson_get_beans(count: int, seed: int):
    """The lesson's ``get_beans(count)``, as written, drawing from ``default_rng(seed)``.

    The lesson draws from numpy's global generator with ``np.random.rand``: in its module, ``np``
    is swapped for numpy with a ``random.rand`` that draws from beans' generator instead, so both
    make the same draws in the same order.
    """
    spec = importlib.util.spec_from_file_location("lesson_dataset", Path(__file__).parent / "lesson" / "dataset.py")
    dataset = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dataset)
    gen = np.random.default_rng(seed)
    random = SimpleNamespace(rand=lambda *size: gen.random(size or None))
    dataset.np = SimpleNamespace(random=random, sort=np.sort, zeros=np.zeros)
    return dataset.get_beans(count)


@pytest.mark.parametrize("count, seed", [(100, 0), (100, 7), (37, 1), (1, 3), (2000, 9)])
def test_the_same_beans_as_the_lessons_own_get_beans(count, seed):
    want_xs, want_ys = lesson_get_beans(count, seed)
    xs, ys = beans.get_beans(count, seed)
    np.testing.assert_array_equal(xs, want_xs)
    np.testing.assert_array_equal(ys, want_ys)


def test_sizes_sorted_in_range_and_float64():
    xs, ys = beans.get_beans(500, 4)
    assert xs.shape == ys.shape == (500,)
    assert xs.dtype == ys.dtype == np.float64
    assert np.all(np.diff(xs) >= 0)
    assert xs.min() >= 0 and xs.max() < 2


def test_labels_follow_the_lessons_rule():
    xs, ys = beans.get_beans(2000, 9)
    assert set(np.unique(ys)) <= {0.0, 1.0}
    # the noise term (0.5-u)/50 moves the level by at most 0.01, so away from the band's
    # edges (x = 3/7 and x = 9/7) the label is fixed by the size alone
    inside = (xs > 3 / 7 + 0.02) & (xs < 9 / 7 - 0.02)
    outside = (xs < 3 / 7 - 0.02) | (xs > 9 / 7 + 0.02)
    assert np.all(ys[inside] == 1.0) and np.all(ys[outside] == 0.0)
    assert inside.any() and outside.any()


def test_data_seed_0_draws_the_same_beans_as_ever():
    """Recorded from this version: any change to the draws would change every run's results."""
    xs, ys = beans.get_beans(100, 0)
    assert [x.hex() for x in xs[:3]] == ["0x1.66f0d1577d200p-8", "0x1.e1e56d6f85900p-6", "0x1.0ec9ed84d0bc0p-5"]
    assert xs[-1].hex() == "0x1.fe924cfaebfdep+0"
    toxic = np.flatnonzero(ys)
    assert (toxic.size, toxic[0], toxic[-1]) == (38, 19, 56)


def test_same_seed_same_beans_and_different_seeds_differ():
    a, b, c = beans.get_beans(50, 1), beans.get_beans(50, 1), beans.get_beans(50, 2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_accepts_a_generator():
    xs, _ = beans.get_beans(10, np.random.default_rng(0))
    np.testing.assert_array_equal(xs, beans.get_beans(10, 0)[0])


@pytest.mark.parametrize("count", [0, -3, 2.5, "10", True])
def test_bad_count_raises(count):
    with pytest.raises(ValueError, match="count"):
        beans.get_beans(count, 0)


@pytest.mark.parametrize("rng", [-1, "seed", 1.5, None])
def test_bad_rng_raises(rng):
    with pytest.raises(ValueError, match="rng"):
        beans.get_beans(10, rng)


def test_noise_one_is_the_lessons_beans_bit_for_bit():
    for count, seed in ((100, 0), (37, 5)):
        lesson, scaled = beans.get_beans(count, seed), beans.get_beans(count, seed, noise=1.0)
        np.testing.assert_array_equal(lesson[0], scaled[0])
        np.testing.assert_array_equal(lesson[1], scaled[1])


def test_noise_scales_the_lessons_noise_term_and_keeps_the_sizes():
    rng = np.random.default_rng(8)
    expect_xs = np.sort(rng.random(400) * 2)
    u = rng.random(400)
    for noise in (0.0, 5.0):
        xs, ys = beans.get_beans(400, 8, noise=noise)
        np.testing.assert_array_equal(xs, expect_xs)
        level = 0.7 * expect_xs + noise * (0.5 - u) / 50 + 0.5
        np.testing.assert_array_equal(ys, ((level > 0.8) & (level < 1.4)).astype(float))
    wide = beans.get_beans(400, 8, noise=20.0)[1]
    assert not np.array_equal(wide, beans.get_beans(400, 8)[1])


@pytest.mark.parametrize("noise", [-0.1, float("nan"), float("inf"), "1", True])
def test_bad_noise_raises(noise):
    with pytest.raises(ValueError, match="noise"):
        beans.get_beans(10, 0, noise=noise)


# --- other curves ------------------------------------------------------------------------------


@pytest.mark.parametrize("count, seed", [(100, 0), (37, 1)])
def test_the_hill_named_is_the_lessons_beans(count, seed):
    want_xs, want_ys = lesson_get_beans(count, seed)
    xs, ys = beans.get_beans(count, seed, curve="hill")
    np.testing.assert_array_equal(xs, want_xs)
    np.testing.assert_array_equal(ys, want_ys)


@pytest.mark.parametrize("curve", ["step", "two-hills", "bump"])
def test_every_curve_has_the_lessons_sizes_and_toxicities_in_0_1(curve):
    xs, ys = beans.get_beans(300, 5, curve=curve)
    np.testing.assert_array_equal(xs, beans.get_beans(300, 5)[0])  # same draws, same sizes
    assert ys.dtype == np.float64 and np.all((ys >= 0) & (ys <= 1))


def test_curves_follow_their_rules_away_from_the_edges():
    """Without noise each curve is a plain function of the level 0.7*x + 0.5."""
    xs, step = beans.get_beans(2000, 2, noise=0, curve="step")
    _, two = beans.get_beans(2000, 2, noise=0, curve="two-hills")
    _, bump = beans.get_beans(2000, 2, noise=0, curve="bump")
    level = 0.7 * xs + 0.5
    np.testing.assert_array_equal(step, (level > 1.1).astype(float))
    np.testing.assert_array_equal(
        two, (((level > 0.7) & (level < 1.0)) | ((level > 1.3) & (level < 1.6))).astype(float)
    )
    np.testing.assert_allclose(bump, np.exp(-0.5 * ((level - 1.1) / 0.17) ** 2), rtol=1e-15)
    assert bump.max() > 0.99 and bump.min() < 0.01  # a bump that rises to 1 and falls back to 0
    # two separate bands: toxic, safe, toxic, read from small to large beans
    runs = np.flatnonzero(np.diff(two)) + 1
    assert [two[0], *two[runs]] == [0, 1, 0, 1, 0]


def test_an_unknown_curve_is_refused_with_the_names():
    with pytest.raises(ValueError, match="hill, step, two-hills, bump"):
        beans.get_beans(10, 0, curve="saddle")
