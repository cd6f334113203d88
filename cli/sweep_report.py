"""The table of a sweep's cells, best first, as a rich renderable. Imports rich: only inside commands."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..sweep.grid import value_labels
from ..sweep.summary import ranked
from .report import format_accuracy, shown_rows
from .words import axis_name, words


def _epochs(summary: dict[str, Any]) -> tuple[str, str]:
    """Median epochs to converge, and the 10th-90th percentile range (over the seeds that did)."""
    median = summary["epochs_to_converge_median"]
    if median is None:
        return "—", "—"
    return f"{median:,.0f}", f"{summary['epochs_to_converge_p10']:,.0f}-{summary['epochs_to_converge_p90']:,.0f}"


def _converged(summary: dict[str, Any]) -> str:
    """The share converged, and under it its 95% interval in whole percents: ``95.0%`` / ``76-99%``.

    Under, not beside: the column stays as wide as its header, so every row's first line is
    what it was before intervals were shown.
    """
    low, high = summary["converged_share_low"], summary["converged_share_high"]
    return f"{format_accuracy(summary['converged_share'])}\n{100 * low:.0f}-{100 * high:.0f}%"


def cells_table(grid, summaries: list[dict[str, Any]], lang: str = "en") -> Table:
    """One row per cell, best first (``summary.ranked``); past 25 cells the best and worst 10; in ``lang``.

    The converged column holds each cell's share and, below it, its 95% interval; a data file is
    shown by its name (``grid.value_labels``).
    """
    w = words(lang)
    columns = grid.varying() or ["lr"]
    labels = {name: value_labels(name, grid.axes[name]) for name in columns}
    title = w["cells_title"].format(cells=grid.n_cells, seeds=len(grid.seeds))
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)  # light rules: fits 80 columns
    table.add_column(w["col_rank"], justify="right", style="dim", no_wrap=True)
    for name in columns:
        # English keeps the options' own spelling (data_seed), as cells.csv does
        table.add_column(name if lang == "en" else axis_name(name, lang), justify="right", no_wrap=True)
    for key in ("col_converged", "col_epochs", "col_p10_p90", "col_test_accuracy", "col_diverged"):
        table.add_column(w[key], justify="right", no_wrap=True)
    order = ranked(summaries)
    top, bottom = shown_rows(np.arange(len(order)))
    for part, rows in enumerate((top, bottom)):
        if part == 1 and rows.size:
            table.add_section()
        for rank in rows:
            s = order[rank]
            cells = [str(rank + 1), *(labels[name][s[name]] for name in columns)]
            if s["status"] != "ok":
                table.add_row(
                    *cells, Text(w["cell_failed"].format(reason=s["reason"]), style="bold red"), "", "", "", ""
                )
                continue
            test = s["test_accuracy_median"]
            table.add_row(
                *cells,
                _converged(s),
                *_epochs(s),
                format_accuracy(np.nan if test is None else test),
                format_accuracy(s["diverged_share"]),
            )
    left_out = len(order) - top.size - bottom.size
    if left_out:
        table.caption = w["cells_caption"].format(left_out=left_out, total=len(order))
        table.caption_justify = "left"
    return table


def render_cells(grid, summaries: list[dict[str, Any]], console: Console, lang: str = "en") -> None:
    console.print(cells_table(grid, summaries, lang))
