"""beans sweep on one machine: a many-cell grid against one ``beans train`` of the same steps, and the
bookkeeping each cell costs outside the kernel.

Group "sweep-vs-train": 5 learning rates x 64 seeds (one kernel call of 320 lanes) against
``beans.train`` of 320 seeds at one learning rate, both 100 beans x 1000 epochs recorded every 100
(32 M SGD steps each); the issue's bar is a ratio of at most 1.2. Group "sweep-per-cell": 50 cells of
8 seeds with 0 epochs, each its own task (50 beans counts), so the time is bookkeeping alone: the
issue's bar is 10 ms per cell.
"""

from __future__ import annotations

import pytest

import beans
from beans.sweep.grid import Grid
from beans.sweep.runner import run_in_process

EPOCHS = 1000
LRS = (0.01, 0.03, 0.1, 0.3, 1.0)


def _sweep(grid: Grid, threads: int) -> list[dict]:
    got: list[dict] = []
    run_in_process(grid.tasks(list(grid.cells())), threads, got.append, lambda steps: None)
    return got


@pytest.mark.benchmark(group="sweep-vs-train")
@pytest.mark.parametrize("threads", sorted({1, beans.max_threads()}))
def test_grid_of_five_lrs(benchmark, threads):
    grid = Grid({"lr": LRS, "epochs": (EPOCHS,)}, range(64))
    assert len(grid.tasks(list(grid.cells()))) == 1  # one kernel call of 320 lanes
    _sweep(Grid({"lr": LRS, "epochs": (1,)}, range(64)), threads)  # warm the JIT
    benchmark.extra_info.update(steps=grid.total_steps, threads=threads)
    records = benchmark.pedantic(_sweep, args=(grid, threads), rounds=5, warmup_rounds=1)
    assert len(records) == 5


@pytest.mark.benchmark(group="sweep-vs-train")
@pytest.mark.parametrize("threads", sorted({1, beans.max_threads()}))
def test_one_train_of_the_same_steps(benchmark, threads):
    settings = dict(seeds=range(320), epochs=EPOCHS, threads=threads, record_params=False)
    beans.train(**{**settings, "epochs": 1})
    benchmark.extra_info.update(steps=320 * 100 * EPOCHS, threads=threads)
    result = benchmark.pedantic(beans.train, kwargs=settings, rounds=5, warmup_rounds=1)
    assert result.steps == 320 * 100 * EPOCHS


@pytest.mark.benchmark(group="sweep-per-cell")
def test_bookkeeping_per_cell(benchmark):
    grid = Grid({"beans": tuple(range(2, 52)), "epochs": (0,)}, range(8))
    assert len(grid.tasks(list(grid.cells()))) == 50
    _sweep(grid, 1)
    records = benchmark.pedantic(_sweep, args=(grid, 1), rounds=5, warmup_rounds=1)
    assert len(records) == 50
    if benchmark.stats:  # None under --benchmark-disable
        per_cell = benchmark.stats.stats.median / 50
        benchmark.extra_info["ms_per_cell"] = per_cell * 1e3
        assert per_cell < 0.010
