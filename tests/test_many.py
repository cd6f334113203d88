"""sgd_many against sgd_jit and the lesson: every row, every layout, every thread count."""

from __future__ import annotations

import numpy as np
import pytest
from beans.kernels.many import block_layout, from_blocks, to_blocks, train_rows_inplace

import beans

LR = 0.03
TOL_MANY_LONG = 1e-9  # after the lesson's 5000 epochs: fused multiply-adds and _exp's last ulp add up


@pytest.mark.parametrize("n_seeds", [1, 7, 9, 50])
def test_every_row_equals_sgd_jit_and_the_lesson(bean_set, n_seeds, tol):
    xs, ys = bean_set
    start = beans.init_params_many(range(100, 100 + n_seeds))
    got = beans.sgd_many(start, xs, ys, 3, LR)
    for row, params in zip(got, start, strict=True):
        np.testing.assert_allclose(row, beans.sgd_jit(params, xs, ys, 3, LR), rtol=0, atol=tol.jit)
    np.testing.assert_allclose(got[0], beans.sgd_lesson(start[0], xs, ys, 3, LR), rtol=0, atol=tol.jit)


def test_fifty_seeds_after_the_lessons_full_training():
    xs, ys = beans.get_beans(100, 0)
    start = beans.init_params_many(range(50))
    got = beans.sgd_many(start, xs, ys, 5000, LR)
    want = np.stack([beans.sgd_jit(p, xs, ys, 5000, LR) for p in start])
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL_MANY_LONG)


@pytest.mark.skipif(beans.max_threads() < 2, reason="needs 2 threads")
@pytest.mark.parametrize("n_seeds", [3, 50, 301])
def test_results_do_not_depend_on_the_thread_count(n_seeds):
    xs, ys = beans.get_beans(60, 2)
    start = beans.init_params_many(range(n_seeds))
    one = beans.sgd_many(start, xs, ys, 20, LR, threads=1)
    two = beans.sgd_many(start, xs, ys, 20, LR, threads=2)
    np.testing.assert_array_equal(one, two)


def test_a_seed_does_not_depend_on_its_company():
    xs, ys = beans.get_beans(40, 3)
    start = beans.init_params_many(range(20))
    together = beans.sgd_many(start, xs, ys, 10, LR)
    alone = beans.sgd_many(start[13:14], xs, ys, 10, LR)
    np.testing.assert_array_equal(together[13], alone[0])


def test_a_diverged_lane_stays_nan_and_leaves_the_others_alone():
    xs, ys = beans.get_beans(30, 0)
    start = beans.init_params_many(range(9))
    clean = beans.sgd_many(start, xs, ys, 5, LR)
    poisoned = start.copy()
    poisoned[4, 2] = np.nan
    train_rows_inplace(poisoned, xs, ys, 5, LR, threads=1)  # the checked wrapper refuses NaN
    assert np.isnan(poisoned[4]).all()
    np.testing.assert_array_equal(np.delete(poisoned, 4, axis=0), np.delete(clean, 4, axis=0))


def test_input_is_not_modified():
    xs, ys = beans.get_beans(10, 0)
    start = beans.init_params_many(range(4))
    before = start.copy()
    beans.sgd_many(start, xs, ys, 2, LR)
    np.testing.assert_array_equal(start, before)


@pytest.mark.parametrize("n_seeds", [1, 8, 9, 50, 64, 300, 1000])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_blocks_round_trip_and_cover_every_seed(n_seeds, threads):
    params = np.random.default_rng(n_seeds).random((n_seeds, 7))
    blocks, lanes = to_blocks(params, threads)
    width, n_blocks = block_layout(n_seeds, threads)
    assert blocks.shape == (n_blocks, 7, width) and blocks.flags.c_contiguous
    assert np.all(lanes % 8 == 0) and 0 <= lanes.sum() - n_seeds < 8
    np.testing.assert_array_equal(from_blocks(blocks, n_seeds), params)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(params=np.zeros(7)), "params must have shape"),
        (dict(params=np.zeros((3, 6))), "params must have shape"),
        (dict(params=np.full((2, 7), np.inf)), "params must be finite"),
        (dict(xs=np.array([np.nan, 0.1])), "xs must be finite"),
        (dict(epochs=-2), "epochs must be >= 0"),
        (dict(lr=0), "lr must be finite and > 0"),
        (dict(threads=0), "threads must be between 1"),
        (dict(threads=10_000), "threads must be between 1"),
    ],
)
def test_bad_input_raises(change, message):
    args = dict(params=np.full((2, 7), 0.5), xs=np.array([0.1, 0.2]), ys=np.array([0.0, 1.0]), epochs=1, lr=LR)
    args.update(change)
    with pytest.raises(ValueError, match=message):
        beans.sgd_many(**args)


def test_each_lane_trains_with_its_own_learning_rate_bit_for_bit():
    xs, ys = beans.get_beans(50, 1)
    start = beans.init_params_many(range(12))
    rates = np.array([0.01, 0.3, 3.0])
    mixed = np.repeat(rates, 4)  # lanes 0-3 at 0.01, 4-7 at 0.3, 8-11 at 3.0
    together = start[np.tile(np.arange(4), 3)].copy()
    train_rows_inplace(together, xs, ys, 30, mixed, threads=1)
    for k, lr in enumerate(rates):
        alone = beans.sgd_many(start[:4], xs, ys, 30, lr)
        np.testing.assert_array_equal(together[4 * k : 4 * k + 4], alone)
