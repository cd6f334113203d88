"""fit, loss and neurons figures of a training run, saved atomically.

Import only inside commands that plot: it imports matplotlib (through ``cli.figures``).
Many seeds are drawn as one ``LineCollection`` per group rather than one line each, which
keeps a 1000-seed plot as fast as a 10-seed one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..files import write_atomic
from .figure_data import FigureData, as_figure_data
from .figures import Figure, use_language  # before any other matplotlib import: it sets MPLCONFIGDIR and Agg
from .words import words

# How a figure reaches its file: ``write(target, fn)`` calls ``fn(tmp_path)`` and returns target.
Writer = Callable[[Path, Callable[[Path], object]], Path]

COLOURS = {"converged": "tab:blue", "failed": "tab:orange", "diverged": "tab:red", "best": "black"}
# Shared by fit.png, the training GIF and beans.png, so the beans look the same in every figure.
TRAINING_COLOUR = "tab:green"  # filled points
HELD_OUT_COLOUR = "tab:purple"  # hollow points
SIZE_LABEL = words("en")["bean_size"]  # the English axis labels, as every figure writes them
TOXICITY_LABEL = words("en")["toxicity"]
DPI = 120  # every saved figure's: 960 x 600 pixels for the 8 x 5 inch ones
FIGSIZE = (8, 5)  # inches, fit and loss
# fit.png: the best seed a thin line on a band of the converged ones, so both show.
BEST_FIT_WIDTH = 1.4
CONVERGED_WIDTH = 5.0
CONVERGED_ALPHA = 0.3  # at least; fewer seeds are drawn darker (_line_alpha)


def draw_beans(ax, xs, ys, test_xs=None, test_ys=None, *, sizes=(18, 30), zorder=3, labels=("", "")) -> None:
    """The training beans (filled) and the held-out ones (hollow), drawn alike in every figure.

    ``sizes`` are the two kinds' marker areas; ``labels`` their legend entries ("" for none);
    no held-out beans (None or empty) draws only the training ones.
    """
    ax.scatter(xs, ys, s=sizes[0], color=TRAINING_COLOUR, zorder=zorder, label=labels[0] or None)
    if test_xs is not None and len(test_xs):
        held_out = dict(facecolors="none", edgecolors=HELD_OUT_COLOUR, zorder=zorder, label=labels[1] or None)
        ax.scatter(test_xs, test_ys, s=sizes[1], **held_out)


def _line_alpha(count: int) -> float:
    """Fainter lines when there are many, so the bundle's shape still shows."""
    return float(np.clip(6.0 / max(count, 1), 0.15, 0.8))


def _groups(data: FigureData) -> dict[str, np.ndarray]:
    """Row indices of converged, failed (finished but below the accuracy bar) and diverged seeds."""
    rows = np.arange(len(data.config.seeds))
    return {
        "converged": rows[data.converged],
        "failed": rows[~data.converged & ~data.diverged],
        "diverged": rows[data.diverged],
    }


def _settings_title(data: FigureData) -> str:
    config = data.config
    seeds = config.seeds
    w = words(data.lang)
    seed_text = (
        w["seed_one"].format(seed=seeds[0])
        if len(seeds) == 1
        else w["seed_range"].format(first=seeds[0], last=seeds[-1])
    )
    return w["settings_title"].format(
        shape=config.shape,
        seeds=seed_text,
        epochs=config.epochs,
        lr=f"{config.lr:g}",
        beans=config.beans,
        data_seed=config.data_seed,
        converged=int(data.converged.sum()),
        total=len(seeds),
    )


def _legend(ax) -> None:
    """A legend beside the axes, off the data, whose swatches are opaque even where the lines are faint.

    Wherever it went inside, some run has beans or curves there (the hill fills the top, a
    large learning rate's losses the whole height). The figure needs a constrained layout to
    make room for it.
    """
    legend = ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8)
    for handle in legend.legend_handles:
        handle.set_alpha(1.0)


def render(fig: Figure, file, fmt: str) -> None:
    """Encode ``fig`` as ``fmt`` into ``file`` (a path or a binary file object), then free it."""
    try:
        fig.savefig(file, format=fmt, dpi=DPI)
    finally:
        fig.clear()  # no pyplot registry holds it; clearing drops the artists right away


def _save(fig: Figure, path: Path, write: Writer = write_atomic) -> Path:
    """Write ``fig`` to ``path`` with ``write``, in the format its suffix names."""
    fmt = Path(path).suffix.lstrip(".")
    return write(path, lambda tmp: render(fig, tmp, fmt))


