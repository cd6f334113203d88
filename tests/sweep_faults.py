"""Task functions that kill their Dask worker, for the sweep's fault tests (shipped to workers by value)."""

from __future__ import annotations

import os
from pathlib import Path

from beans.sweep.runner import run_task


def die_once(task, threads, marker: str):
    """Kill this worker the first time any task runs (``marker`` is created then), else train."""
    try:
        Path(marker).touch(exist_ok=False)
    except FileExistsError:
        return run_task(task, threads)
    os._exit(1)


def die_on_cell(task, threads, lr: float, beans: int):
    """Kill this worker whenever the task holds the cell with learning rate ``lr`` and ``beans`` beans."""
    if lr in task["lrs"] and task["settings"]["beans"] == beans:
        os._exit(1)
    return run_task(task, threads)
