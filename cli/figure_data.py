"""The numbers behind fit, loss and neurons figures, worked out before any drawing.

``figure_data(result)`` runs the network over the drawing grid (numpy, in the training
process) and keeps only what the figures show. ``FigureData`` holds numpy arrays, plain
values and the run's ``TrainConfig``, so it pickles to the process that draws
(``cli.figure_process``), which loads matplotlib and never numba. This module imports
neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import TrainConfig
from ..results import best_row

GRID_POINTS = 400  # fine enough that the hill's flanks look smooth
BEST = "best"  # the neurons figure's row: the best seed's


@dataclass(frozen=True)
class FigureData:
    """What the figures of one run draw. S seeds, R records, G = ``GRID_POINTS``, P parameters.

    Attributes
    ----------
    config : TrainConfig of the run (shape, seeds, settings for the titles)
    xs, ys : float64 (n,), the training beans; test_xs, test_ys : float64 (m,), held out (m may be 0)
    grid : float64 (G,), the bean sizes the curves are drawn over: the lesson's [0, 2],
        widened to any bean outside it
    curves : float64 (S, G), each seed's network output on ``grid``; all NaN for a seed
        whose parameters are not finite (it draws no curve)
    converged, diverged : bool (S,)
    final_mse : float64 (S,)
    best : int or None, the best seed's row (``results.best_row``; None when all diverged)
    snapshot_epochs : int64 (R,); loss_history, test_loss_history : float64 (S, R)
    neuron_row : int or None, the seed the neurons figure shows (None: no neurons figure)
    neuron_params : float64 (P,) of that seed, or None
    hidden_outputs : tuple of float64 (width, G), one per hidden layer, for that seed
    neuron_output : float64 (G,), the network's output for that seed, or None
    weighted_inputs : float64 (width, G), for that seed, the output neuron's inputs times their
        weights (for the 1-2-1, w11_2·a1_1 and w21_2·a2_1); None without a seed
    output_sum : float64 (G,), the output neuron's z: those summed, plus its bias, before its
        sigmoid; None without a seed
    lang : the language of the figures' words (``cli.words``)
    """

    config: TrainConfig
    xs: np.ndarray
    ys: np.ndarray
    test_xs: np.ndarray
    test_ys: np.ndarray
    grid: np.ndarray
    curves: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    final_mse: np.ndarray
    best: int | None
    snapshot_epochs: np.ndarray
    loss_history: np.ndarray
    test_loss_history: np.ndarray
    neuron_row: int | None
    neuron_params: np.ndarray | None
    hidden_outputs: tuple[np.ndarray, ...]
    neuron_output: np.ndarray | None
    weighted_inputs: np.ndarray | None = None
    output_sum: np.ndarray | None = None
    lang: str = "en"


def drawing_grid(xs: np.ndarray) -> np.ndarray:
    """float64 (GRID_POINTS,) over [0, 2] (the lesson's sizes), widened to any bean in ``xs`` outside it."""
    return np.linspace(min(0.0, float(xs.min())), max(2.0, float(xs.max())), GRID_POINTS)


def curves(params: np.ndarray, grid: np.ndarray, shape) -> np.ndarray:
    """The network's output on ``grid`` for each parameter row, float64 (S, len(grid)).

    ``params`` is float64 (S, P) with P = ``shape.n_params``. A diverged seed may hold NaN or
    inf parameters: its row is all NaN, which draws no curve.
    """
    from ..kernels.network import predict  # numpy; the kernels package brings numba along

    params = np.asarray(params, dtype=np.float64)
    out = np.full((params.shape[0], grid.size), np.nan)
    ok = np.isfinite(params).all(axis=1)
    if ok.any():
        with np.errstate(over="ignore"):  # huge weights saturate a neuron at 0 or 1: right, and no warning
            out[ok] = predict(params[ok], grid, shape)
    return out


def output_neuron_sum(params: np.ndarray, last_hidden: np.ndarray, shape) -> tuple[np.ndarray, np.ndarray]:
    """The output neuron's weighted inputs, float64 (width, G), and their sum plus its bias, z (G,).

    ``params`` (P,) is one seed's; ``last_hidden`` (width, G) its last hidden layer's outputs.
    The sigmoid of z is the network's output: the lesson's "one step up, one step down" is two
    weighted steps added here.
    """
    start = shape.neuron_start(shape.n_layers - 1, 0)
    width = last_hidden.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):  # huge weights: inf, as the network computes them
        weighted = params[start : start + width, None] * last_hidden
        return weighted, weighted.sum(axis=0) + params[start + width]


def figure_data(result, neuron_row: int | str | None = BEST, lang: str = "en") -> FigureData:
    """The figures' numbers for ``result`` (a ``beans.training.TrainResult``).

    ``neuron_row`` is the row the neurons figure shows: ``BEST`` (the default) for the best
    seed's (none when every seed diverged), None for no neurons figure. Its parameters must be
    finite. ``lang``: the figures' language (``cli.words.LANGUAGES``).
    """
    from ..kernels.network import neuron_outputs, predict

    best = best_row(result)
    if neuron_row == BEST:
        neuron_row = best
    grid = drawing_grid(result.xs)
    shape = result.config.shape
    neuron_params, hidden_outputs, neuron_output = None, (), None
    weighted_inputs = output_sum = None
    if neuron_row is not None:
        neuron_params = result.params[neuron_row]
        with np.errstate(over="ignore"):  # huge weights saturate a neuron: the right 0 or 1, no warning
            hidden_outputs = tuple(neuron_outputs(neuron_params, grid, shape))  # (width, G) per hidden layer
            neuron_output = predict(neuron_params, grid, shape)
        weighted_inputs, output_sum = output_neuron_sum(neuron_params, hidden_outputs[-1], shape)
    return FigureData(
        config=result.config,
        xs=result.xs,
        ys=result.ys,
        test_xs=result.test_xs,
        test_ys=result.test_ys,
        grid=grid,
        curves=curves(result.params, grid, shape),
        converged=result.converged,
        diverged=result.diverged,
        final_mse=result.final_mse,
        best=best,
        snapshot_epochs=result.snapshot_epochs,
        loss_history=result.loss_history,
        test_loss_history=result.test_loss_history,
        neuron_row=neuron_row,
        neuron_params=neuron_params,
        hidden_outputs=hidden_outputs,
        neuron_output=neuron_output,
        weighted_inputs=weighted_inputs,
        output_sum=output_sum,
        lang=lang,
    )


def as_figure_data(run, neuron_row: int | str | None = BEST, lang: str = "en") -> FigureData:
    """``run`` itself when it is already ``FigureData``, else ``figure_data(run, neuron_row, lang)``."""
    return run if isinstance(run, FigureData) else figure_data(run, neuron_row, lang)
