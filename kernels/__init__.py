"""beans.kernels: the lesson's bean data, its 1-2-1 network, and fast loops to train it.

Imports numpy and numba only; nothing here prints or plots.
"""

from pathlib import Path

from ._cpu import allow_512_bit_vectors

allow_512_bit_vectors()  # before numba is first imported: it reads its CPU options then

from ..numba_cache import ensure_numba_cache_dir, numba_cache_for_options  # noqa: E402
from . import _jit  # noqa: E402

ensure_numba_cache_dir(Path(__file__).parent)  # before any cache=True kernel is decorated

# numba's cache key leaves the decorators' options out: code cached with other options is dropped
with numba_cache_for_options(Path(__file__).parent, _jit.OPTIONS):
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
        predict,
        sigmoid,
    )
    from .numpy_loop import sgd_numpy
    from .reference import sgd_python
    from .sgd import sgd_jit

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

# Networks of any shape (issue 11): one Shape object, the plain-Python reference, numpy
# forward pass, and the many-seed lane kernels (generated per shape, see kernels.codegen).
from .many_any import sgd_many_any  # noqa: E402
from .network_any import accuracy_any, mse_any, neuron_outputs, predict_any  # noqa: E402
from .reference_any import sgd_python_any  # noqa: E402

__all__ += [
    "accuracy_any",
    "mse_any",
    "neuron_outputs",
    "predict_any",
    "sgd_many_any",
    "sgd_python_any",
]
