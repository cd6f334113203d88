"""Shared workloads for the benchmark suites (run: pytest bench/ --benchmark-only)."""

from __future__ import annotations

import pytest

import kernels

LR = 0.03


@pytest.fixture(scope="session")
def lesson_beans():
    """The lesson's 100 beans, from data seed 0."""
    return kernels.get_beans(100, 0)


@pytest.fixture(scope="session")
def c_reference():
    """``c_reference(variant)``: bench/c built for that variant with the system compiler (cli.c_engine), or skip."""
    from cli import c_engine

    built = {}

    def build(variant: str):
        if variant not in built:
            try:
                built[variant] = c_engine.build(variant)
            except c_engine.CUnavailable as err:
                pytest.skip(f"C reference unavailable: {err}")
        return built[variant]

    return build
