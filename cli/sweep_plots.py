"""sweep.png: a sweep's share of seeds converged and median epochs to converge.

Import only inside commands that plot: it imports matplotlib (through ``cli.figures``). Two
axes of the grid are the heatmap's x and y; every combination of the other varying axes is
one row of small multiples, the share converged on the left, the median epochs on the right.
A sweep along one axis is drawn as two line plots instead (a one-row heatmap hides the
spread): the share with its 95% interval over the seeds, the median epochs with the range
from the 10th to the 90th percentile of the seeds that converged.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from ..sweep.grid import AXES, DEFAULTS, show_values, value_labels
from .figures import Figure, use_language  # before any other matplotlib import: it sets MPLCONFIGDIR and Agg
from .words import axis_name, words

# A figure with more rows than this would be too tall to read: the rest are left out (said in the title).
MAX_PANEL_ROWS = 12
# Numbers are written into the squares when there are at most this many of them per panel.
MAX_ANNOTATED = 160


def _labels(axis: str, axes: dict[str, tuple]) -> dict[Any, str]:
    """Each value of ``axis`` as the figure writes it: a data file by its name (``grid.value_labels``)."""
    return value_labels(axis, axes[axis])


def heatmap_arrays(
    summaries: list[dict[str, Any]], axes: dict[str, tuple], x: str, y: str, fixed: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(share converged, median epochs, share's 95% interval) over (y, x) for the cells matching ``fixed``.

    The first two are float64 (len(y), len(x)), the interval (len(y), len(x), 2) as (low, high);
    NaN where there is no value.
    """
    xs, ys = axes[x], axes[y]
    share = np.full((len(ys), len(xs)), np.nan)
    epochs = np.full_like(share, np.nan)
    interval = np.full((len(ys), len(xs), 2), np.nan)
    for s in summaries:
        if s["status"] != "ok" or any(s[name] != value for name, value in fixed.items()):
            continue
        i, j = ys.index(s[y]), xs.index(s[x])
        share[i, j] = s["converged_share"]
        interval[i, j] = s["converged_share_low"], s["converged_share_high"]
        median = s["epochs_to_converge_median"]
        epochs[i, j] = np.nan if median is None else median
    return share, epochs, interval


def sweep_figure(
    summaries: list[dict[str, Any]], axes: dict[str, tuple], x: str, y: str, seeds: int, lang: str = "en"
) -> Figure:
    """The heatmaps of a sweep: (share converged, median epochs to converge) per row of small multiples.

    When at most one of the grid's axes has more than one value, the line plots of
    ``sweep_line_figure`` along it (along ``x`` when none varies). ``lang``: the words' language.
    An axis missing from ``axes`` (a grid from before it existed) holds its default.
    """
    axes = {name: tuple(axes.get(name, DEFAULTS[name])) for name in AXES}
    varying = [name for name in AXES if len(axes[name]) > 1]
    if len(varying) <= 1:
        return sweep_line_figure(summaries, axes, varying[0] if varying else x, seeds, lang)
    use_language(lang)
    w = words(lang)
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
        share, epochs, interval = heatmap_arrays(summaries, axes, x, y, fixed)
        where = w["comma"].join(
            f"{axis_name(name, lang)} {_labels(name, axes)[value]}" for name, value in fixed.items()
        )
        for col, (data, title, cmap, vmax) in enumerate(
            (
                (share, w["share_converged"], "viridis", 1.0),
                (epochs, w["median_epochs"], "magma_r", top),
            )
        ):
            ax = panels[row, col]
            cmap_obj = _cmap(cmap)
            image = ax.imshow(data, origin="lower", aspect="auto", cmap=cmap_obj, vmin=0.0, vmax=vmax)
            ax.set_xticks(range(len(xs)), [_labels(x, axes)[v] for v in xs], fontsize=8)
            ax.set_yticks(range(len(ys)), [_labels(y, axes)[v] for v in ys], fontsize=8)
            ax.set_xlabel(axis_name(x, lang))
            ax.set_ylabel(axis_name(y, lang))
            ax.set_title(f"{title}" + (f"\n{where}" if where else ""), fontsize=9)
            fig.colorbar(image, ax=ax, shrink=0.9)
            if data.size <= MAX_ANNOTATED:
                _annotate(ax, data, vmax, interval if col == 0 else None)
    left_out = len(combos) - len(shown)
    title = _same_title(axes, seeds, lang)
    if left_out:
        title += w["rows_left_out"].format(
            left_out=left_out,
            total=len(combos),
            names=", ".join(axis_name(name, lang) for name in others),
            values=", ".join(show_values(tuple(c)) for c in combos[len(shown) : len(shown) + 2]),
        )
    _suptitle(fig, title)
    return fig


def _same_title(axes: dict[str, tuple], seeds: int, lang: str) -> str:
    """The figure's title: seeds per cell, and the settings every cell shares (None: it does not apply)."""
    w = words(lang)
    same = w["comma"].join(
        f"{axis_name(name, lang)} {_labels(name, axes)[axes[name][0]]}"
        for name in AXES
        if len(axes[name]) == 1 and axes[name][0] is not None
    )
    return w["sweep_title"].format(seeds=seeds) + (w["semicolon"] + same if same else "")


