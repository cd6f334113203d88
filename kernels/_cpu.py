"""512-bit vectors for the lane kernels on CPUs with AVX-512: numba's CPU options, set before numba loads.

LLVM tunes every Intel AVX-512 CPU with "prefer-256-bit": it vectorises loops with 256-bit
registers even where 512-bit ones exist (some older chips lowered their clock on 512-bit
instructions). beans' lane kernels vectorise over seeds at any width and gain from the wider
registers (the README's "Wider and deeper: speed" has the figures), and the arithmetic per lane
is the same at either width, so the results are too (tests/test_cpu.py).

numba reads ``NUMBA_CPU_NAME`` and ``NUMBA_CPU_FEATURES`` from the environment when it is
imported (and again before a compile if the environment changed since, resetting every other
setting made in code, such as the fallback cache folder of ``beans.numba_cache``); both are
part of its cache key. So :func:`allow_512_bit_vectors` runs before beans first imports
numba, sets the environment (child processes, such as ``beans bench``'s compile probes and
Dask workers, inherit it and share the cache), and does nothing when:

- numba is imported already (too late to change its CPU for this process): then it sets
  ``BEANS_512_BIT=0`` (unless set), so that the child processes this one starts compile for the
  same CPU options and share its cached code;
- the user has set ``NUMBA_CPU_NAME`` or ``NUMBA_CPU_FEATURES``: theirs is the choice;
- ``BEANS_512_BIT=0`` is set (opt out);
- the CPU has no AVX-512 (``avx512f``), or llvmlite cannot tell.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

OPT_OUT = "BEANS_512_BIT"  # "0": leave numba's CPU options alone
NUMBA_VARIABLES = ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES")
CHANGED: dict[str, str] = {}  # what allow_512_bit_vectors set in this process


def numba_cpu_env(cpu_name: str, features: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The numba variables that let LLVM use 512-bit vectors, or {} to leave numba as it is.

    ``cpu_name`` and ``features`` are llvmlite's view of the host (``get_host_cpu_name()``,
    ``get_host_cpu_features().flatten()``: "+avx2,+avx512f,-amx-tile,..."). The features are
    kept whole, as numba would pass them, with "-prefer-256-bit" appended.
    """
    if environ.get(OPT_OUT, "").strip() == "0" or any(name in environ for name in NUMBA_VARIABLES):
        return {}
    if "+avx512f" not in features.split(","):
        return {}
    return {"NUMBA_CPU_NAME": cpu_name, "NUMBA_CPU_FEATURES": f"{features},-prefer-256-bit"}


def allow_512_bit_vectors() -> dict[str, str]:
    """Set ``numba_cpu_env`` for this host in ``os.environ`` unless numba is loaded; returns what was set."""
    if "numba" in sys.modules:
        os.environ.setdefault(OPT_OUT, "0")  # this process stays at numba's default width: so will its children
        return {}
    try:
        import llvmlite.binding as llvm

        changes = numba_cpu_env(llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten(), os.environ)
    except (RuntimeError, OSError, AttributeError):  # llvmlite cannot read this CPU: leave numba's default
        return {}
    os.environ.update(changes)
    CHANGED.update(changes)
    return changes


def wide_vectors() -> bool:
    """True when numba's LLVM may use 512-bit vectors here (this module's setting, or the user's own)."""
    features = os.environ.get("NUMBA_CPU_FEATURES", "").split(",")
    return "+avx512f" in features and "-prefer-256-bit" in features
