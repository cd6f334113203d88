"""sgd_many against sgd_python (any shape) and sgd_jit and the lesson (the 1-2-1), and against itself.

Every row, both kernel kinds (generated per shape, run-time-shaped), every thread count.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest
from beans.kernels import codegen
from beans.kernels.many import (
    _run_threads,
    from_blocks,
    sgd_many,
    to_blocks,
    train_rows_inplace,
    train_rows_recorded,
)
from beans.kernels.network import _accuracy, _mse
from beans.kernels.reference import sgd_python
from beans.kernels.shape import Shape

import beans

LR = 0.03
# after a few epochs: _exp is within 2 ulp of math.exp, multiply-adds may fuse, tanh comes
# from the sigmoid; differences of a few ulp per step, far below this
TOL_MANY = 1e-10
# after the lesson's full 5000 epochs on the 1-2-1, against sgd_jit: those ulps add up
TOL_MANY_LONG = 1e-11
# shapes x activations: every listed shape and every activation at least once (each compiles)
CASES = [((1,), "sigmoid"), ((2,), "tanh"), ((3,), "relu"), ((8,), "tanh"), ((4, 4), "relu"), ((2, 3, 2), "sigmoid")]


def _start(shape, n_seeds, seed=0):
    """Start values of both signs, so relu neurons sit on both sides of the kink."""
    return np.random.default_rng(seed).uniform(-1, 1, (n_seeds, shape.n_params))


@pytest.mark.parametrize("n_seeds", [1, 7, 9, 50])
def test_the_lessons_net_equals_sgd_jit_and_the_lesson(bean_set, n_seeds, tol):
    xs, ys = bean_set
    start = beans.init_params_many(range(100, 100 + n_seeds))
    got = sgd_many(start, xs, ys, 3, LR)
    for row, params in zip(got, start, strict=True):
        np.testing.assert_allclose(row, beans.sgd_jit(params, xs, ys, 3, LR), rtol=0, atol=tol.jit)
    np.testing.assert_allclose(got[0], beans.sgd_lesson(start[0], xs, ys, 3, LR), rtol=0, atol=tol.jit)


def test_fifty_seeds_after_the_lessons_full_training():
    xs, ys = beans.get_beans(100, 0)
    start = beans.init_params_many(range(50))
    got = sgd_many(start, xs, ys, 5000, LR)
    want = np.stack([beans.sgd_jit(p, xs, ys, 5000, LR) for p in start])
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL_MANY_LONG)


@pytest.mark.parametrize("hidden, activation", CASES, ids=lambda v: str(v))
def test_every_row_equals_the_reference(hidden, activation):
    shape = Shape(hidden, activation)
    xs, ys = beans.get_beans(30, 1)
    start = _start(shape, 9)
    got = sgd_many(start, xs, ys, 3, LR, shape)
    want = np.stack([sgd_python(row, xs, ys, 3, LR, shape) for row in start])
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL_MANY)


@pytest.mark.parametrize("hidden, activation", CASES, ids=lambda v: str(v))
def test_the_run_time_shaped_kernel_gives_the_generated_kernels_bits(hidden, activation):
    shape = Shape(hidden, activation)
    xs, ys = beans.get_beans(30, 2)
    test_xs, test_ys = beans.get_beans(20, 3)
    start = _start(shape, 9, seed=5)
    chunks = np.array([2, 3])
    runs = [
        train_rows_recorded(
            start, xs, ys, test_xs, test_ys, chunks, LR, 1, shape, module=codegen.kernel_module(shape, m)
        )
        for m in (10_000, 0)
    ]
    generated, run_time_shaped = runs
    for got, want in zip(run_time_shaped, generated, strict=True):
        np.testing.assert_array_equal(got, want)
    want = np.stack([sgd_python(row, xs, ys, 5, LR, shape) for row in start])
    np.testing.assert_allclose(run_time_shaped.final, want, rtol=0, atol=TOL_MANY)


@pytest.mark.skipif(beans.max_threads() < 2, reason="needs 2 threads")
@pytest.mark.parametrize("n_seeds", [3, 50, 301])
def test_results_do_not_depend_on_the_thread_count(n_seeds):
    shape = Shape((3,), "relu")
    xs, ys = beans.get_beans(40, 2)
    start = _start(shape, n_seeds)
    one = sgd_many(start, xs, ys, 5, LR, shape, threads=1)
    np.testing.assert_array_equal(one, sgd_many(start, xs, ys, 5, LR, shape, threads=2))


def test_a_seed_does_not_depend_on_its_company():
    shape = Shape((3,), "relu")
    xs, ys = beans.get_beans(40, 3)
    start = _start(shape, 20)
    together = sgd_many(start, xs, ys, 10, LR, shape)
    np.testing.assert_array_equal(together[13], sgd_many(start[13:14], xs, ys, 10, LR, shape)[0])


@pytest.mark.parametrize("max_generated_params", [10_000, 0], ids=["generated", "run-time-shaped"])
def test_a_diverged_lane_stays_nan_and_leaves_the_others_alone(max_generated_params):
    module = codegen.kernel_module(Shape((4, 4), "relu"), max_generated_params)
    shape = Shape((4, 4), "relu")  # relu's 0 below the kink must not hide a NaN
    xs, ys = beans.get_beans(30, 0)
    start = _start(shape, 9)
    clean, poisoned = start.copy(), start.copy()
    poisoned[4, 2] = np.nan
    train_rows_inplace(clean, xs, ys, 5, LR, 1, shape, module)
    train_rows_inplace(poisoned, xs, ys, 5, LR, 1, shape, module)  # the checked wrapper refuses NaN
    assert np.isnan(poisoned[4]).all()
    np.testing.assert_array_equal(np.delete(poisoned, 4, axis=0), np.delete(clean, 4, axis=0))


def test_the_recorder_records_losses_accuracy_and_held_out_mse():
    shape = Shape((3,), "relu")
    xs, ys = beans.get_beans(40, 0)
    test_xs, test_ys = beans.get_beans(25, 1)
    start = _start(shape, 11)
    chunks = np.array([3, 3, 2])
    seen = []
    rec = train_rows_recorded(start, xs, ys, test_xs, test_ys, chunks, LR, 2, shape, on_progress=seen.append)
    assert rec.history.shape == (3, 11, shape.n_params)
    for table in (rec.losses, rec.test_losses, rec.accuracy, rec.test_accuracy):
        assert table.shape == (4, 11)
    np.testing.assert_array_equal(rec.final, rec.history[-1])
    np.testing.assert_array_equal(rec.final, sgd_many(start, xs, ys, 8, LR, shape))
    states = np.concatenate([start[None], rec.history])
    for r, params in enumerate(states):
        np.testing.assert_allclose(rec.losses[r], _mse(params, xs, ys, shape), rtol=1e-12)
        np.testing.assert_allclose(rec.test_losses[r], _mse(params, test_xs, test_ys, shape), rtol=1e-12)
        np.testing.assert_array_equal(rec.accuracy[r], _accuracy(params, xs, ys, shape))
        np.testing.assert_array_equal(rec.test_accuracy[r], _accuracy(params, test_xs, test_ys, shape))
    assert seen[-1] == 8


def test_the_recorder_without_held_out_beans_or_params():
    shape = Shape((3,), "relu")
    xs, ys = beans.get_beans(40, 0)
    start = _start(shape, 5)
    rec = train_rows_recorded(start, xs, ys, np.empty(0), np.empty(0), np.array([2, 2]), LR, 1, shape,
                              record_params=False)  # fmt: skip
    assert rec.history is None
    assert np.isnan(rec.test_losses).all() and np.isnan(rec.test_accuracy).all()
    assert np.isfinite(rec.losses).all() and rec.losses.shape == (3, 5)


@pytest.mark.parametrize("n_seeds", [1, 8, 9, 50, 300])
@pytest.mark.parametrize("threads, lanes", [(1, 128), (2, 16), (3, 8)])
def test_blocks_round_trip_and_cover_every_seed(n_seeds, threads, lanes):
    params = np.random.default_rng(n_seeds).random((n_seeds, 10))
    blocks, used, width = to_blocks(params, threads, lanes)
    assert blocks.shape[1] == 10 * lanes and blocks.flags.c_contiguous
    assert np.all(used % 8 == 0) and np.all(used <= width) and 0 <= used.sum() - n_seeds < 8 * len(used)
    assert blocks[0, 3 * lanes] == params[0, 3]  # parameter k of lane s at k*lanes + s
    np.testing.assert_array_equal(from_blocks(blocks, n_seeds, width, lanes), params)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(params=np.zeros((2, 7))), r"params must have shape \(S, 10\)"),
        (dict(params=np.full((2, 10), np.inf)), "params must be finite"),
        (dict(shape=(3,)), "shape must be a beans.Shape"),
        (dict(xs=np.array([np.nan, 0.1])), "xs must be finite"),
        (dict(epochs=-2), "epochs must be >= 0"),
        (dict(lr=0), "lr must be finite and > 0"),
        (dict(threads=0), "threads must be between 1"),
    ],
)
def test_bad_input_raises(change, message):
    args = dict(params=np.full((2, 10), 0.5), xs=np.array([0.1, 0.2]), ys=np.array([0.0, 1.0]), epochs=1, lr=LR)
    args["shape"] = Shape((3,), "relu")
    args.update(change)
    with pytest.raises(ValueError, match=message):
        sgd_many(**args)


def test_input_is_not_modified():
    shape = Shape((3,), "relu")
    start = _start(shape, 4)
    before = start.copy()
    sgd_many(start, *beans.get_beans(10, 0), 2, LR, shape)
    np.testing.assert_array_equal(start, before)


def _interrupt(*args):
    raise KeyboardInterrupt


def _ends_by_its_interrupt(training) -> bool:
    """True when ``training()``, a run of hours unless interrupted, ends by raising KeyboardInterrupt."""
    raised = []

    def run():
        try:
            training()
        except KeyboardInterrupt:
            raised.append(True)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=300)  # a guard against a hang, not a measure of speed
    return not worker.is_alive() and raised == [True]


def test_ctrl_c_stops_every_thread_and_re_raises():
    shape = Shape((3,), "relu")
    xs, ys = beans.get_beans(100, 0)
    chunks = np.full(10**6, 10**6)  # 10**12 epochs: it ends only if the interrupt stops it
    start = _start(shape, 64)
    assert _ends_by_its_interrupt(
        lambda: train_rows_recorded(start, xs, ys, xs[:0], ys[:0], chunks, LR, 2, shape, on_progress=_interrupt)
    )


@pytest.mark.parametrize("max_generated_params", [10_000, 0], ids=["generated", "run-time-shaped"])
def test_ctrl_c_stops_a_kernel_inside_a_long_chunk(max_generated_params):
    # a chunk can be as long as the run (--snapshot-every); the interrupt comes once chunk 0
    # is done, so the kernel is in chunk 1, which alone would take hours
    shape = Shape((2,), "sigmoid")
    xs, ys = beans.get_beans(100, 0)
    chunks = np.array([1, 10**12])
    module = codegen.kernel_module(shape, max_generated_params)
    start = _start(shape, 4)
    assert _ends_by_its_interrupt(
        lambda: train_rows_recorded(
            start, xs, ys, xs[:0], ys[:0], chunks, LR, 1, shape, module=module, on_snapshot=_interrupt
        )
    )


def test_an_error_in_a_helper_thread_stops_the_others_and_is_raised():
    stop = np.zeros(1, dtype=np.int64)
    seen = []

    def part(first, step):
        if first == 1:
            raise RuntimeError("boom")
        while stop[0] == 0:  # as the kernels do at every epoch
            time.sleep(0.001)
        seen.append(first)

    with pytest.raises(RuntimeError, match="boom"):
        _run_threads(part, 2, stop)
    assert seen == [0]


def test_each_lane_trains_with_its_own_learning_rate_bit_for_bit():
    xs, ys = beans.get_beans(50, 1)
    start = beans.init_params_many(range(12))
    rates = np.array([0.01, 0.3, 3.0])
    mixed = np.repeat(rates, 4)  # lanes 0-3 at 0.01, 4-7 at 0.3, 8-11 at 3.0
    together = start[np.tile(np.arange(4), 3)].copy()
    train_rows_inplace(together, xs, ys, 30, mixed, 1, Shape())
    for k, lr in enumerate(rates):
        alone = sgd_many(start[:4], xs, ys, 30, lr)
        np.testing.assert_array_equal(together[4 * k : 4 * k + 4], alone)


def test_a_worker_interrupted_while_waited_for_is_still_waited_for():
    # Thread.join, interrupted by a signal handler's exception, can mark a running thread ended
    # (CPython before 3.13); the process then exited under a kernel numba was still compiling
    from beans.kernels.many import Worker

    release, finished = threading.Event(), threading.Event()

    def work() -> None:
        release.wait(60)
        finished.set()

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    worker = Worker(work, "test-worker")
    previous = signal.signal(signal.SIGUSR1, interrupt)
    try:
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGUSR1)).start()
        with pytest.raises(KeyboardInterrupt):
            worker.wait()
        threading.Timer(0.3, release.set).start()
        assert worker.wait(60)
        assert finished.is_set()
    finally:
        signal.signal(signal.SIGUSR1, previous)
        release.set()
