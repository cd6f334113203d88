"""Input checks shared by the public wrappers: each raises ValueError saying what to fix."""

from __future__ import annotations

import math
import numbers

import numpy as np

_N_PARAMS = 7


def as_rng(rng: object, name: str) -> np.random.Generator:
    """A Generator from an int seed or a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a non-negative integer seed, got {rng}")
        return np.random.default_rng(int(rng))
    raise ValueError(f"{name} must be an int seed or a numpy.random.Generator, got {type(rng).__name__}")


def as_params(params: object, name: str, many: bool | str) -> np.ndarray:
    """Finite float64, C-contiguous copy-free view of a (7,) or (S, 7) parameter array.

    ``many`` is False for (7,) only, True for (S, 7) only, "either" for both.
    """
    arr = np.ascontiguousarray(params, dtype=np.float64)
    allowed = {False: [1], True: [2], "either": [1, 2]}[many]
    shape_ok = arr.ndim in allowed and arr.shape[-1] == _N_PARAMS and arr.size > 0
    if not shape_ok:
        want = {False: "(7,)", True: "(S, 7) with S >= 1", "either": "(7,) or (S, 7)"}[many]
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, found NaN or inf")
    return arr


def as_data(values: object, name: str, like: np.ndarray | None = None) -> np.ndarray:
    """Finite float64, C-contiguous 1-d array of at least one value (same length as ``like``)."""
    arr = np.ascontiguousarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    if like is not None and arr.shape != like.shape:
        raise ValueError(f"{name} must have the same shape as xs {like.shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, found NaN or inf")
    return arr


def check_epochs(epochs: object) -> int:
    """A non-negative int number of epochs."""
    if not isinstance(epochs, numbers.Integral) or isinstance(epochs, bool):
        raise ValueError(f"epochs must be an integer, got {epochs!r}")
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    return int(epochs)


def check_lr(lr: object) -> float:
    """A finite learning rate > 0."""
    if not isinstance(lr, numbers.Real) or isinstance(lr, bool):
        raise ValueError(f"lr must be a number, got {lr!r}")
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be finite and > 0, got {lr}")
    return float(lr)


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
