"""``train``: the plain-Python driver behind ``beans train``.

It owns the epoch schedule: the kernels run ``snapshot_every`` epochs at a time (the lesson redraws
its curve every 100), and between chunks the driver records each seed's loss and parameters
and calls the progress callback. Nothing here prints or plots.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .config import TrainConfig
from .kernels.checks import check_threads
from .kernels.choice import Choice, choose_kernel
from .kernels.many import Recorded, max_threads, train_rows_recorded
from .kernels.network import _accuracy, _mse, init_params_many
from .kernels.reference import sgd_python_unchecked

# Past this size every sigmoid is saturated, the gradients vanish and the seed can no longer
# learn: report it as diverged along with seeds whose numbers became NaN or inf.
DIVERGED_PARAM_LIMIT = 1e6

# ``epochs_to_converge`` of a seed whose training accuracy never reached the bar at a snapshot
NEVER = -1

ProgressCallback = Callable[[int, int], None]
# on_snapshot(epoch, params float64 (S, P), losses float64 (S,)): the run as it stands
SnapshotCallback = Callable[[int, np.ndarray, np.ndarray], None]


@dataclass
class TrainResult:
    """What a run produced. S is the number of seeds, R the number of records (chunks + 1).

    Attributes
    ----------
    config : TrainConfig
    xs, ys : float64 (n,), the training beans
    start_params, params : float64 (S, P), before and after training (P = config.shape.n_params)
    snapshot_epochs : int64 (R,), the epoch count of each record, starting with 0
    loss_history : float64 (S, R), each seed's MSE at each record
    test_loss_history : float64 (S, R), each seed's MSE on the held-out beans at each record
        (NaN without held-out beans): where it turns up while the training MSE falls, the
        seed is over-fitting
    accuracy_history : float64 (S, R), each seed's training accuracy at each record
    epochs_to_converge : int64 (S,), the first recorded epoch at which a seed's training
        accuracy reached ``config.converged_accuracy``; ``NEVER`` (-1) when it did not
    param_history : float64 (R, S, P), each seed's parameters at each record; None when
        ``config.record_params`` is False (the losses are always recorded)
    final_mse, accuracy : float64 (S,)
    converged, diverged : bool (S,)
    wall_time : float seconds, training only
    test_xs, test_ys : float64 (m,), held-out beans (m = config.test_beans, may be 0)
    test_mse, test_accuracy : float64 (S,), on the held-out beans (NaN when m = 0)
    kernel, kernel_reason : which lane kernel ran ("generated" or "run-time-shaped",
        ``kernels.choice``) and why; None for the python engine. Either gives the same bits.
    """

    config: TrainConfig
    xs: np.ndarray
    ys: np.ndarray
    start_params: np.ndarray
    params: np.ndarray
    snapshot_epochs: np.ndarray
    loss_history: np.ndarray
    test_loss_history: np.ndarray
    accuracy_history: np.ndarray
    epochs_to_converge: np.ndarray
    param_history: np.ndarray | None
    final_mse: np.ndarray
    accuracy: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    wall_time: float
    test_xs: np.ndarray
    test_ys: np.ndarray
    test_mse: np.ndarray
    test_accuracy: np.ndarray
    kernel: str | None = None
    kernel_reason: str | None = None
    steps: int = field(init=False)

    def __post_init__(self):
        self.steps = len(self.config.seeds) * self.config.epochs * self.xs.size

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.wall_time if self.wall_time > 0 else float("inf")

    @property
    def best(self) -> int:
        """Row index of the seed with the lowest final MSE (diverged seeds last)."""
        return int(ranking(self)[0])


def ranking(result: TrainResult) -> np.ndarray:
    """Row indices best first: by final MSE, diverged seeds last. int64 (S,)."""
    key = np.where(result.diverged | ~np.isfinite(result.final_mse), np.inf, result.final_mse)
    return np.lexsort((np.arange(key.size), key))


def first_epoch_at(snapshot_epochs: np.ndarray, accuracy_history: np.ndarray, bar: float) -> np.ndarray:
    """Per seed, the first recorded epoch whose accuracy is >= ``bar``, else ``NEVER``.

    snapshot_epochs : int64 (R,); accuracy_history : float64 (S, R). Returns int64 (S,).
    """
    reached = accuracy_history >= bar  # NaN compares False
    first = np.argmax(reached, axis=1)
    return np.where(reached.any(axis=1), snapshot_epochs[first], NEVER).astype(np.int64)


def diverged_rows(params: np.ndarray, losses: np.ndarray) -> np.ndarray:
    """Seeds whose numbers became non-finite or blew past ``DIVERGED_PARAM_LIMIT``. bool (S,)."""
    with np.errstate(invalid="ignore"):
        blown = ~(np.abs(params) <= DIVERGED_PARAM_LIMIT).all(axis=1)  # NaN compares False
    return blown | ~np.isfinite(losses)


def _train_python(start, xs, ys, test_xs, test_ys, chunk_epochs, config, on_progress, on_snapshot=None) -> Recorded:
    """The pure-Python engine, seed by seed and chunk by chunk; returns what ``train_rows_recorded`` does."""
    shape = config.shape
    history = np.empty((chunk_epochs.size,) + start.shape) if config.record_params else None
    records = np.full((4, chunk_epochs.size + 1, start.shape[0]), np.nan)  # as Recorded's last four

    def record(r: int, params: np.ndarray) -> None:
        records[0, r], records[2, r] = _mse(params, xs, ys, shape), _accuracy(params, xs, ys, shape)
        if test_xs.size:
            records[1, r] = _mse(params, test_xs, test_ys, shape)
            records[3, r] = _accuracy(params, test_xs, test_ys, shape)

    params, done = start, 0
    with np.errstate(all="ignore"):  # diverged rows give NaN losses, reported by the caller
        record(0, start)
        for c, epochs in enumerate(chunk_epochs):
            params = np.stack([sgd_python_unchecked(row, xs, ys, int(epochs), config.lr, shape) for row in params])
            record(c + 1, params)
            if history is not None:
                history[c] = params
            done += int(epochs)
            if on_snapshot is not None:
                on_snapshot(c, params.copy(), records[0, c + 1].copy())
            if on_progress is not None:
                on_progress(done)
    return Recorded(history, params, *records)


def train(
    config: TrainConfig | None = None,
    *,
    seeds: Sequence[int] | None = None,
    on_chunk: ProgressCallback | None = None,
    on_snapshot: SnapshotCallback | None = None,
    on_kernel: Callable[[Choice], None] | None = None,
    **settings,
) -> TrainResult:
    """Train every seed of ``config`` on its beans (the lesson's by default), chunk by chunk.

    Parameters
    ----------
    config : TrainConfig, or None to build one from ``seeds`` and keyword ``settings``
    on_chunk : called as ``on_chunk(epochs_done, epochs_total)`` as training progresses;
        ``epochs_done`` is averaged over the seeds (the jit engine trains blocks of seeds
        side by side in one kernel call, reporting from a watcher thread)
    on_snapshot : called as ``on_snapshot(epoch, params, losses)`` with the newest snapshot
        every seed has reached: ``epoch`` one of ``config.snapshot_epochs`` past 0, ``params``
        float64 (S, P) and ``losses`` float64 (S,) at that epoch (copies, the callee's to
        keep). While the jit engine runs, snapshots finished between two polls are skipped,
        not queued: a slow callback misses snapshots, never slows training. The last one is
        always passed. Needs ``config.record_params``.
    on_kernel : called with the jit engine's ``kernels.choice.Choice`` before training starts
        (its ``compile_s`` > 0 when a one-time compile is to come, for a message)

    Returns
    -------
    TrainResult
    """
    if config is None:
        config = TrainConfig(seeds=tuple(seeds if seeds is not None else (0,)), **settings)
    elif seeds is not None or settings:
        raise ValueError("pass either a TrainConfig or keyword settings, not both")
    xs, ys, test_xs, test_ys = config.bean_sets()  # before training, so a problem shows before the work
    shape = config.shape
    start = init_params_many(config.seeds, shape, config.init)
    marks = config.snapshot_epochs
    chunk_epochs = np.diff(marks)
    on_progress = None if on_chunk is None else (lambda done: on_chunk(done, config.epochs))
    if on_snapshot is not None and not config.record_params:
        raise ValueError("on_snapshot needs a config with record_params=True")
    on_chunk_snapshot = (
        None if on_snapshot is None else (lambda c, params, losses: on_snapshot(int(marks[c + 1]), params, losses))
    )
    choice = None
    if config.engine != "python":
        threads = check_threads(config.threads, max_threads())
        choice = choose_kernel(shape, len(config.seeds) * config.epochs * xs.size, threads)
        if on_kernel is not None:
            on_kernel(choice)
    began = time.perf_counter()
    if choice is None:
        run = _train_python(start, xs, ys, test_xs, test_ys, chunk_epochs, config, on_progress, on_chunk_snapshot)
    else:
        run = train_rows_recorded(
            start,
            xs,
            ys,
            test_xs,
            test_ys,
            chunk_epochs,
            config.lr,
            threads,
            shape,
            on_progress,
            record_params=config.record_params,
            module=choice.module,
            on_snapshot=on_chunk_snapshot,
        )
    wall_time = time.perf_counter() - began
    params = run.final
    param_history = None if run.history is None else np.concatenate([start[None], run.history])
    loss_history, test_loss_history, accuracy_history, test_accuracy_history = (
        np.ascontiguousarray(record.T) for record in (run.losses, run.test_losses, run.accuracy, run.test_accuracy)
    )  # (R, S) -> (S, R)
    final_mse = loss_history[:, -1]
    diverged = diverged_rows(params, final_mse)
    return TrainResult(
        config=config,
        xs=xs,
        ys=ys,
        start_params=start,
        params=params,
        snapshot_epochs=marks,
        loss_history=loss_history,
        test_loss_history=test_loss_history,
        accuracy_history=accuracy_history,
        epochs_to_converge=first_epoch_at(marks, accuracy_history, config.converged_accuracy),
        param_history=param_history,
        final_mse=final_mse,
        accuracy=accuracy_history[:, -1],
        converged=(accuracy_history[:, -1] >= config.converged_accuracy) & ~diverged,
        diverged=diverged,
        wall_time=wall_time,
        test_xs=test_xs,
        test_ys=test_ys,
        test_mse=test_loss_history[:, -1],
        test_accuracy=test_accuracy_history[:, -1],
        kernel=None if choice is None else choice.kind,
        kernel_reason=None if choice is None else choice.reason,
    )
