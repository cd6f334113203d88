"""A sweep's results as tables: per seed, per cell, the cells ranked, and their CSV and JSON text.

Everything here is computed from the journal's records alone, so a resumed sweep and an
uninterrupted one write the same files byte for byte (no wall times in them). numpy only.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np

from ..stats import wilson_interval
from .grid import AXES, cell_key, cell_setting
from .runner import SEED_FIELDS

SUMMARY_FORMAT = 1
# The per-cell figures, in the column order of cells.csv (after the settings).
CELL_FIELDS = (
    "status",
    "seeds",
    "converged_share",
    "converged_share_low",
    "converged_share_high",
    "epochs_to_converge_median",
    "epochs_to_converge_p10",
    "epochs_to_converge_p90",
    "test_accuracy_median",
    "diverged_share",
    "final_mse_median",
    "reason",
)


def _median(values: list[float | None], q: float = 50) -> float | None:
    present = np.array([v for v in values if v is not None], dtype=np.float64)
    return float(np.percentile(present, q)) if present.size else None


def cell_summary(record: dict[str, Any]) -> dict[str, Any]:
    """One cell's figures: share converged (with its 95% Wilson interval), epochs to converge
    (median, 10th and 90th percentile, over the seeds that reached the bar), median held-out
    accuracy and MSE (over seeds that did not diverge), share diverged. A failed cell has its
    reason and None for every figure."""
    out: dict[str, Any] = {name: cell_setting(record["cell"], name) for name in AXES}
    if record["status"] != "ok":
        return {**out, **dict.fromkeys(CELL_FIELDS), "status": record["status"], "reason": record.get("reason")}
    seeds = record["seeds"]
    n = len(seeds["seed"])
    kept = [not d for d in seeds["diverged"]]
    epochs = seeds["epochs_to_converge"]
    converged = sum(seeds["converged"])
    low, high = wilson_interval(converged, n)
    return {
        **out,
        "status": "ok",
        "seeds": n,
        "converged_share": converged / n,
        "converged_share_low": low,
        "converged_share_high": high,
        "epochs_to_converge_median": _median(epochs),
        "epochs_to_converge_p10": _median(epochs, 10),
        "epochs_to_converge_p90": _median(epochs, 90),
        "test_accuracy_median": _median([v for v, k in zip(seeds["test_accuracy"], kept, strict=True) if k]),
        "diverged_share": sum(seeds["diverged"]) / n,
        "final_mse_median": _median([v for v, k in zip(seeds["final_mse"], kept, strict=True) if k]),
        "reason": None,
    }


def ranked(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cells best first: by the lower end of the converged share's 95% interval (so 2 of 2
    converged does not outrank 95 of 100), then fewest epochs to converge, then best held-out
    accuracy; failed cells last; ties keep grid order."""

    def key(item: tuple[int, dict[str, Any]]):
        index, s = item
        if s["status"] != "ok":
            return (1, 0.0, 0.0, 0.0, index)
        epochs = s["epochs_to_converge_median"]
        test = s["test_accuracy_median"]
        return (
            0,
            -s["converged_share_low"],
            np.inf if epochs is None else epochs,
            np.inf if test is None else -test,
            index,
        )

    return [s for _, s in sorted(enumerate(summaries), key=key)]


def ordered_records(cells: list[dict[str, Any]], by_key: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of ``cells`` in grid order (every cell must have one)."""
    return [by_key[cell_key(cell)] for cell in cells]


def _csv_value(value: Any) -> str:
    """A cell of CSV text: floats with every digit (repr), None as empty, bools as True/False."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return buffer.getvalue()


def seeds_csv(records: list[dict[str, Any]]) -> str:
    """The per-seed table: one row per cell and seed (ok cells), every setting a column."""
    header = [*AXES, "seed", *SEED_FIELDS]
    rows = []
    for record in records:
        if record["status"] != "ok":
            continue
        settings = [cell_setting(record["cell"], name) for name in AXES]
        columns = record["seeds"]
        for i, seed in enumerate(columns["seed"]):
            rows.append([*settings, seed, *(columns[name][i] for name in SEED_FIELDS)])
    return _csv(header, rows)


def cells_csv(summaries: list[dict[str, Any]]) -> str:
    """The per-cell summary table, grid order, failed cells included with their reason."""
    header = [*AXES, *CELL_FIELDS]
    return _csv(header, [[s[name] for name in header] for s in summaries])


def cells_document(grid_document: dict[str, Any], summaries: list[dict[str, Any]], versions: dict[str, str]) -> str:
    """cells.json: the grid, the versions and every cell's summary (grid order), strict JSON."""
    document = {"format": SUMMARY_FORMAT, "grid": grid_document, "versions": versions, "cells": summaries}
    return json.dumps(document, indent=2, allow_nan=False) + "\n"
