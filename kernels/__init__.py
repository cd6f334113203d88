"""beans.kernels: the lesson's bean data, its 1-2-1 network, and fast loops to train it.

Imports numpy and numba only; nothing here prints or plots.
"""

from pathlib import Path

from ..numba_cache import ensure_numba_cache_dir

ensure_numba_cache_dir(Path(__file__).parent)  # before any cache=True kernel is decorated

from .data import get_beans  # noqa: E402
from .lesson import sgd_lesson  # noqa: E402
from .many import max_threads, sgd_many  # noqa: E402
from .network import (  # noqa: E402
    N_PARAMS,
    PARAM_NAMES,
    TOXIC_ABOVE,
    accuracy,
    init_params,
    init_params_many,
    mse,
    predict,
    sigmoid,
)
from .numpy_loop import sgd_numpy  # noqa: E402
from .reference import sgd_python  # noqa: E402
from .sgd import sgd_jit  # noqa: E402

__all__ = [
    "N_PARAMS",
    "PARAM_NAMES",
    "TOXIC_ABOVE",
    "accuracy",
    "get_beans",
    "init_params",
    "init_params_many",
    "max_threads",
    "mse",
    "predict",
    "sgd_jit",
    "sgd_lesson",
    "sgd_many",
    "sgd_numpy",
    "sgd_python",
    "sigmoid",
]
