"""Input checks shared by the kernels' public wrappers: each raises ValueError saying what to fix.

Numpy is imported inside the checks, not at import: the command line loads ``kernels.shape``
(which uses these) to parse ``--hidden``, and ``beans --help`` stays fast.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# The largest epoch count the kernels' int64 counters hold.
INT64_MAX = 2**63 - 1
# A number as people type it: beans.checks.DECIMAL's rule (kernels/ imports nothing from beans).
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")

# ``--curve``: hill is the lesson's; step is toxic above a size, which one hidden neuron fits;
# two-hills has two toxic bands, which the lesson's 1-2-1 cannot fit (two sigmoids make one
# band at most) and a wider net can; bump is a smooth toxicity between 0 and 1, not a yes/no.
CURVES = ("hill", "step", "two-hills", "bump")
DEFAULT_CURVE = "hill"


def check_curve(curve: object) -> str:
    """One of ``CURVES``; ValueError naming them otherwise."""
    if curve not in CURVES:
        raise ValueError(f"curve must be one of {', '.join(CURVES)}; got {curve!r}")
    return str(curve)


# How a run's start values are drawn (``--init``). ``lesson`` is every parameter uniform in
# [0, 1), as the lesson's ``np.random.rand()``: it saturates wide nets, whose summed inputs start
# large. The others draw weights centred on 0 and scaled by each layer's fan-in (and fan-out),
# biases 0: xavier is Glorot's uniform rule, he is He's normal rule for the fan-in, normal:SCALE
# every weight from N(0, SCALE^2).
INITS = ("lesson", "xavier", "he", "normal")
DEFAULT_INIT = "lesson"


def parse_init(text: str) -> str:
    """An ``--init`` value in its one written form: ``lesson``, ``xavier``, ``he`` or ``normal:SCALE``.

    ``normal`` alone is ``normal:1``; SCALE is a finite number > 0 written as a plain decimal.
    Raises ValueError saying what to write instead.
    """
    if not isinstance(text, str):
        raise ValueError(f"init must be a string such as 'lesson' or 'normal:0.5', got {text!r}")
    name, _, scale = text.strip().lower().partition(":")
    if name not in INITS:
        raise ValueError(f"init must be one of lesson, xavier, he, normal[:SCALE]; got {text!r}")
    if name != "normal":
        if scale:
            raise ValueError(f"only normal takes a scale (normal:0.5); got {text!r}")
        return name
    if not scale:
        return "normal:1"
    if not _DECIMAL.fullmatch(scale) or not math.isfinite(float(scale)) or float(scale) <= 0:
        raise ValueError(f"normal's SCALE must be a finite number > 0, such as normal:0.5; got {text!r}")
    return "normal:" + repr(float(scale)).removesuffix(".0")  # every digit kept: 0.5, 2, 1e-05


def as_rng(rng: object, name: str) -> np.random.Generator:
    """A Generator from an int seed or a Generator."""
    import numpy as np  # here, not at import: `beans --help` loads this module

    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a non-negative integer seed, got {rng}")
        return np.random.default_rng(int(rng))
    raise ValueError(f"{name} must be an int seed or a numpy.random.Generator, got {type(rng).__name__}")


def real_array(values: object, name: str) -> np.ndarray:
    """``values`` as a C-contiguous float64 array; ValueError for complex numbers or anything else
    numpy cannot make a real number of (numpy would drop an imaginary part with only a warning)."""
    import numpy as np  # here, not at import: `beans --help` loads this module

    if np.iscomplexobj(values) or (isinstance(values, list | tuple) and any(isinstance(v, complex) for v in values)):
        raise ValueError(f"{name} must hold real numbers, got complex ones")
    try:
        return np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as err:
        raise ValueError(f"{name} must hold real numbers ({err})") from None


def as_data(values: object, name: str, like: np.ndarray | None = None) -> np.ndarray:
    """Finite float64, C-contiguous 1-d array of at least one value (same length as ``like``)."""
    import numpy as np  # here, not at import: `beans --help` loads this module

    arr = real_array(values, name)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    if like is not None and arr.shape != np.shape(like):  # like may still be the caller's list
        raise ValueError(f"{name} must have the same shape as xs {np.shape(like)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, found NaN or inf")
    return arr


def check_epochs(epochs: object) -> int:
    """A non-negative int number of epochs."""
    if not isinstance(epochs, numbers.Integral) or isinstance(epochs, bool):
        raise ValueError(f"epochs must be an integer, got {epochs!r}")
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    if epochs > INT64_MAX:
        raise ValueError(f"epochs must be <= {INT64_MAX} (the kernels count in int64), got {epochs}")
    return int(epochs)


def check_lr(lr: object) -> float:
    """A finite learning rate > 0."""
    if not isinstance(lr, numbers.Real) or isinstance(lr, bool):
        raise ValueError(f"lr must be a number, got {lr!r}")
    try:
        value = float(lr)
    except OverflowError:  # an int past float's range, such as 10**400
        raise ValueError(f"lr must be finite and > 0, got an integer of {len(str(abs(lr)))} digits") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"lr must be finite and > 0, got {lr}")
    return value


def check_noise(noise: object) -> float:
    """A finite noise scale >= 0 (1 is the lesson's)."""
    if not isinstance(noise, numbers.Real) or isinstance(noise, bool):
        raise ValueError(f"noise must be a number, got {noise!r}")
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be finite and >= 0, got {noise}")
    return float(noise)


def check_threads(threads: object, available: int) -> int:
    """A thread count in [1, available]; None means all of them."""
    if threads is None:
        return available
    if not isinstance(threads, numbers.Integral) or isinstance(threads, bool):
        raise ValueError(f"threads must be an integer, got {threads!r}")
    if not 1 <= threads <= available:
        raise ValueError(f"threads must be between 1 and {available}, got {threads}")
    return int(threads)


def check_int(value: object, name: str, minimum: int) -> int:
    """An integer >= minimum (bools refused)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
