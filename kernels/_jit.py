"""numba options for every kernel, in one place; each is a measured decision (see bench/).

- ``cache=True``: a warm start loads machine code instead of compiling it.
- ``nogil=True``: kernels touch no Python objects, so other threads may run meanwhile.
- The one-seed kernel keeps numba's defaults otherwise: its loop is a chain of dependent
  steps that cannot be vectorised, and it must stay the lesson's arithmetic op for op.
- The many-seed kernels (``kernels.many``) advance seeds together in SIMD lanes:
  ``error_model='numpy'`` drops the zero-division check on every float division, which
  otherwise stops LLVM vectorising the loop (numba PR #1769); ``fastmath={'contract'}`` lets
  LLVM fuse multiply-adds, which is faster and moves results only in the last bits
  (bench/test_layouts.py times it, tests/test_many.py bounds the drift). No other fastmath
  flag: 'nnan'/'ninf' would let a diverging seed come out as silent finite garbage.
- ``parallel=True`` only on the driver that splits blocks of seeds across threads.

Each option set is a dict whose name ends in ``_JIT``; ``OPTIONS`` collects them, so that
editing one makes numba compile afresh (numba's cache key leaves decorator options out).
"""

from __future__ import annotations

SCALAR_JIT = dict(cache=True, nogil=True)
LANES_JIT = dict(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
PARALLEL_LANES_JIT = dict(LANES_JIT, parallel=True)

# Every option set by name: beans.numba_cache keeps their fingerprint beside numba's cache and
# drops the cached code when it changes, which numba alone would keep loading.
OPTIONS = {name: value for name, value in dict(globals()).items() if name.endswith("_JIT") and isinstance(value, dict)}
