"""numba options for every kernel, in one place; each is a measured decision (see bench/).

- ``cache=True``: a warm start loads machine code instead of compiling (seconds -> ~0.2 s).
- ``nogil=True``: kernels touch no Python objects, so other threads may run meanwhile.
- The one-seed kernel keeps numba's default ``error_model='python'``: its loop is a chain of
  dependent steps that cannot be vectorised, and the default costs nothing measurable there.
"""

from __future__ import annotations

import numba

SCALAR_JIT = dict(cache=True, nogil=True)
# seeds are independent: prange splits them across threads
PARALLEL_JIT = dict(cache=True, nogil=True, parallel=True)

njit_scalar = numba.njit(**SCALAR_JIT)
