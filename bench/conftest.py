"""Shared workloads for the benchmark suites (run: pytest bench/ --benchmark-only)."""

from __future__ import annotations

import pytest

import beans

LR = 0.03


@pytest.fixture(scope="session")
def lesson_beans():
    """The lesson's 100 beans, from data seed 0."""
    return beans.get_beans(100, 0)


@pytest.fixture(scope="session")
def c_reference():
    """``c_reference(variant)``: beans/benchmark/sgd_c.c built for that variant with the system compiler
    (beans.benchmark.c_reference), or skip."""
    from beans.benchmark import c_reference

    built = {}

    def build(variant: str):
        if variant not in built:
            try:
                built[variant] = c_reference.build(variant)
            except c_reference.CUnavailable as err:
                pytest.skip(f"C reference unavailable: {err}")
        return built[variant]

    return build