def fit_figure(run) -> Figure:
    """The beans and every seed's fitted curve over them.

    Training beans are filled points, held-out beans hollow; converged, failed and diverged
    seeds have their own colours and the best seed is drawn bold on top (none when every seed
    diverged).

    Parameters
    ----------
    run : FigureData, or a beans.training.TrainResult to work it out from; S seeds
    """
    from matplotlib.collections import LineCollection  # after cli.figures' set-up

    data = as_figure_data(run, neuron_row=None)
    use_language(data.lang)
    w = words(data.lang)
    grid = data.grid
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.add_subplot()
    drawable = ~np.isnan(data.curves).any(axis=1)
    for label, rows in _groups(data).items():
        rows = rows[drawable[rows]]
        if rows.size == 0:
            continue
        ys = data.curves[rows]
        segments = np.stack([np.broadcast_to(grid, ys.shape), ys], axis=-1)
        # The converged seeds nearly coincide with the best one: drawn as a wide band under its
        # thin line, they show on both sides of it, and widen the band where they disagree.
        wide = label == "converged"
        ax.add_collection(
            LineCollection(
                segments,
                colors=COLOURS[label],
                linewidths=CONVERGED_WIDTH if wide else 1.0,
                linestyles=":" if label == "diverged" else "-",
                alpha=max(_line_alpha(rows.size), CONVERGED_ALPHA) if wide else _line_alpha(rows.size),
                label=w[f"{label}_n"].format(n=rows.size),
            )
        )
    best = data.best
    if best is not None and drawable[best]:
        ax.plot(
            grid,
            data.curves[best],
            color=COLOURS["best"],
            linewidth=BEST_FIT_WIDTH,
            zorder=4,  # over the beans and the band
            label=w["best_with_mse"].format(seed=data.config.seeds[best], mse=f"{data.final_mse[best]:.2e}"),
        )
    counted = (w["training_beans_n"].format(n=data.xs.size), w["held_out_beans_n"].format(n=data.test_xs.size))
    draw_beans(ax, data.xs, data.ys, data.test_xs, data.test_ys, labels=counted)
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(-0.1, 1.1)
    ax.set_xlabel(w["bean_size"])
    ax.set_ylabel(w["toxicity"])
    fig.suptitle(_settings_title(data), fontsize=10)  # over the legend too: the axes are narrower
    _legend(ax)
    return fig


def loss_figure(run) -> Figure:
    """Every seed's training MSE against epochs, log scale; the best seed bold (none if all diverged).

    The best seed's MSE on the held-out beans is drawn dashed in the same colour (when the run
    has held-out beans), so a learner sees whether it over-fits.

    A seed with a single drawable loss (``--epochs 0`` records only epoch 0) is a marker, as
    a line of one point draws nothing. Minor ticks on the log axis are unlabelled unless no
    power of ten is in view; then they get short labels (``0.4``, not ``4x10^-1``).

    Parameters
    ----------
    run : FigureData, or a beans.training.TrainResult to work it out from; draws
        ``snapshot_epochs`` (R,), ``loss_history`` (S, R) and ``test_loss_history`` (S, R)
    """
    from matplotlib.collections import LineCollection  # after cli.figures' set-up

    data = as_figure_data(run, neuron_row=None)
    use_language(data.lang)
    w = words(data.lang)
    epochs = data.snapshot_epochs.astype(np.float64)
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.add_subplot()
    ax.set_yscale("log")

    def seed_line(row: int, history: np.ndarray = data.loss_history) -> np.ndarray:
        """(k, 2) points of one seed, without the NaN/inf or zero losses a log axis cannot show."""
        losses = history[row]
        keep = np.isfinite(losses) & (losses > 0)
        return np.column_stack([epochs[keep], losses[keep]])

    for label, rows in _groups(data).items():
        if rows.size == 0:
            continue
        lines = [seed_line(row) for row in rows]
        dots = [line for line in lines if len(line) == 1]
        alpha = _line_alpha(rows.size)
        if len(dots) < len(lines):
            ax.add_collection(
                LineCollection(
                    [line for line in lines if len(line) > 1],
                    colors=COLOURS[label],
                    linewidths=1.0,
                    alpha=alpha,
                    label=w[f"{label}_n"].format(n=rows.size),
                )
            )
        if dots:
            ax.scatter(
                *np.concatenate(dots).T,
                s=25,
                color=COLOURS[label],
                alpha=max(alpha, 0.5),
                label=None if len(dots) < len(lines) else w[f"{label}_n"].format(n=rows.size),
            )
    best = data.best
    held_out = np.empty((0, 2))
    if best is not None:
        best_line = seed_line(best)
        ax.plot(
            best_line[:, 0],
            best_line[:, 1],
            color=COLOURS["best"],
            linewidth=2.5,
            marker="o" if len(best_line) == 1 else None,
            label=w["best"].format(seed=data.config.seeds[best]),
        )
        # Its MSE on the held-out beans, dashed: where it turns up while the training MSE still
        # falls, the seed is learning the training beans' noise (over-fitting). None without them.
        if data.config.test_beans:
            held_out = seed_line(best, data.test_loss_history)
        if len(held_out):
            ax.plot(
                held_out[:, 0],
                held_out[:, 1],
                color=COLOURS["best"],
                linewidth=1.8,
                linestyle="--",
                marker="o" if len(held_out) == 1 else None,
                label=w["best_held_out"].format(seed=data.config.seeds[best], n=data.test_xs.size),
            )
    ax.autoscale_view()
    if epochs[-1] > epochs[0]:
        ax.set_xlim(epochs[0], epochs[-1])
    else:  # one snapshot: a unit range around it, not matplotlib's +-0.05 around epoch 0
        ax.set_xlim(epochs[0] - 1, epochs[0] + 1)
        ax.set_xticks([epochs[0]])
    _label_log_axis(ax)
    ax.set_xlabel(w["epoch"])
    ax.set_ylabel(w["training_mse"] + (w["held_out_dashed"] if len(held_out) else ""))
    fig.suptitle(_settings_title(data), fontsize=10)  # over the legend too: the axes are narrower
    _legend(ax)
    return fig


