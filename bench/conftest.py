"""Shared workloads for the benchmark suites (run: pytest bench/ --benchmark-only)."""

from __future__ import annotations

import pytest

import kernels

LR = 0.03


@pytest.fixture(scope="session")
def lesson_beans():
    """The lesson's 100 beans, from data seed 0."""
    return kernels.get_beans(100, 0)
