"""beans kernels: the lesson's bean data, its 1-2-1 network, and fast loops to train it.

Imports numpy and numba only; nothing here prints or plots.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from kernels._numba_cache import ensure_numba_cache_dir

ensure_numba_cache_dir()  # before any cache=True kernel is decorated

from kernels.data import get_beans  # noqa: E402
from kernels.lesson import sgd_lesson  # noqa: E402
from kernels.many import max_threads, sgd_many  # noqa: E402
from kernels.network import (  # noqa: E402
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
from kernels.numpy_loop import sgd_numpy  # noqa: E402
from kernels.reference import sgd_python  # noqa: E402
from kernels.sgd import sgd_jit  # noqa: E402
from kernels.train import ENGINES, TrainConfig, TrainResult, ranking, train  # noqa: E402

try:  # one version, the package's own (pyproject.toml), as ``beans --version`` reports it
    __version__ = _version("beans")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "unknown"

__all__ = [
    "ENGINES",
    "N_PARAMS",
    "PARAM_NAMES",
    "TOXIC_ABOVE",
    "__version__",
    "accuracy",
    "get_beans",
    "init_params",
    "init_params_many",
    "max_threads",
    "mse",
    "predict",
    "ranking",
    "sgd_jit",
    "sgd_lesson",
    "sgd_many",
    "sgd_numpy",
    "sgd_python",
    "sigmoid",
    "train",
    "TrainConfig",
    "TrainResult",
]

# Networks of any shape (issue 11): one Shape object, the plain-Python reference, numpy
# forward pass, and the many-seed lane kernels (generated per shape, see kernels.codegen).
from .many_any import sgd_many_any  # noqa: E402
from .network_any import accuracy_any, mse_any, neuron_outputs, predict_any  # noqa: E402
from .reference_any import sgd_python_any  # noqa: E402
from .shape import ACTIVATIONS, Shape, parse_hidden  # noqa: E402

__all__ += [
    "ACTIVATIONS",
    "Shape",
    "accuracy_any",
    "mse_any",
    "neuron_outputs",
    "parse_hidden",
    "predict_any",
    "sgd_many_any",
    "sgd_python_any",
]
