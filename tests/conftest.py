"""Shared seeded fixtures: small bean sets and start parameters."""

from __future__ import annotations

import pytest

import kernels

# Tolerances named once: how far each loop may drift from the lesson's own loop.
TOL_PYTHON = 1e-12  # sgd_python vs the lesson: same operations on the same doubles
TOL_JIT = 1e-10  # numba kernels vs the lesson: libm exp vs numpy's exp may differ in the last ulp


@pytest.fixture(params=[(0, 100), (1, 37), (2, 7)], ids=lambda p: f"data{p[0]}-n{p[1]}")
def beans(request):
    """(xs, ys) from the lesson's distribution, for several data seeds and sizes."""
    data_seed, count = request.param
    return kernels.get_beans(count, data_seed)


@pytest.fixture(params=[0, 3, 11], ids=lambda s: f"seed{s}")
def start(request):
    """Start parameters (7,) for several seeds."""
    return kernels.init_params(request.param)


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch):
    """Keep Typer/rich output free of colour codes and at a fixed width in every test."""
    monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    for var in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS"):
        monkeypatch.delenv(var, raising=False)
