"""numba options for every kernel, in one place; each is a measured decision (see bench/).

- ``cache=True``: a warm start loads machine code instead of compiling (seconds -> ~0.2 s).
- ``nogil=True``: kernels touch no Python objects, so other threads may run meanwhile.
- The one-seed kernel keeps numba's defaults otherwise: its loop is a chain of dependent
  steps that cannot be vectorised, and it must stay the lesson's arithmetic op for op.
- The many-seed kernels (``kernels.many``) advance seeds together in SIMD lanes:
  ``error_model='numpy'`` drops the zero-division check on every float division, which
  otherwise stops LLVM vectorising the loop (numba PR #1769); ``fastmath={'contract'}`` lets
  LLVM fuse multiply-adds (measured: ~1.5x faster, results move by ~1e-12 after 5000 epochs,
  see bench/test_layouts.py and tests/test_many.py). No other fastmath flag: 'nnan'/'ninf'
  would let a diverging seed come out as silent finite garbage.
- ``parallel=True`` only on the driver that splits blocks of seeds across threads.
"""

from __future__ import annotations

SCALAR_JIT = dict(cache=True, nogil=True)
LANES_JIT = dict(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
PARALLEL_LANES_JIT = dict(LANES_JIT, parallel=True)