def _label_log_axis(ax) -> None:
    """Enough tick labels on the log axis to read the losses off it, near the final MSE too.

    Call once the limits are final. The powers of ten alone leave one label, or none, beside
    a loss that ends between two of them; over a few decades 2 and 5 of each decade are
    labelled too, smaller. Over many decades the powers of ten are enough and the minor ticks
    stay unlabelled (their labels would crowd). Within one decade (a diverged run's losses
    often are) no power of ten is in view, and every minor tick gets a short plain label.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    lo, hi = ax.get_ylim()
    decades = math.log10(hi / lo) if lo > 0 else math.inf
    if lo > 0 and math.ceil(math.log10(lo)) > math.log10(hi):
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda value, _pos: f"{value:.2g}"))
    elif decades <= MINOR_LABEL_DECADES:
        ax.yaxis.set_minor_locator(LogLocator(base=10.0, subs=LABELLED_SUBS))
        ax.yaxis.set_minor_formatter(FuncFormatter(_short_log_label))
        ax.yaxis.set_major_formatter(FuncFormatter(_short_log_label))  # one notation for both
        ax.tick_params(axis="y", which="minor", labelsize=8)
    else:
        ax.yaxis.set_minor_formatter(NullFormatter())


# The log axis labels 2 and 5 of each decade when it spans at most this many decades.
MINOR_LABEL_DECADES = 4.0
LABELLED_SUBS = (2.0, 5.0)


def _short_log_label(value: float, _pos=None) -> str:
    """``0.05`` down to 0.001; smaller ones as ``2x10^-4`` or ``10^-4`` (in mathtext)."""
    if value >= 1e-3:
        return f"{value:g}"
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10**exponent)
    return rf"$10^{{{exponent}}}$" if mantissa == 1 else rf"${mantissa}\times10^{{{exponent}}}$"


def save_plots(result, out_dir: Path, fmt: str, write: Writer = write_atomic) -> list[Path]:
    """Write ``fit.<fmt>``, ``loss.<fmt>`` and ``neurons.<fmt>`` under ``out_dir``; returns their paths.

    ``result`` is a TrainResult or its FigureData. neurons shows the best seed, so it is left
    out when there is none (every seed diverged). ``write`` puts each file in place: each
    atomically by default, or ``StagedFiles.write`` to have them appear together with a
    command's other files.
    """
    out_dir = Path(out_dir)
    data = as_figure_data(result)
    return [_save(figure(data), out_dir / f"{name}.{fmt}", write) for name, figure in figures_of(data).items()]


def figures_of(data: FigureData) -> dict[str, Callable[[FigureData], Figure]]:
    """The figures ``data`` makes, by file name stem: fit, loss, and neurons when it has a seed to show."""
    from .neurons import neurons_figure  # it draws with this module's constants

    figures = {"fit": fit_figure, "loss": loss_figure}
    if data.neuron_row is not None:
        figures["neurons"] = neurons_figure
    return figures
