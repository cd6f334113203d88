"""beans.sweep: the lesson's "alchemy" as a grid of settings, trained here or on a Dask cluster.

- ``grid``: axes and their values, the cells, and tasks (cells that share all but lr train as
  one kernel call with a learning rate per lane)
- ``runner``: ``run_task`` (plain data in and out: the function a Dask worker runs) and the
  in-process loop
- ``journal``: every finished cell on disk as it arrives; ``--resume`` reads it back
- ``summary``: per-seed and per-cell tables, the ranking, CSV and JSON text
- ``dask_exec``: the Dask executor (imports ``distributed``; only on the cluster path)

``pending`` and ``outcome`` below tie them together for any front end.
"""

from __future__ import annotations

from typing import Any

from .grid import Grid, GridError, cell_key
from .journal import latest
from .summary import cell_summary, ordered_records


def pending(grid: Grid, records: list[dict[str, Any]], current_versions: dict[str, str]) -> list[dict[str, Any]]:
    """The cells of ``grid`` without a finished record for these versions (failed ones run again)."""
    done = {key for key, record in latest(records, current_versions).items() if record["status"] == "ok"}
    return [cell for cell in grid.cells() if cell_key(cell) not in done]


def outcome(grid: Grid, records: list[dict[str, Any]], current_versions: dict[str, str]):
    """Every cell's record in grid order and its summary: (records, summaries).

    Raises KeyError if a cell has no record (the sweep did not finish).
    """
    ordered = ordered_records(list(grid.cells()), latest(records, current_versions))
    return ordered, [cell_summary(record) for record in ordered]


__all__ = ["Grid", "GridError", "outcome", "pending"]
