"""neurons.png: the lesson's picture of what each hidden neuron computes.

The lesson's argument in one figure: every hidden neuron turns the bean size into its own
curve (for the 1-2-1 network, two sigmoid steps at different sizes), and the output neuron
merges those curves back into one, the hill. One panel per hidden layer shows its neurons'
outputs over the bean-size range; the last panel shows the network's output over the beans.

Import only inside commands that plot: it imports matplotlib (through ``cli.figures``).
"""

from __future__ import annotations

import numpy as np

from .figures import Figure  # before any other matplotlib import: it sets MPLCONFIGDIR and Agg
from .plots import GRID_POINTS, HELD_OUT_COLOUR, SIZE_LABEL, TOXICITY_LABEL, TRAINING_COLOUR

# More neurons than this in one panel are drawn without a legend: it would hide the curves.
MAX_LEGEND_NEURONS = 8


def neurons_figure(result, row: int) -> Figure:
    """Each hidden neuron's output for seed ``row`` of ``result``, layer by layer, then the network's.

    Parameters
    ----------
    result : beans.training.TrainResult; its ``config.shape`` names the layers
    row : int, the row (seed) to show, usually the best one

    Returns
    -------
    matplotlib Figure with ``len(shape.hidden) + 1`` panels side by side, sharing the x axis.
    """
    from ..kernels.network_any import neuron_outputs, predict_any

    shape = result.config.shape
    # the lesson's size range, [0, 2), widened to any bean outside it (as fit.png's)
    grid = np.linspace(min(0.0, float(result.xs.min())), max(2.0, float(result.xs.max())), GRID_POINTS)
    params = result.params[row]
    layers = neuron_outputs(params, grid, shape)  # list of (width, G), one per hidden layer
    output = predict_any(params, grid, shape)
    panels = len(layers) + 1
    fig = Figure(figsize=(3.2 * panels + 0.6, 3.6), layout="constrained")
    axes = fig.subplots(1, panels, sharex=True, squeeze=False)[0]
    for layer, (ax, outputs) in enumerate(zip(axes, layers, strict=False), start=1):
        for j, curve in enumerate(outputs, start=1):
            ax.plot(grid, curve, linewidth=1.6, label=f"neuron {j}")
        ax.set_title(f"hidden layer {layer}: {outputs.shape[0]} {shape.activation}", fontsize=10)
        ax.set_ylabel("neuron output")
        if outputs.shape[0] <= MAX_LEGEND_NEURONS:
            ax.legend(fontsize=7, loc="best")
    ax = axes[-1]
    ax.scatter(result.xs, result.ys, s=12, color=TRAINING_COLOUR, label="training beans", zorder=2)
    if result.test_xs.size:
        ax.scatter(
            result.test_xs, result.test_ys, s=12, facecolors="none", edgecolors=HELD_OUT_COLOUR,
            label="held-out beans", zorder=2,
        )
    ax.plot(grid, output, color="black", linewidth=2.2, label="network output", zorder=3)
    ax.set_title("output: the layers merged", fontsize=10)
    ax.set_ylabel(TOXICITY_LABEL)
    ax.legend(fontsize=7, loc="best")
    for ax in axes:
        ax.set_xlabel(SIZE_LABEL)
        ax.grid(alpha=0.3)
    config = result.config
    fig.suptitle(f"What each neuron computes: {shape}, seed {config.seeds[row]}, lr {config.lr:g}", fontsize=11)
    return fig
