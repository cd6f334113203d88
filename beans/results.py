"""What a training run produced, as plain data: the summary numbers and the results.json document.

Both the rich report and the JSON file read their numbers from here, so they always agree.
No rich, no matplotlib: only numpy, and the driver's result object passed in.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from .kernels.shape import Shape

# Bump when the layout of results.json changes. 2: settings name the network (hidden,
# activation, shape) and each seed's params are named by that shape; a file without them
# (format 1) holds the lesson's 1-2-1 sigmoid net. Keys added since (init, curve, data, the
# converged share's interval) leave the layout a format-2 reader knows as it was.
RESULTS_FORMAT = 2


def _finite_stats(values: np.ndarray) -> dict[str, float | None]:
    """Best (lowest), median and worst (highest) of the finite values; None when there are none."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"best": None, "median": None, "worst": None}
    return {"best": float(finite.min()), "median": float(np.median(finite)), "worst": float(finite.max())}


def best_row(result) -> int | None:
    """The row of the best seed, or None when every seed diverged.

    ``beans.training.ranking`` puts diverged seeds last, so rank 1 (``result.best``) is a diverged seed
    only when all of them are; such a seed is no fit, and beans names no best seed then: not in
    the summary, not in results.json's ``best_seed``, not as the bold curve of the plots.
    """
    best = int(result.best)
    return None if result.diverged[best] else best


def summarize(result) -> dict[str, Any]:
    """The run in a few numbers.

    Parameters
    ----------
    result : beans.training.TrainResult with S seeds

    Returns
    -------
    dict with ``seeds`` (S), ``converged`` and ``diverged`` counts, ``converged_share`` with
    its 95% Wilson interval (``converged_share_low``, ``converged_share_high``), ``best_seed``,
    ``final_mse`` best/median/worst over the seeds that did not diverge, the best seed's
    ``test_mse``/``test_accuracy`` (None without held-out beans), ``wall_time_s``, ``steps``
    and ``steps_per_second``. When every seed diverged there is no best seed: ``best_seed``
    and every figure computed over seeds is None.
    """
    from .stats import wilson_interval

    config = result.config
    best = best_row(result)
    kept = ~result.diverged  # a diverged seed's MSE says nothing about the fit
    seeds, converged = len(config.seeds), int(result.converged.sum())
    low, high = wilson_interval(converged, seeds)
    return {
        "seeds": seeds,
        "converged": converged,
        "converged_share": converged / seeds,
        "converged_share_low": low,
        "converged_share_high": high,
        "diverged": int(result.diverged.sum()),
        "best_seed": None if best is None else int(config.seeds[best]),
        "final_mse": _finite_stats(result.final_mse[kept]),
        "test_mse_of_best": None if best is None else _number(result.test_mse[best]),
        "test_accuracy_of_best": None if best is None else _number(result.test_accuracy[best]),
        "median_test_accuracy": _finite_stats(result.test_accuracy[kept])["median"],
        "wall_time_s": float(result.wall_time),
        "steps": int(result.steps),
        "steps_per_second": _number(result.steps_per_second),
    }


def epochs_or_none(epochs: int) -> int | None:
    """An ``epochs_to_converge`` for JSON: None (null) for a seed that never reached the bar."""
    return None if epochs < 0 else int(epochs)


def _number(value: float) -> float | None:
    """A float for JSON: NaN and inf become None (null), which every JSON reader accepts."""
    value = float(value)
    return value if math.isfinite(value) else None