def line_arrays(summaries: list[dict[str, Any]], axis: str, values: tuple) -> dict[str, np.ndarray]:
    """Along ``axis``: share converged with its 95% interval, and median, p10 and p90 epochs; NaN where none.

    float64 arrays of ``len(values)``: ``share``, ``share_low``, ``share_high``, ``median``,
    ``p10``, ``p90``. A failed cell, or one where no seed converged, has NaN epochs.
    """
    out = {key: np.full(len(values), np.nan) for key in ("share", "share_low", "share_high", "median", "p10", "p90")}
    for s in summaries:
        if s["status"] != "ok":
            continue
        k = values.index(s[axis])
        out["share"][k] = s["converged_share"]
        out["share_low"][k], out["share_high"][k] = s["converged_share_low"], s["converged_share_high"]
        for key, field in (("median", "median"), ("p10", "p10"), ("p90", "p90")):
            value = s[f"epochs_to_converge_{field}"]
            out[key][k] = np.nan if value is None else value
    return out


def _positions(axis: str, values: tuple) -> tuple[np.ndarray, str]:
    """Where each value sits on the x axis, and the scale: numbers at their value (log when they
    span a factor of 20 or more), anything else (shapes, activations) evenly, in order."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        numbers = np.array(values, dtype=np.float64)
        wide = numbers.min() > 0 and numbers.max() >= LOG_SPAN * numbers.min()
        return numbers, "log" if wide else "linear"
    return np.arange(len(values), dtype=np.float64), "linear"


LOG_SPAN = 20.0


def sweep_line_figure(
    summaries: list[dict[str, Any]], axes: dict[str, tuple], axis: str, seeds: int, lang: str = "en"
) -> Figure:
    """A sweep along one axis: share converged (95% interval) and median epochs (p10-p90), two panels."""
    use_language(lang)
    w = words(lang)
    values = axes[axis]
    where, scale = _positions(axis, values)
    numbers = line_arrays(summaries, axis, values)
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    share = numbers["share"]
    left.errorbar(
        where,
        share,
        yerr=[share - numbers["share_low"], numbers["share_high"] - share],
        color="tab:blue",
        marker="o",
        capsize=4,
        label=w["share_interval"].format(seeds=seeds),
    )
    left.set_ylim(-0.03, 1.03)
    left.yaxis.set_major_formatter(_percent())
    left.set_ylabel(w["share_converged"])
    left.set_title(w["share_converged"], fontsize=9)
    median = numbers["median"]
    right.errorbar(
        where,
        median,
        yerr=[median - numbers["p10"], numbers["p90"] - median],
        color="tab:purple",
        marker="o",
        capsize=4,
        label=w["median_range"],
    )
    right.set_ylim(bottom=0)
    right.set_ylabel(w["epochs_to_converge"])
    right.set_title(w["median_epochs"], fontsize=9)
    for ax in (left, right):
        ax.set_xscale(scale)
        ax.set_xticks(where, [_labels(axis, axes)[v] for v in values], fontsize=8)
        ax.minorticks_off()
        ax.set_xlabel(axis_name(axis, lang))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), borderaxespad=0.0)
    _suptitle(fig, _same_title(axes, seeds, lang))
    return fig


def _suptitle(fig: Figure, title: str) -> None:
    """The figure's title, wrapped to its width after a comma or semicolon: a grid's fixed settings
    make a long line. A Chinese character is as wide as two Latin ones."""
    room = max(40, int(fig.get_figwidth() * 13))  # about 13 Latin characters an inch at size 10
    lines, line = [], ""
    for piece in re.split(r"(?<=[,;，；])", title):
        if line and _width(line + piece) > room:
            lines.append(line.rstrip())
            piece = piece.lstrip()
            line = ""
        line += piece
    fig.suptitle("\n".join([*lines, line.rstrip()]), fontsize=10)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


def _cmap(name: str):
    from matplotlib import colormaps

    return colormaps[name].with_extremes(bad="#dddddd")  # no value: a failed cell, or no seed converged


def _annotate(ax, data: np.ndarray, vmax: float, interval: np.ndarray | None) -> None:
    """Each square's number, in a colour that reads on it (viridis is dark low, magma_r dark high).

    A share (``interval`` given) carries its 95% interval under it, in whole percents.
    """
    share = interval is not None
    for (i, j), value in np.ndenumerate(data):
        if np.isnan(value):
            ax.text(j, i, "—", ha="center", va="center", fontsize=7, color="black")
            continue
        text = (
            f"{value:.0%}\n{100 * interval[i, j, 0]:.0f}-{100 * interval[i, j, 1]:.0f}%" if share else f"{value:,.0f}"
        )
        dark = value < 0.6 if share else value > 0.55 * vmax
        ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black")


def save_sweep_figure(fig: Figure, path: Path) -> None:
    """Write ``fig`` to ``path`` (a staged temporary file; format from its suffix)."""
    fig.savefig(path, dpi=110)
