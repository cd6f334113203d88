"""neurons.png: the lesson's picture of what each hidden neuron computes.

The lesson's argument in one figure: every hidden neuron turns the bean size into its own
curve (for the 1-2-1 network, two sigmoid steps at different sizes), and the output neuron
merges those curves back into one, the hill. One panel per hidden layer shows its neurons'
outputs over the bean-size range; the next shows what the output neuron adds up (each input
times its weight, and their sum z before its sigmoid: one step up, one step down); the last
shows the network's output over the beans.

Import only inside commands that plot: it imports matplotlib (through ``cli.figures``).
"""

from __future__ import annotations

import math

import numpy as np

from .figure_data import BEST, as_figure_data
from .figures import Figure, use_language  # before any other matplotlib import: it sets MPLCONFIGDIR and Agg
from .plots import draw_beans
from .words import words

# More neurons than this in one panel are drawn without a legend: it would hide the curves.
MAX_LEGEND_NEURONS = 8
# Up to this many neurons take matplotlib's ten distinct colours; more are spread over a colour map.
CYCLE_COLOURS = 10
# Panels per row: a deep net wraps onto more rows instead of growing one very wide image.
MAX_COLUMNS = 4
PANEL_INCHES = (3.4, 3.3)  # width, height of one panel
# The range each activation's outputs can take, so every panel of a kind has the same y axis.
OUTPUT_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # relu is unbounded: autoscaled


def _colours(width: int) -> list:
    """One colour per neuron of a layer: distinct ones for a few, a colour map's for many."""
    if width <= CYCLE_COLOURS:
        return [f"C{j}" for j in range(width)]
    from matplotlib import colormaps

    return list(colormaps["viridis"](np.linspace(0.0, 0.9, width)))


def neurons_figure(run, row: int | None = None) -> Figure:
    """Each hidden neuron's output for one seed, layer by layer, then the network's.

    The last hidden layer's legend gives each neuron's weight into the output neuron: for the
    lesson's net, one step is added and the other subtracted, and the hill is what is left.

    Parameters
    ----------
    run : FigureData (it shows its ``neuron_row``), or a beans.training.TrainResult
    row : int, with a TrainResult: the row (seed) to show, by default the best one; its
        parameters must be finite

    Returns
    -------
    matplotlib Figure with ``len(shape.hidden) + 2`` panels (at most ``MAX_COLUMNS`` a row),
    sharing the x axis: hidden layer l's panel holds one line per neuron, in neuron order; the
    output neuron's sum one line per weighted input, in neuron order, then z; the last the
    network's output.
    """
    data = as_figure_data(run, BEST if row is None else row)
    if data.neuron_row is None:
        raise ValueError("no seed to show: every seed diverged")
    use_language(data.lang)
    w = words(data.lang)
    shape = data.config.shape
    grid = data.grid
    lo, hi = grid[0], grid[-1]
    params, layers, output = data.neuron_params, data.hidden_outputs, data.neuron_output
    panels = len(layers) + 2
    columns = min(panels, MAX_COLUMNS)
    rows = math.ceil(panels / columns)
    fig = Figure(figsize=(PANEL_INCHES[0] * columns + 0.4, PANEL_INCHES[1] * rows + 0.5), layout="constrained")
    cells = fig.add_gridspec(rows, columns)
    axes = [fig.add_subplot(cells[0, 0])]
    axes += [fig.add_subplot(cells[k // columns, k % columns], sharex=axes[0]) for k in range(1, panels)]

    output_layer = shape.n_layers - 1  # its one neuron's weights come from the last hidden layer
    for layer, (ax, outputs) in enumerate(zip(axes, layers, strict=False), start=1):
        width = outputs.shape[0]
        last = layer == len(layers)
        for j, (curve, colour) in enumerate(zip(outputs, _colours(width), strict=True)):
            label = w["neuron"].format(j=j + 1)
            if last:
                weight = f"{params[shape.neuron_start(output_layer, 0) + j]:+.2f}"
                label = w["weight_into_output"].format(j=j + 1, weight=weight)
            ax.plot(grid, curve, color=colour, linewidth=1.6, label=label)
        source = w["from_bean_size"] if layer == 1 else w["from_layer"].format(layer=layer - 1)
        title = w["hidden_layer_title"].format(layer=layer, width=width, activation=shape.activation, source=source)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(w["neuron_output"])
        if shape.activation in OUTPUT_RANGE:
            bottom, top = OUTPUT_RANGE[shape.activation]
            margin = 0.05 * (top - bottom)
            ax.set_ylim(bottom - margin, top + margin)
        if width <= MAX_LEGEND_NEURONS:
            _legend_below(ax, width)

    _draw_output_sum(axes[-2], data)
    ax = axes[-1]
    labels = (w["training_beans"], w["held_out_beans"])
    draw_beans(ax, data.xs, data.ys, data.test_xs, data.test_ys, sizes=(12, 12), zorder=2, labels=labels)
    ax.plot(grid, output, color="black", linewidth=2.2, label=w["network_output"], zorder=3)
    ax.set_title(w["output_title"], fontsize=9)
    ax.set_ylabel(w["toxicity"])
    ax.set_ylim(-0.1, 1.1)
    _legend_below(ax, 3)
    for ax in axes:
        ax.set_xlabel(w["bean_size"])
        ax.set_xlim(lo, hi)
        ax.grid(alpha=0.3)
    config, row = data.config, data.neuron_row
    title = w["neurons_title"].format(
        shape=shape, seed=config.seeds[row], mse=f"{data.final_mse[row]:.2e}", lr=f"{config.lr:g}", epochs=config.epochs
    )
    fig.suptitle(title, fontsize=11)
    return fig


def _legend_below(ax, entries: int) -> None:
    """The panel's legend under its axis label, off the curves (the constrained layout makes room)."""
    ax.legend(
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        borderaxespad=0.0,
        ncols=1 if entries <= LEGEND_ROWS else 2,
    )


# A legend under a panel takes up to this many rows; more entries go into two columns.
LEGEND_ROWS = 4


def _draw_output_sum(ax, data) -> None:
    """What the output neuron adds up: each input times its weight, and z, their sum plus the bias.

    z = 0 is where its sigmoid gives 0.5: the hill is where z is above that line.
    """
    shape = data.config.shape
    w = words(data.lang)
    weighted, z = data.weighted_inputs, data.output_sum
    width = weighted.shape[0]
    output_layer = shape.n_layers  # 1-based, as in the parameters' names
    start = shape.neuron_start(output_layer - 1, 0)
    names = shape.param_names
    for j, (curve, colour) in enumerate(zip(weighted, _colours(width), strict=True)):
        weight = names[start + j]
        ax.plot(
            data.grid, curve, color=colour, linewidth=1.3, linestyle="--", label=f"{weight}·a{j + 1}_{output_layer - 1}"
        )
    bias = data.neuron_params[start + width]
    ax.plot(
        data.grid,
        z,
        color="black",
        linewidth=2.2,
        label=w["z_label"].format(z=f"z1_{output_layer}", bias=names[start + width], value=f"{bias:+.2f}"),
    )
    ax.axhline(0.0, color="grey", linewidth=0.8, linestyle=":")
    ax.set_title(w["sum_title"], fontsize=9)
    ax.set_ylabel(w["before_sigmoid"])
    if width <= MAX_LEGEND_NEURONS:
        _legend_below(ax, width + 1)
