"""Shared seeded fixtures (small bean sets, start parameters) and helpers for the CLI tests."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass

import numpy as np
import pytest

import beans

# Typer and rich output without colour codes, at a fixed width: set for every test (below), and
# inherited by the subprocesses tests start.
PLAIN_ENV = {"_TYPER_FORCE_DISABLE_TERMINAL": "1", "COLUMNS": "120", "NO_COLOR": "1"}


@dataclass(frozen=True)
class Tolerances:
    """How far (absolute, per parameter) each loop may be from the lesson's own after a few epochs."""

    python: float = 1e-12  # sgd_python and sgd_numpy: the same operations on the same doubles
    jit: float = 1e-10  # numba kernels: libm's exp vs numpy's may differ in the last ulp


@pytest.fixture(scope="session")
def tol() -> Tolerances:
    """The tolerances, named once: ``tol.python``, ``tol.jit``."""
    return Tolerances()


@pytest.fixture(params=[(0, 100), (1, 37), (2, 7)], ids=lambda p: f"data{p[0]}-n{p[1]}")
def bean_set(request):
    """(xs, ys) from the lesson's distribution, for several data seeds and sizes."""
    data_seed, count = request.param
    return beans.get_beans(count, data_seed)


@pytest.fixture(params=[0, 3, 11], ids=lambda s: f"seed{s}")
def start(request):
    """Start parameters (7,) for several seeds."""
    return beans.init_params(request.param)


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch):
    """Keep Typer/rich output free of colour codes and at a fixed width in every test."""
    for var, value in PLAIN_ENV.items():
        monkeypatch.setenv(var, value)
    for var in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def beans_command() -> list[str]:
    """The installed console script, or the module when the script is not on PATH."""
    exe = shutil.which("beans")
    return [exe] if exe else [sys.executable, "-m", "beans"]


def _with_a_nan_seed(result):
    """``result`` with its first seed turned into a NaN-diverged one, as a huge lr can leave it."""
    result.params[0] = np.nan
    result.loss_history[0, 1:] = np.nan
    result.final_mse[0] = result.accuracy[0] = np.nan
    result.test_mse[0] = result.test_accuracy[0] = np.nan
    result.diverged[0], result.converged[0] = True, False
    return result


@pytest.fixture
def with_a_nan_seed():
    """A function that turns a TrainResult's first seed into a NaN-diverged one, in place."""
    return _with_a_nan_seed


@pytest.fixture
def figures_in_process():
    """``beans train`` draws its figures in the test's process, without the helper process.

    For tests that put a fault into the drawing (``cli.plots``' functions), which the helper,
    a process of its own, would never run. Drawing here is also what the command falls back
    to when the helper fails.
    """
    from beans.cli.figure_process import drawn_here

    with drawn_here():
        yield
