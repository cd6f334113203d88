"""beans.kernels: the lesson's bean data, its network of any shape, and fast loops to train it.

Imports numpy, numba and llvmlite only, never the rest of beans; nothing here prints or plots.
Names load on first use (PEP 562): the command line imports ``kernels.shape`` to parse options
without waiting for numba, which loads with the first compiled kernel.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# public name -> the module of kernels/ that defines it
_API = {
    **dict.fromkeys(("CURVES", "INITS", "parse_init"), "checks"),
    **dict.fromkeys(("get_beans",), "data"),
    **dict.fromkeys(("sgd_lesson",), "lesson"),
    **dict.fromkeys(("max_threads", "sgd_many"), "many"),
    **dict.fromkeys(
        (
            "N_PARAMS",
            "PARAM_NAMES",
            "TOXIC_ABOVE",
            "accuracy",
            "init_params",
            "init_params_many",
            "mse",
            "neuron_outputs",
            "predict",
            "sigmoid",
        ),
        "network",
    ),
    **dict.fromkeys(("sgd_python",), "reference"),
    **dict.fromkeys(("sgd_jit",), "sgd"),
    **dict.fromkeys(("any_step", "finite_difference", "hidden_roles", "lesson_step"), "step"),
    **dict.fromkeys(("ACTIVATIONS", "Shape", "parse_hidden"), "shape"),
}

__all__ = sorted(_API)

if TYPE_CHECKING:  # what the lazy names resolve to, for type checkers and IDEs
    from .checks import CURVES, INITS, parse_init
    from .data import get_beans
    from .lesson import sgd_lesson
    from .many import max_threads, sgd_many
    from .network import (
        N_PARAMS,
        PARAM_NAMES,
        TOXIC_ABOVE,
        accuracy,
        init_params,
        init_params_many,
        mse,
        neuron_outputs,
        predict,
        sigmoid,
    )
    from .reference import sgd_python
    from .sgd import sgd_jit
    from .shape import ACTIVATIONS, Shape, parse_hidden
    from .step import any_step, finite_difference, hidden_roles, lesson_step


def __getattr__(name: str):
    """Load a public name's module on first use."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
