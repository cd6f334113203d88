"""``sgd_many``: many seeds of a network of any ``Shape``, in SIMD lanes and across threads.

One seed's SGD loop is latency-bound: every step waits for the previous step's exp and
division. Independent seeds can be advanced together instead: seeds sit in the lanes of
blocks (parameter k of lane s at ``blk[k*B + s]``), so the loop over seeds vectorises, and
blocks go to threads. The kernels come from ``kernels.codegen``, written out per shape or, for
big nets, run-time-shaped. A lane never reads another and every lane runs the same
instructions, so results do not depend on the thread count or on which seeds run together.

The threads are Python threads, each making one kernel call for all its blocks and chunks
(the kernels release the GIL), not a numba ``prange``: a parallel=True entry point roughly
doubled the compile time of every new shape. The kernel entry is plain arrays in, arrays out.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from types import ModuleType
from typing import NamedTuple

import numpy as np

from ._jit import numba
from .checks import as_data, check_epochs, check_lr, check_threads
from .codegen import LANE_GROUP, kernel_module, scratch_lanes
from .network import TOXIC_ABOVE
from .shape import Shape, as_shape


def to_blocks(params: np.ndarray, threads: int, lanes: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(S, P) rows -> float64 (nb, P * lanes) blocks, int64 (nb,) lanes in use, seeds per block.

    Block b holds seeds ``b*width ...`` in its first lanes; parameter k of lane s at
    ``k*lanes + s``. Lanes past the last seed are padding (a harmless 0.5 everywhere), dropped
    by ``from_blocks``.
    """
    n_seeds, n_params = params.shape
    width, n_blocks = block_layout(n_seeds, threads, lanes)
    padded = np.full((n_blocks * lanes, n_params), 0.5)
    padded[_seat_rows(n_seeds, width, lanes)] = params
    blocks = np.ascontiguousarray(padded.reshape(n_blocks, lanes, n_params).transpose(0, 2, 1))
    blocks = blocks.reshape(n_blocks, n_params * lanes)
    groups_used = -(-(n_seeds - np.arange(n_blocks) * width) // LANE_GROUP)
    return blocks, np.minimum(groups_used * LANE_GROUP, width).astype(np.int64), width


def _seat_rows(n_seeds: int, width: int, lanes: int) -> np.ndarray:
    """Flat (block, lane) slot of each seed: seed i in block i // width, lane i % width. int64 (S,)."""
    seeds = np.arange(n_seeds)
    return seeds // width * lanes + seeds % width


def from_blocks(blocks: np.ndarray, n_seeds: int, width: int, lanes: int) -> np.ndarray:
    """Inverse of ``to_blocks``: (nb, P * lanes) -> (n_seeds, P) rows, C order."""
    n_params = blocks.shape[1] // lanes
    rows = blocks.reshape(blocks.shape[0], n_params, lanes).transpose(0, 2, 1).reshape(-1, n_params)
    return np.ascontiguousarray(rows[_seat_rows(n_seeds, width, lanes)])


def _lanes_of(record: np.ndarray, n_seeds: int, width: int, lanes: int) -> np.ndarray:
    """(R, nb, lanes) per-lane records -> (R, n_seeds)."""
    return record.reshape(record.shape[0], record.shape[1] * lanes)[:, _seat_rows(n_seeds, width, lanes)]


def _aligned(n: int) -> np.ndarray:
    """Uninitialised float64 (n,) starting on a 64-byte boundary (a cache line; one 512-bit vector).

    The kernels read and write rows of B lanes; rows that start mid-line split vector loads
    and stores across cache lines (np.empty's own placement did so for some sizes, and the
    deeper nets ran slower so, bench/shape_ratios.py).
    """
    buffer = np.empty(n + 8)
    skip = (-buffer.ctypes.data % 64) // 8
    return buffer[skip : skip + n]


def block_layout(n_seeds: int, threads: int, max_lanes: int) -> tuple[int, int]:
    """How to cut ``n_seeds`` into blocks: returns (lanes per block, number of blocks).

    Blocks are whole groups of ``LANE_GROUP`` lanes and at most ``max_lanes`` wide (a multiple
    of ``LANE_GROUP``: the shape's block width, ``module.B``); their number is a
    multiple of ``threads`` when there are enough groups, so each thread gets about the same work.
    """
    groups = -(-n_seeds // LANE_GROUP)
    max_groups = max_lanes // LANE_GROUP
    target_blocks = min(groups, threads * -(-groups // (threads * max_groups)))
    groups_per_block = -(-groups // target_blocks)
    return groups_per_block * LANE_GROUP, -(-groups // groups_per_block)


def max_threads() -> int:
    """How many threads numba may use here (``NUMBA_NUM_THREADS``, all cores by default)."""
    return numba.config.NUMBA_NUM_THREADS


def _net(shape: Shape) -> tuple[np.ndarray, int]:
    """The shape as the run-time-shaped kernels take it: int64 layer sizes, activation code."""
    return np.array(shape.layer_sizes, dtype=np.int64), shape.activation_code


class Worker:
    """A started thread whose end is waited for on an Event, never with ``Thread.join``.

    On CPython before 3.13 a join that an exception from a signal handler interrupts (Ctrl-C,
    or a SIGTERM handler that raises, as the CLI's does) can mark the thread ended while it
    still runs; the process then exits under a kernel that numba is still compiling, and LLVM
    aborts it. A SIGTERM during a first run's compile ended so now and then
    (tests/test_many.py::test_a_worker_interrupted_while_waited_for_is_still_waited_for).
    """

    def __init__(self, target: Callable[[], None], name: str, daemon: bool = False) -> None:
        self._ended = threading.Event()

        def run() -> None:
            try:
                target()
            finally:
                self._ended.set()

        threading.Thread(target=run, name=name, daemon=daemon).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait at most ``timeout`` seconds (None: for good); True once the thread has ended."""
        return self._ended.wait(timeout)


def _run_threads(part: Callable[[int, int], None], threads: int, stop: np.ndarray) -> None:
    """Run ``part(t, threads)`` for t in range(threads) at once, t = 0 in this thread.

    The kernels release the GIL, so Python threads run them in parallel. An error in any part
    stops the others within an epoch and is raised here once all have ended.
    """
    failures: list[BaseException] = []

    def guarded(t: int) -> None:
        try:
            part(t, threads)
        except BaseException as err:  # handed to the calling thread below
            failures.append(err)
            stop[0] = 1

    helpers = [Worker(functools.partial(guarded, t), f"beans-kernel-{t}") for t in range(1, threads)]
    try:
        part(0, threads)
    except BaseException:
        stop[0] = 1
        raise
    finally:
        for helper in helpers:
            helper.wait()
    if failures:
        raise failures[0]


def _real_seeds_per_block(n_seeds: int, width: int) -> np.ndarray:
    """How many of each block's lanes hold real seeds (the rest is padding). int64 (nb,)."""
    starts = np.arange(0, n_seeds, width)
    return np.minimum(width, n_seeds - starts)


def _run_watched(
    run, chunk_epochs, chunks_done, seeds_per_block, stop, on_progress, poll_seconds, on_poll=None
) -> None:
    """Run ``run`` in a worker thread, reporting progress from this one until it ends.

    ``on_progress`` (may be None) gets the seed-averaged epochs done when they change;
    ``on_poll`` (may be None) is called at every poll. The last calls always come after the
    worker has finished (a short run can end before the first poll), and an exception in the
    worker is raised here, not lost with its thread; one raised by a callback stops the kernel
    within an epoch and is raised here once the worker has ended.
    """
    failure: list[BaseException] = []

    def guarded() -> None:
        try:
            run()
        except BaseException as err:  # handed to the calling thread below
            failure.append(err)

    epochs_after = np.concatenate(([0], np.cumsum(chunk_epochs)))
    reported = -1

    def report() -> None:
        nonlocal reported
        if on_poll is not None:
            on_poll()
        if on_progress is None:
            return
        done = int(epochs_after[chunks_done] @ seeds_per_block // seeds_per_block.sum())
        if done != reported:
            on_progress(done)
            reported = done

    worker = Worker(guarded, "beans-kernel", daemon=True)
    try:
        while not worker.wait(poll_seconds):
            report()
    except BaseException:
        stop[0] = 1  # the kernel checks this at every epoch
        worker.wait()
        raise
    if failure:
        raise failure[0]
    report()


class Recorded(NamedTuple):
    """What ``train_rows_recorded`` returns. C chunks, S seeds, P parameters; R = C + 1 records.

    history : float64 (C, S, P), every seed's parameters after each chunk; None when not recorded
    final : float64 (S, P), the parameters after the last chunk
    losses : float64 (R, S), MSE on the training beans at the start and after each chunk
    test_losses : float64 (R, S), MSE on the held-out beans (NaN when there are none)
    accuracy : float64 (R, S), share of training beans called right (output > TOXIC_ABOVE
        exactly when y > TOXIC_ABOVE)
    test_accuracy : float64 (R, S), the same on the held-out beans (NaN when there are none)
    """

    history: np.ndarray | None
    final: np.ndarray
    losses: np.ndarray
    test_losses: np.ndarray
    accuracy: np.ndarray
    test_accuracy: np.ndarray


def train_rows_recorded(
    params: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    test_xs: np.ndarray,
    test_ys: np.ndarray,
    chunk_epochs: np.ndarray,
    lr: float | np.ndarray,
    threads: int,
    shape: Shape,
    on_progress: Callable[[int], None] | None = None,
    poll_seconds: float = 0.05,
    record_params: bool = True,
    module: ModuleType | None = None,
    record: bool = True,
    on_snapshot: Callable[[int, np.ndarray, np.ndarray], None] | None = None,
) -> Recorded:
    """Train checked input chunk by chunk, one kernel call per thread, recording after every chunk.

    Parameters
    ----------
    params : float64 (S, P), not modified
    xs, ys : float64 (n,), the training beans; test_xs, test_ys : float64 (m,), held out, m may be 0
    chunk_epochs : int64 (C,), epochs in each chunk
    lr : float, or float64 (S,) one learning rate per seed (cells of a sweep that differ only in
        lr train side by side); threads : int >= 1; shape : Shape, P = shape.n_params
    on_progress : called from this thread with the seed-averaged epochs done so far, while
        the kernels run in worker threads (they release the GIL); Ctrl-C stops them within an
        epoch and re-raises.
    record_params : keep every seed's parameters after every chunk (C x S x P doubles); False
        keeps the losses and accuracies only
    module : the lane-kernel module to run (``codegen.kernel_module``); None picks the shape's own
    record : False records nothing (``history`` None, the four records (0, S)): plain training
    on_snapshot : called from this thread as ``on_snapshot(c, params, losses)`` with the newest
        chunk c that every block has finished, float64 (S, P) copies of the parameters and (S,)
        of the training losses after it; chunks finished between two polls are skipped, never
        queued, and the last chunk always comes. Needs ``record_params``.

    Returns
    -------
    Recorded (history, final, losses, test_losses, accuracy, test_accuracy), see its docstring.
    """
    module = kernel_module(shape) if module is None else module
    n_seeds = params.shape[0]
    blocks, lanes, width = to_blocks(params, threads, module.B)
    sizes, act = _net(shape)
    rates = _aligned(blocks.shape[0] * module.B)
    rates[:] = 0.0  # padding lanes learn nothing
    rates[_seat_rows(n_seeds, width, module.B)] = lr
    rates = rates.reshape(blocks.shape[0], module.B)
    chunk_epochs = np.ascontiguousarray(chunk_epochs, dtype=np.int64)
    history = np.empty(((chunk_epochs.size if record and record_params else 0),) + blocks.shape)
    records = np.zeros((4, chunk_epochs.size + 1 if record else 0, blocks.shape[0], module.B))
    chunks_done = np.zeros(blocks.shape[0], dtype=np.int64)
    stop = np.zeros(1, dtype=np.int64)
    test_xs, test_ys = np.ascontiguousarray(test_xs, dtype=np.float64), np.ascontiguousarray(test_ys, dtype=np.float64)

    def part(first: int, step: int) -> None:
        work = _aligned(blocks.shape[1] + scratch_lanes(module, shape))  # this thread's working block
        module._train_blocks(
            blocks, lanes, sizes, act, xs, ys, test_xs, test_ys, TOXIC_ABOVE, chunk_epochs, rates, history, records,
            chunks_done, stop, first, step, work,
        )  # fmt: skip

    def run() -> None:
        _run_threads(part, min(threads, blocks.shape[0]), stop)

    on_poll = None
    if on_snapshot is not None:
        if not (record and record_params):
            raise ValueError("on_snapshot needs record_params=True")
        passed = 0  # chunks every block had finished at the last snapshot passed on

        def on_poll() -> None:
            nonlocal passed
            finished = int(chunks_done.min())
            if finished > passed:  # history[c] and records[:, c + 1] of a finished chunk no longer change
                passed = finished
                losses = _lanes_of(records[0, finished : finished + 1], n_seeds, width, module.B)[0]
                on_snapshot(finished - 1, from_blocks(history[finished - 1], n_seeds, width, module.B), losses)

    if on_progress is None and on_poll is None:
        run()
    else:
        seeds_per_block = _real_seeds_per_block(n_seeds, width)
        _run_watched(run, chunk_epochs, chunks_done, seeds_per_block, stop, on_progress, poll_seconds, on_poll)
    params_after = np.empty((history.shape[0], n_seeds, params.shape[1])) if record and record_params else None
    for c in range(history.shape[0]):
        params_after[c] = from_blocks(history[c], n_seeds, width, module.B)
    losses, test_losses, accuracy, test_accuracy = (_lanes_of(r, n_seeds, width, module.B) for r in records)
    final = from_blocks(blocks, n_seeds, width, module.B)
    return Recorded(params_after, final, losses, test_losses, accuracy, test_accuracy)


def train_rows_inplace(
    params: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    epochs: int,
    lr: float,
    threads: int,
    shape: Shape,
    module: ModuleType | None = None,
) -> None:
    """Train checked ``params`` (float64 (S, P), C order) in place, recording nothing.

    No finiteness check: diverged (NaN) rows run on, since a lane never touches another.
    """
    no_test = np.empty(0)
    chunk = np.array([epochs], dtype=np.int64)
    done = train_rows_recorded(
        params, xs, ys, no_test, no_test, chunk, lr, threads, shape, module=module,
        record=False,
    )  # fmt: skip
    params[:] = done.final


def sgd_many(
    params: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    epochs: int,
    lr: float,
    shape: Shape = Shape(),
    threads: int | None = None,
) -> np.ndarray:
    """Per-sample SGD on S independent parameter sets of a ``shape`` net at once.

    Parameters
    ----------
    params : float64, shape (S, P) with P = ``shape.n_params``, one seed per row in
        ``shape.param_names`` order; not modified
    xs, ys : float64, shape (n,)
    epochs : int >= 0
    lr : float > 0
    shape : Shape, the lesson's 1-2-1 by default
    threads : int in [1, max_threads()], or None for all

    Returns
    -------
    float64, shape (S, P): row s agrees with ``sgd_python(params[s], ..., shape)`` in all but
    the last bits (exp within 2 ulp of libm's, fused multiply-adds); for the 1-2-1 it agrees
    with ``sgd_jit`` likewise. NaN/inf where a seed diverged. Independent of ``threads`` and
    of the other rows.
    """
    shape = as_shape(shape)
    out = shape.check_params(params, "params", many=True).copy()
    xs, ys = as_data(xs, "xs"), as_data(ys, "ys", like=xs)
    epochs, lr = check_epochs(epochs), check_lr(lr)
    train_rows_inplace(out, xs, ys, epochs, lr, check_threads(threads, max_threads()), shape)
    return out
