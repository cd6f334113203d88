"""Training a sweep's cells: ``run_task`` (one group of cells in one kernel call) and the in-process loop.

``run_task`` takes and returns plain data (dicts, lists, numbers), so the very same function
runs here or as a Dask task on another machine. Each of its cells' numbers depends on that
cell's settings and seeds only: a lane never reads another, and the per-cell figures are
computed over the cell's own rows, so results are bit-identical however cells are grouped
and whatever the thread count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..config import snapshot_schedule
from .grid import task_cells

# The per-seed figures of a cell, in the column order of the per-seed table.
SEED_FIELDS = ("final_mse", "accuracy", "test_mse", "test_accuracy", "converged", "diverged", "epochs_to_converge")


def versions() -> dict[str, str]:
    """The versions a cell's numbers depend on (a journal record is valid for these only):
    beans' and numba's of ``beans.results.versions``."""
    from ..results import versions as all_versions

    return {name: version for name, version in all_versions().items() if name in ("beans", "numba")}


def worker_versions() -> dict[str, str]:
    """``versions()`` as a Dask worker reports it (``Client.run`` ships this by name)."""
    return versions()


def _floats(values: np.ndarray) -> list[float | None]:
    """Floats for JSON: NaN and inf become None; finite values keep every bit (repr round-trips)."""
    from ..results import _number

    return [_number(v) for v in values.tolist()]


def run_task(
    task: dict[str, Any],
    threads: int = 1,
    on_progress: Callable[[int], None] | None = None,
    on_kernel: Callable[[Any], None] | None = None,
) -> list[dict[str, Any]]:
    """Train one task's cells (one group: same shape, beans and epochs; one lr per cell) together.

    Parameters
    ----------
    task : one entry of ``Grid.tasks``: ``settings`` (every axis but lr), ``lrs``, ``seed_start``,
        ``seeds``, ``test_beans``, ``snapshot_every``, ``converged_accuracy``, ``train_beans``, and
        the beans of files: ``data`` and ``test_data`` (float64 (xs, ys) or None), ``test_share``
    threads : numba threads for this call (a Dask task passes its own, or numba would take
        every core of the worker's machine); clipped to what numba has here
    on_progress : called with the SGD steps done so far in this task (from the calling thread)
    on_kernel : called with the ``kernels.choice.Choice`` for the task before it trains

    Returns
    -------
    list of records, one per cell in ``task['lrs']`` order: ``{"cell", "versions", "status": "ok",
    "kernel", "kernel_reason", "seeds": {"seed": [...], <SEED_FIELDS>: [...]}}`` (None where a number
    is NaN or never happened; the kernel that ran and why, ``kernels.choice``: the same bits either way).
    """
    from ..kernels.choice import choose_kernel
    from ..kernels.many import max_threads, train_rows_recorded
    from ..kernels.network import init_params_many
    from ..kernels.shape import Shape, parse_hidden
    from ..training import NEVER, diverged_rows, first_epoch_at

    settings = task["settings"]
    shape = Shape(parse_hidden(settings["hidden"]), settings["activation"])
    seeds = range(task["seed_start"], task["seed_start"] + task["seeds"])
    n_seeds, lrs = len(seeds), np.asarray(task["lrs"], dtype=np.float64)
    xs, ys, test_xs, test_ys = task_beans(task)
    start = init_params_many(seeds, shape, settings["init"])
    marks = snapshot_schedule(settings["epochs"], task["snapshot_every"])
    lanes = lrs.size * n_seeds
    steps_per_epoch = lanes * xs.size
    report = None if on_progress is None else (lambda epochs: on_progress(epochs * steps_per_epoch))
    threads = max(1, min(int(threads), max_threads()))
    choice = choose_kernel(shape, task_steps(task), threads)
    if on_kernel is not None:
        on_kernel(choice)
    run = train_rows_recorded(
        np.tile(start, (lrs.size, 1)),
        xs,
        ys,
        test_xs,
        test_ys,
        np.diff(marks),
        np.repeat(lrs, n_seeds),
        threads,
        shape,
        report,
        record_params=False,
        module=choice.module,
    )
    bar = task["converged_accuracy"]
    records = []
    for k, cell in enumerate(task_cells(task)):
        rows = slice(k * n_seeds, (k + 1) * n_seeds)
        params, final_mse, accuracy = run.final[rows], run.losses[-1, rows], run.accuracy[-1, rows]
        test_mse, test_accuracy = run.test_losses[-1, rows], run.test_accuracy[-1, rows]
        diverged = diverged_rows(params, final_mse)
        epochs = first_epoch_at(marks, np.ascontiguousarray(run.accuracy[:, rows].T), bar)
        records.append(
            {
                "cell": cell,
                "versions": versions(),
                "status": "ok",
                "kernel": choice.kind,
                "kernel_reason": choice.reason,
                "seeds": {
                    "seed": list(seeds),
                    "final_mse": _floats(final_mse),
                    "accuracy": _floats(accuracy),
                    "test_mse": _floats(test_mse),
                    "test_accuracy": _floats(test_accuracy),
                    "converged": ((accuracy >= bar) & ~diverged).tolist(),
                    "diverged": diverged.tolist(),
                    "epochs_to_converge": [None if e == NEVER else int(e) for e in epochs.tolist()],
                },
            }
        )
    return records


def task_beans(task: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A task's training and held-out beans, float64 (xs, ys, test_xs, test_ys), as ``beans train``
    takes them (``TrainConfig.bean_sets``): drawn by the cell's data seed, noise and curve (the
    held-out ones from the next data seed), or the file's, split by ``test_share`` (rows chosen
    by the data seed), with held-out beans from ``test_data`` where given."""
    from ..bean_files import split_beans
    from ..kernels.data import get_beans

    settings, data, test_data = task["settings"], task.get("data"), task.get("test_data")
    if data is not None and task.get("test_share") is not None:
        return split_beans(np.asarray(data[0]), np.asarray(data[1]), task["test_share"], settings["data_seed"])
    if data is not None:
        xs, ys = np.asarray(data[0]), np.asarray(data[1])
    else:
        xs, ys = get_beans(settings["beans"], settings["data_seed"], settings["noise"], settings["curve"])
    if test_data is not None:
        test_xs, test_ys = np.asarray(test_data[0]), np.asarray(test_data[1])
    elif task["test_beans"] and data is None:
        test_xs, test_ys = get_beans(
            task["test_beans"], settings["data_seed"] + 1, settings["noise"], settings["curve"]
        )
    else:
        test_xs = test_ys = np.empty(0)
    return xs, ys, test_xs, test_ys


def failed_record(cell: dict[str, Any], reason: str) -> dict[str, Any]:
    """The record of a cell that could not be trained, with the reason in one line."""
    return {"cell": cell, "versions": versions(), "status": "failed", "reason": " ".join(str(reason).split())}


def task_steps(task: dict[str, Any]) -> int:
    """SGD steps a task takes: its cells x seeds x epochs x training beans."""
    return len(task["lrs"]) * task["seeds"] * task["settings"]["epochs"] * task["train_beans"]


def run_in_process(
    tasks: Iterable[dict[str, Any]],
    threads: int,
    on_record: Callable[[dict[str, Any]], None],
    on_steps: Callable[[int], None] | None = None,
    on_kernel: Callable[[Any], None] | None = None,
) -> None:
    """Run tasks one after another here, handing each cell's record to ``on_record`` as it is done.

    ``on_steps`` gets the SGD steps done so far over all tasks; ``on_kernel`` each task's kernel
    choice. Ctrl-C stops the kernel at its next snapshot and propagates; the records handed over
    before it are complete.
    """
    done_before = 0

    def progress(steps: int) -> None:
        if on_steps is not None:
            on_steps(done_before + steps)

    for task in tasks:
        try:
            records = run_task(task, threads, progress, on_kernel)
        except Exception as err:  # this task's cells fail; the others still run
            records = [failed_record(cell, f"{type(err).__name__}: {err}") for cell in task_cells(task)]
        for record in records:
            on_record(record)
        done_before += task_steps(task)
        progress(0)