def _settings(config, seed_start: int) -> dict[str, Any]:
    shape = config.shape
    from_file = config.data is not None
    held_out_drawn = config.test_beans and config.test_data is None and not from_file
    return {
        "hidden": list(shape.hidden),
        "activation": shape.activation,
        "shape": str(shape),  # for people: "1-4-4-1 tanh"; hidden and activation are what is read
        "seed_start": seed_start,
        "seeds": list(config.seeds),
        "epochs": config.epochs,
        "lr": config.lr,
        "beans": config.beans,
        "data_seed": config.data_seed,
        "noise": config.noise,
        "curve": None if from_file else config.curve,  # None: the beans are the data file's
        "data": config.data.describe() if from_file else None,
        "init": config.init,
        "test_beans": config.test_beans,
        "test_data_seed": config.test_data_seed if held_out_drawn else None,
        "test_data": config.test_data.describe() if config.test_data is not None else None,
        "test_share": config.test_share,
        "snapshot_every": config.snapshot_every,
        "threads": config.threads,  # None: all of them (results do not depend on it)
        "engine": config.engine,
        "converged_accuracy": config.converged_accuracy,
    }


def ranks(order: np.ndarray) -> np.ndarray:
    """Each row's rank (1 = best) from ``order``, the rows best first (``beans.training.ranking``). int64 (S,)."""
    rank_of_row = np.empty(order.size, dtype=np.int64)
    rank_of_row[order] = np.arange(1, order.size + 1)
    return rank_of_row


def _per_seed(result, order: np.ndarray, param_names: tuple[str, ...]) -> list[dict[str, Any]]:
    """One entry per seed, in seed order, with its rank (1 = best) and final params by name."""
    rank_of_row = ranks(order)
    return [
        {
            "seed": int(seed),
            "rank": int(rank_of_row[row]),
            "final_mse": _number(result.final_mse[row]),
            "accuracy": _number(result.accuracy[row]),
            "test_mse": _number(result.test_mse[row]),
            "test_accuracy": _number(result.test_accuracy[row]),
            "converged": bool(result.converged[row]),
            "diverged": bool(result.diverged[row]),
            "epochs_to_converge": epochs_or_none(result.epochs_to_converge[row]),
            "params": {name: _number(v) for name, v in zip(param_names, result.params[row], strict=True)},
        }
        for row, seed in enumerate(result.config.seeds)
    ]


def results_document(result, *, seed_start: int, versions: dict[str, str]) -> dict[str, Any]:
    """The contents of results.json: settings, versions, per-seed results and the summary.

    Parameters
    ----------
    result : beans.training.TrainResult
    seed_start : the first seed, as given on the command line
    versions : package name -> version string
    """
    from .training import ranking

    return {
        "format": RESULTS_FORMAT,
        "settings": {
            **_settings(result.config, seed_start),
            # which lane kernel ran and why (kernels.choice); either gives the same bits
            "kernel": result.kernel,
            "kernel_reason": result.kernel_reason,
        },
        "versions": versions,
        "results": _per_seed(result, ranking(result), result.config.shape.param_names),
        "summary": summarize(result),
    }


def settings_shape(settings: object) -> Shape:
    """The network a results.json's ``settings`` describe; ValueError saying what is wrong.

    ``hidden`` (a list of widths) and ``activation`` each default to the lesson's when absent,
    so a file written before beans trained other shapes (format 1) is the lesson's 1-2-1.
    """
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        raise ValueError(f"its settings are {json.dumps(settings)}, not a JSON object")
    hidden = settings.get("hidden", list(Shape().hidden))
    activation = settings.get("activation", Shape().activation)
    if not isinstance(hidden, list):
        raise ValueError(f"its settings' hidden is {json.dumps(hidden)}, not a list of layer widths")
    try:
        return Shape(tuple(hidden), activation)
    except ValueError as err:
        raise ValueError(f"its settings name no network beans can build: {err}") from None


def versions() -> dict[str, str]:
    """Versions of beans and of the libraries that decide its numbers."""
    from . import __version__
    from .kernels._jit import numba  # numba set up as the kernels run it, never imported before that

    return {"beans": __version__, "numba": numba.__version__, "numpy": np.__version__}


def dumps(document: dict[str, Any]) -> str:
    """Strict JSON text (``allow_nan=False``: a stray NaN fails here, not in the reader)."""
    return json.dumps(document, indent=2, allow_nan=False) + "\n"
