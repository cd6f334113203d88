"""sweep.png: heatmaps of a sweep, share of seeds converged and median epochs to converge.

Import only inside commands that plot: it imports matplotlib (through ``cli.figures``). Two
axes of the grid are the heatmap's x and y; every combination of the other varying axes is
one row of small multiples, the share converged on the left, the median epochs on the right.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np

from ..sweep.grid import AXES, show_values
from .figures import Figure  # before any other matplotlib import: it sets MPLCONFIGDIR and Agg

# A figure with more rows than this would be too tall to read: the rest are left out (said in the title).
MAX_PANEL_ROWS = 12
# Numbers are written into the squares when there are at most this many of them per panel.
MAX_ANNOTATED = 160


def _label(axis: str, value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def heatmap_arrays(
    summaries: list[dict[str, Any]], axes: dict[str, tuple], x: str, y: str, fixed: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """(share converged, median epochs) over (y, x) for the cells matching ``fixed``; NaN where none."""
    xs, ys = axes[x], axes[y]
    share = np.full((len(ys), len(xs)), np.nan)
    epochs = np.full_like(share, np.nan)
    for s in summaries:
        if s["status"] != "ok" or any(s[name] != value for name, value in fixed.items()):
            continue
        i, j = ys.index(s[y]), xs.index(s[x])
        share[i, j] = s["converged_share"]
        median = s["epochs_to_converge_median"]
        epochs[i, j] = np.nan if median is None else median
    return share, epochs


def sweep_figure(summaries: list[dict[str, Any]], axes: dict[str, tuple], x: str, y: str, seeds: int) -> Figure:
    """The heatmaps of a sweep: (share converged, median epochs to converge) per row of small multiples."""
    others = [name for name in AXES if name not in (x, y) and len(axes[name]) > 1]
    combos = list(itertools.product(*(axes[name] for name in others)))
    shown = combos[:MAX_PANEL_ROWS]
    xs, ys = axes[x], axes[y]
    width = 2 * max(3.2, 0.55 * len(xs) + 1.6) + 1.0
    height_each = max(2.4, 0.42 * len(ys) + 1.2)
    fig = Figure(figsize=(width, height_each * len(shown) + 0.9), layout="constrained")
    panels = fig.subplots(len(shown), 2, squeeze=False)
    medians = [s["epochs_to_converge_median"] for s in summaries]
    top = max((m for m in medians if m is not None), default=1.0)
    for row, combo in enumerate(shown):
        fixed = dict(zip(others, combo, strict=True))
        share, epochs = heatmap_arrays(summaries, axes, x, y, fixed)
        where = ", ".join(f"{name} {_label(name, value)}" for name, value in fixed.items())
        for col, (data, title, cmap, vmax) in enumerate(
            (
                (share, "share of seeds converged", "viridis", 1.0),
                (epochs, "median epochs to converge", "magma_r", top),
            )
        ):
            ax = panels[row, col]
            cmap_obj = _cmap(cmap)
            image = ax.imshow(data, origin="lower", aspect="auto", cmap=cmap_obj, vmin=0.0, vmax=vmax)
            ax.set_xticks(range(len(xs)), [_label(x, v) for v in xs], fontsize=8)
            ax.set_yticks(range(len(ys)), [_label(y, v) for v in ys], fontsize=8)
            ax.set_xlabel(x)
            ax.set_ylabel(y)
            ax.set_title(f"{title}" + (f"\n{where}" if where else ""), fontsize=9)
            fig.colorbar(image, ax=ax, shrink=0.9)
            if data.size <= MAX_ANNOTATED:
                _annotate(ax, data, vmax, share=col == 0)
    left_out = len(combos) - len(shown)
    same = ", ".join(f"{name.replace('_', ' ')} {_label(name, axes[name][0])}" for name in AXES if len(axes[name]) == 1)
    title = f"beans sweep: {seeds} seeds per cell" + (f"; {same}" if same else "")
    if left_out:
        title += (
            f" ({left_out} of {len(combos)} rows of panels left out: {', '.join(others)} = "
            + ", ".join(show_values(tuple(c)) for c in combos[len(shown) : len(shown) + 2])
            + ", ...)"
        )
    fig.suptitle(title, fontsize=10)
    return fig


def _cmap(name: str):
    from matplotlib import colormaps

    return colormaps[name].with_extremes(bad="#dddddd")  # no value: a failed cell, or no seed converged


def _annotate(ax, data: np.ndarray, vmax: float, share: bool) -> None:
    """Each square's number, in a colour that reads on it (viridis is dark low, magma_r dark high)."""
    for (i, j), value in np.ndenumerate(data):
        if np.isnan(value):
            ax.text(j, i, "—", ha="center", va="center", fontsize=7, color="black")
            continue
        text = f"{value:.0%}" if share else f"{value:,.0f}"
        dark = value < 0.6 if share else value > 0.55 * vmax
        ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black")


def save_sweep_figure(fig: Figure, path: Path) -> None:
    """Write ``fig`` to ``path`` (a staged temporary file; format from its suffix)."""
    fig.savefig(path, dpi=110)
