"""beans command line: parse options, call ``kernels``, render with rich, save with matplotlib.

Heavy imports (numba via ``kernels``, matplotlib) happen inside the commands that need them,
so ``beans --help`` and shell completion stay fast.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def beans_version() -> str:
    """The installed package's version, read from its metadata (no heavy imports)."""
    try:
        return version("beans")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"
