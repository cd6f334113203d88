"""beans: the bean-toxicity lesson's network, trained over many random seeds at once with numba.

``import beans`` is cheap: the Python API below is loaded on first use (PEP 562), so the
command line's ``--help`` never waits for numba. ``beans.kernels`` holds the network and the
numeric kernels (every name of its API is here too), ``beans.training`` the training driver,
``beans.results`` the results.json format, ``beans.benchmark`` the harness behind
``beans bench`` and ``beans.cli`` the commands.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version
from typing import TYPE_CHECKING

from . import kernels

try:  # the one version: the package's own metadata (pyproject.toml)
    __version__ = _version("beans")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "unknown"

# public name -> the module that defines it
_API = {
    **dict.fromkeys(kernels.__all__, "beans.kernels"),
    **dict.fromkeys(("ENGINES", "TrainConfig"), "beans.config"),
    **dict.fromkeys(("TrainResult", "ranking", "train"), "beans.training"),
}

__all__ = ["__version__", *sorted(_API)]

if TYPE_CHECKING:  # what the lazy names resolve to, for type checkers and IDEs
    from .config import ENGINES, TrainConfig
    from .kernels import *  # noqa: F403
    from .training import TrainResult, ranking, train


def __getattr__(name: str):
    """Load a public name's module on first use."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'beans' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
